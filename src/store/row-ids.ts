import { randomBytes } from 'node:crypto';

/** Readable, unguessable ids: `apr_1f2e3d4c5b6a`. */
export const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
