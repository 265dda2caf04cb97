// Builds the Rust N-API addon (release, LTO) and copies it to native/als.node.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cargo = process.env.CARGO ?? 'cargo';
const result = spawnSync(cargo, ['build', '--release', '-p', 'als-node'], { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`build-native: could not run "${cargo}": ${result.error.message}. Install Rust (stable) and retry.`);
  process.exit(1);
}
if (result.status !== 0) process.exit(result.status ?? 1);

const ext = process.platform === 'darwin' ? 'dylib' : process.platform === 'win32' ? 'dll' : 'so';
const prefix = process.platform === 'win32' ? '' : 'lib';
const built = join(root, 'target', 'release', `${prefix}als_node.${ext}`);
if (!existsSync(built)) {
  console.error(`build-native: cargo succeeded but ${built} is missing.`);
  process.exit(1);
}
mkdirSync(join(root, 'native'), { recursive: true });
copyFileSync(built, join(root, 'native', 'als.node'));
console.log(`build-native: native/als.node <- ${built}`);
