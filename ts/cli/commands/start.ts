// The `start` command, the main job on a fresh machine: train the default model when the
// registry has no active one (MovieLens 100K; the built-in synthetic set when MovieLens cannot be
// downloaded), then serve it on the embedded store and print a request to paste.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DownloadError } from '../../data/index.js';
import { LocalRegistry } from '../../model/registry.js';
import { closeOnSignals, startServer } from '../../serve/index.js';
import { flag, group, num, text } from '../../options/index.js';
import { defineCommand } from '../command.js';
import { modelsDirOption } from '../option-groups.js';
import { trainCommand } from './train.js';

export const startCommand = defineCommand({
  name: 'start',
  summary: 'the main job: train the default model when none is active, then serve it',
  about: 'recs start — train the default model if none is active, then serve it.',
  groups: [
    group('Options', {
      'models-dir': modelsDirOption(),
      port: num({ metavar: 'N', integer: true, min: 0, max: 65535, env: 'PORT', default: 8080, help: 'TCP port' }),
      host: text({ metavar: 'HOST', default: '127.0.0.1', help: 'address to listen on (127.0.0.1: this machine only)' }),
      offline: flag({ help: 'do not try to download MovieLens; train on the built-in synthetic set' }),
    }),
  ],
  notes: `The first run trains implicit ALS on MovieLens 100K (downloaded from GroupLens and cached). When the
download is impossible it says why and trains on the synthetic set instead. Later runs serve the
active model straight away. Stop with Ctrl-C (graceful: in-flight requests finish).`,
  async run(values) {
    const { 'models-dir': modelsDir, port } = values;
    const registry = new LocalRegistry(modelsDir);
    if (registry.activeVersion() === null) {
      console.error(`recs start: no active model in ${modelsDir}; training the default model first.`);
      const synthetic = ['--dataset', 'synthetic', '--models-dir', modelsDir];
      if (values.offline) {
        await trainCommand.run(synthetic);
      } else {
        try {
          await trainCommand.run(['--models-dir', modelsDir]);
        } catch (e) {
          if (!(e instanceof DownloadError)) throw e;
          console.error(`\nrecs start: MovieLens 100K could not be downloaded (${e.message}).\nTraining on the built-in synthetic set instead; train on MovieLens later with "pnpm train".\n`);
          await trainCommand.run(synthetic);
        }
      }
    }
    const server = await startServer({ modelsDir, host: values.host, port });
    const version = server.modelVersion();
    const user = version ? firstUser(join(modelsDir, version)) : '1';
    console.log(`\nrecs start: serving model ${version} on ${server.url}. Try:\n\n  curl '${server.url}/v1/users/${encodeURIComponent(user)}/recommendations?k=10'\n\nCtrl-C stops.`);
    return new Promise<number>((resolve) => {
      closeOnSignals(server, {
        deadlineMs: 10_000,
        exit: (code) => {
          resolve(code);
          setTimeout(() => process.exit(code), 1000).unref();
        },
      });
    });
  },
});

function firstUser(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'user-ids.json'), 'utf8')) as string[])[0] ?? '1';
  } catch {
    return '1';
  }
}
