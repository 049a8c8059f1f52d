/**
 * Rewrites the field reference in README.md (between the fields markers) from the description format
 * (lib/model/description.ts).
 * Run: npm run docs:fields. A test fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceFieldReference } from '../lib/model/schema-docs';

const readme = readFileSync('README.md', 'utf8');
const updated = replaceFieldReference(readme);
if (updated !== readme) writeFileSync('README.md', updated);
console.log(updated === readme ? 'README.md field reference is current' : 'README.md field reference updated');
