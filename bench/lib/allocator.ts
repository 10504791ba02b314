/**
 * The memory allocator the bench's Node processes run on: the image's (the Dockerfile preloads
 * jemalloc for the api and the worker), so P4 measures the worker as production runs it. Read
 * from the Dockerfile itself, so the two cannot drift apart. `--glibc-malloc` runs them on glibc's
 * malloc instead, to compare.
 */
import fs from 'node:fs';
import { runtimeStage } from '../../test/production/image';

export interface Allocator {
  /** LD_PRELOAD for the Node processes the bench starts; none for glibc's malloc. */
  preload?: string;
  description: string;
}

export function imageAllocator(options: { glibc: boolean }): Allocator {
  if (options.glibc) return { description: "glibc's malloc (--glibc-malloc; the image runs on jemalloc)" };
  const preload = runtimeStage().env.LD_PRELOAD;
  if (!preload) return { description: "glibc's malloc (the image preloads no allocator)" };
  if (!fs.existsSync(preload)) {
    return { description: `glibc's malloc: the image's ${preload} is missing here (apt-get install libjemalloc2, then link it as .ci/run does)` };
  }
  return { preload, description: `jemalloc as in the image (LD_PRELOAD=${preload})` };
}
