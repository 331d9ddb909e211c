/** Types of bin/cli-bundle.js, for the TypeScript that imports it (benchmarks, tests). */
export declare const BUNDLE_DIR: string;
export declare function sourcesOlderThan(builtMs: number, root?: string): boolean;
export declare function bundleEntry(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { url: string; cacheDir: string } | undefined;
