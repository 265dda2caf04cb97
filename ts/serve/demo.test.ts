// The "try it" page through the real server: the page, its engine and the model payload, open
// without an API key even when the API needs one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { capturedLogger, fixtureRegistry } from './testing/fixtures.js';

let server: RunningServer;
const logs = capturedLogger();

beforeAll(async () => {
  server = await startServer({ modelsDir: fixtureRegistry('v1').root, port: 0, logger: logs.log, loadMode: 'inline', apiKeys: 'a-very-secret-key-1234' });
});
afterAll(() => server.close());

describe('try-it page', () => {
  it('serves the page and its script without a key', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+demo\.js/);
    const js = await fetch(`${server.url}/demo.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves the active model as a compact payload naming its version', async () => {
    const r = await fetch(`${server.url}/demo/model.bin`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-model-version')).toBe('v1');
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(16);
    expect(Buffer.from(bytes).toString('latin1')).toContain('"version":"v1"');
  });

  it('keeps the API itself behind the key', async () => {
    expect((await fetch(`${server.url}/v1/users/u1/recommendations`)).status).toBe(401);
  });
});
