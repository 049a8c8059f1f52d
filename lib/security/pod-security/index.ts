export * from './levels';
export * from './evaluate';
export { BASELINE_CAPABILITIES, RESTRICTED_VOLUME_SOURCES, safeSysctls, type ViolationLevel } from './checks';
