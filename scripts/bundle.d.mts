// Types of scripts/bundle.mjs for the TypeScript that imports it (tests, the bench).
export declare const BUNDLE: string;
export declare const plugins: unknown[];
export declare function precompiledValidatorSource(): Promise<string>;
export declare function lazyDraft2019FormatsSource(resolveFrom?: string): string;
export declare function bundle(): Promise<void>;
