// Types of bin/build.mjs, for the TypeScript that drives builds (the bench, the tests).
export declare const ROOT: string;
export declare const DIST: string;
export declare const BENCH_DIST: string;
export declare const ENTRY: string;
export type BuildOptions = { outDir?: string; bench?: boolean; fingerprint?: string };
export type FoundBuild = { current: true; entry: string } | { current: false; reason: 'missing' | 'stale' };
export declare function sourceFingerprint(options?: { bench?: boolean }): Promise<string>;
export declare function compiledBuild(outDir?: string, options?: { bench?: boolean }): Promise<FoundBuild>;
export declare function build(options?: BuildOptions): Promise<string>;
export declare function buildIfNeeded(options?: BuildOptions): Promise<string>;
