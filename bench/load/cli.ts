// Owns the stand-alone entry of the target load test, `node dist/bench/load/cli.js --url …`: the
// same as `pnpm bench --url …` without the local A/B harness's imports (autocannon is a dev
// dependency), so it runs from the production image (the k8s/ bench Job). Errors the user can
// fix are one line and exit code 2.

import { targetMain } from './main.js';
import { packageRoot } from '../../ts/util/package-root.js';

const ROOT = packageRoot();

try {
  process.exitCode = await targetMain(process.argv.slice(2), ROOT);
} catch (e) {
  if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
  console.error(`bench: ${e.message}`);
  process.exitCode = 2;
}
