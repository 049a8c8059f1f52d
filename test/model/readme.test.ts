import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaceFieldReference, schemaFieldRows } from '../../lib/model/schema-docs';

describe('README field reference', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('is generated from the current schema (run npm run docs:fields)', () => {
    expect(replaceFieldReference(readme)).toBe(readme);
  });

  it('documents every field with a type, default and meaning', () => {
    const rows = schemaFieldRows();
    expect(rows.length).toBeGreaterThan(90);
    for (const field of ['apiServer.vip', 'tunnel.token.serverFile', 'storage.classes[].share', 'cni.networkPolicyEnforcer', 'access[].role']) {
      expect(readme).toContain(`| \`${field}\` |`);
    }
    for (const row of rows) expect(row.split('|')[4].trim(), row).not.toBe('');
  });
});
