// Types of scripts/build.mjs's exports, for the tests that read them.
export declare const entryPoints: string[];
export declare const optionalNative: string[];
export declare const loadedOnFirstUse: string[];
export declare const external: string[];
export declare const asciiOnly: (code: string) => string;
export declare const requiredOnFirstUse: string[];
export declare const requireOnFirstUse: (names: string[]) => import('esbuild').Plugin;
export declare const requireBanner: string;
