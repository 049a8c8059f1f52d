/**
 * The output checks run by every synth, in order.
 */
import type { OutputCheck } from './types';

export const OUTPUT_CHECKS: readonly OutputCheck[] = [];
