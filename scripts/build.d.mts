// Types of scripts/build.mjs's lists, for the tests that read them.
export declare const entryPoints: string[];
export declare const optionalNative: string[];
export declare const loadedOnFirstUse: string[];
export declare const external: string[];
