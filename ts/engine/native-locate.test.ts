// Tests how native-locate.ts tells glibc from musl: from the diagnostic report's header, read once
// per process and without its network section (which reverse-resolves every open socket's address
// synchronously: seconds of a blocked serving thread when the resolver does not answer, #23).

import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the libc of this process', () => {
  it.runIf(process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64'))(
    'is read from one report without network data, with sockets open, and agrees with the full report',
    async () => {
      const server = createServer(() => {}).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as { port: number };
      const sockets = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<Socket>((resolve) => {
              const s = connect(port, '127.0.0.1', () => resolve(s));
            }),
        ),
      );
      try {
        const report = process.report as NodeJS.ProcessReport & { excludeNetwork?: boolean };
        // the independent reference: the full report, network section and all
        const full = report.getReport() as { header: { glibcVersionRuntime?: string }; libuv: { type: string; remoteEndpoint?: unknown }[] };
        expect(full.libuv.filter((h) => h.type === 'tcp' && h.remoteEndpoint).length).toBeGreaterThanOrEqual(3);
        const before = report.excludeNetwork;
        const networkAtCall: (boolean | undefined)[] = [];
        const real = report.getReport.bind(report);
        vi.spyOn(report, 'getReport').mockImplementation((...args: Parameters<typeof report.getReport>) => {
          networkAtCall.push(report.excludeNetwork);
          return real(...args);
        });
        vi.resetModules(); // a fresh module: nothing cached yet
        const { platformName } = await import('./native-locate.js');
        const expected = `linux-${process.arch}-${full.header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
        expect([platformName('linux', process.arch), platformName('linux', process.arch)]).toEqual([expected, expected]);
        expect(networkAtCall, 'one report, its network section excluded').toEqual([true]);
        expect(report.excludeNetwork, 'the setting is restored').toBe(before);
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
      }
    },
  );
});
