import type { AnyRunKind } from '../../jobs/run-definition.ts';
import { rollbackRun } from '../deployment/rollback-run.ts';
import { scaleRun } from '../troubleshooting/scale-run.ts';
import { restartRun } from '../troubleshooting/restart-run.ts';
import { isolateRun } from '../security/isolate-run.ts';

/** Every kind of resumable run the worker executes. */
export const runKinds: readonly AnyRunKind[] = [rollbackRun, scaleRun, restartRun, isolateRun];
