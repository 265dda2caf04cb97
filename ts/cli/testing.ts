// Owns what the command tests share: the console output of a command run in process, captured
// (console.log and console.error spied on; vi.restoreAllMocks() after each test puts them back).

import { vi } from 'vitest';

export interface CapturedConsole {
  out(): string;
  err(): string;
  /** Forgets what was captured so far. */
  clear(): void;
}

export function capture(): CapturedConsole {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  return {
    out: () => out.join('\n'),
    err: () => err.join('\n'),
    clear: () => {
      out.length = 0;
      err.length = 0;
    },
  };
}
