import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './run.js';
import { capture } from './testing.js';

afterEach(() => vi.restoreAllMocks());

describe('recs command line', () => {
  it('lists the commands and explains each one', async () => {
    const c = capture();
    expect(await main(['--help'])).toBe(0);
    expect(c.out()).toMatch(/train\s+fit ALS/);
    expect(await main(['train', '--help'])).toBe(0);
    expect(c.out()).toContain('--regParam X');
  });

  it('rejects unknown commands and bad options with a reason and exit code 2', async () => {
    const c = capture();
    expect(await main(['nope'])).toBe(2);
    expect(c.err()).toContain('unknown command "nope"');
    expect(await main(['train', '--rank', 'ten'])).toBe(2);
    expect(c.err()).toContain('--rank must be a number, got "ten"');
    expect(await main(['train', '--split', 'sideways'])).toBe(2);
    expect(c.err()).toContain('--split must be one of random, stratified, chrono');
    expect(await main(['train', '--bogus'])).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--bogus'/);
    expect(await main(['train', '--explicit', '--solver', 'cg'])).toBe(2);
  });

  it('evaluate scores prediction files with hand-checked values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    writeFileSync(join(dir, 'truth.csv'), 'user,item,rating\n1,a,5\n1,b,3\n2,a,4\n2,c,1\n');
    writeFileSync(join(dir, 'pred.csv'), 'user,item,prediction\n1,a,4.5\n1,c,4\n1,b,2\n2,b,3\n2,a,3.5\n');
    const c = capture();
    expect(await main(['evaluate', '--truth', join(dir, 'truth.csv'), '--predictions', join(dir, 'pred.csv'), '--k', '2', '--json'])).toBe(0);
    const m = JSON.parse(c.out()) as Record<string, number>;
    // Each user's top 2 holds one of their two truth items.
    expect(m.precision_at_k).toBeCloseTo(0.5, 12);
    expect(m.recall_at_k).toBeCloseTo(0.5, 12);
    // Errors 0.5, 1, 0.5 on the joined pairs.
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(m.mae).toBeCloseTo(2 / 3, 12);
  });

  it('names the file and line of a malformed input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-'));
    writeFileSync(join(dir, 'truth.csv'), 'user,item,rating\n1,a,5\n1,b,oops\n');
    writeFileSync(join(dir, 'pred.csv'), 'user,item,prediction\n1,a,4.5\n');
    const c = capture();
    expect(await main(['evaluate', '--truth', join(dir, 'truth.csv'), '--predictions', join(dir, 'pred.csv')])).toBe(1);
    expect(c.err()).toMatch(/truth\.csv:3: bad rating "oops"/);
  });
});
