// A thread's own nice value: set for the calling thread only (its siblings keep theirs), read back
// from the kernel.

import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThread, nameThisThread, threadId } from './thread-nice.js';

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

describe.runIf(process.platform === 'linux')('nameThisThread', () => {
  it('names the calling thread, as the kernel shows it (15 bytes kept)', () => {
    const comm = () => readFileSync('/proc/thread-self/comm', 'utf8').trim();
    const before = comm();
    nameThisThread('recs-a-long-thread-name');
    expect(comm()).toBe('recs-a-long-thr');
    nameThisThread(before);
    expect(comm()).toBe(before);
  });
});
