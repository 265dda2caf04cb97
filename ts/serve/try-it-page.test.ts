// The try-it page as `recs serve` serves it, in headless Chromium (scripts/check-try-it-page.mjs):
// with the WebAssembly engine the picks personalise the top 10; without it (no engine in the
// server's wasm directory) the page still shows the popularity list, says what is missing and how
// to build it, and the server says so in its start-up log.

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, checkTryItPage } from '../../scripts/check-try-it-page.mjs';
import { wasmTestsEnabled } from '../engine/wasm-engines.js';
import { startServer } from './server.js';
import { capturedLogger, fixtureRegistry } from './testing/fixtures.js';

const chromium = existsSync(CHROMIUM);
if (!chromium) console.warn(`try-it page test: SKIPPING: ${CHROMIUM} is missing (apt-get install chromium)`);

async function withServer<T>(o: { wasmDir?: string }, f: (url: string, log: ReturnType<typeof capturedLogger>) => Promise<T>): Promise<T> {
  const log = capturedLogger();
  const server = await startServer({
    modelsDir: fixtureRegistry('v1').root,
    port: 0,
    logger: log.log,
    loadMode: 'inline',
    eventsDb: join(mkdtempSync(join(tmpdir(), 'recs-try-it-')), 'events.sqlite'),
    ...o,
  });
  try {
    return await f(`${server.url}/`, log);
  } finally {
    await server.close();
  }
}

describe.skipIf(!chromium)('the try-it page served by recs serve', () => {
  it('without the WebAssembly engine: the popularity list, a notice saying what is missing and how to build it, and a start-up warning', async () => {
    await withServer({ wasmDir: mkdtempSync(join(tmpdir(), 'recs-no-wasm-')) }, async (url, log) => {
      const warning = log.lines().find((l) => String(l['msg']).startsWith('try-it page without its WebAssembly engine'));
      expect(warning?.['msg']).toMatch(/pnpm build:wasm.*rustc-web cargo-web rust-web-src lld-22/);
      expect(warning?.['missing']).toHaveLength(2);
      const seen = await checkTryItPage(url, { degraded: true });
      expect(seen.notice).toMatch(/Personalisation is off: .*demo\/als(-simd)?\.wasm: HTTP 404 — .*is not built on this server/);
    });
  }, 60_000);

  it.runIf(wasmTestsEnabled())(
    'with the engine: picks personalise the top 10 in the browser',
    async () => {
      await withServer({}, async (url, log) => {
        expect(log.lines().some((l) => String(l['msg']).startsWith('try-it page without'))).toBe(false);
        const seen = await checkTryItPage(url);
        expect(seen.top).toHaveLength(10);
      });
    },
    60_000,
  );
});
