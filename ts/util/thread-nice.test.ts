// A thread's own nice value: set for the calling thread only (its siblings keep theirs), read back
// from the kernel.

import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThread, threadId } from './thread-nice.js';

describe.runIf(process.platform === 'linux')('lowerThisThread', () => {
  it("lowers the calling thread's priority relative to its own and no other thread's", async () => {
    // a sibling thread whose id and nice value are read before and after
    const sibling = new Worker(
      "const { parentPort } = require('node:worker_threads'); const fs = require('node:fs'); parentPort.on('message', () => {}); parentPort.postMessage(Number(fs.readlinkSync('/proc/thread-self').split('/').pop()));",
      { eval: true },
    );
    const siblingTid = await new Promise<number>((r) => sibling.once('message', r));
    const before = getPriority(siblingTid);
    const tid = threadId()!;
    expect(tid).toBeGreaterThan(0);
    const target = Math.min(19, getPriority(tid) + 2); // relative to what the thread had
    expect(lowerThisThread(2)).toBe(target);
    expect(getPriority(tid)).toBe(target);
    expect(getPriority(siblingTid)).toBe(before);
    expect(lowerThisThread(99)).toBe(19); // clamped to the range
    await sibling.terminate();
  });
});
