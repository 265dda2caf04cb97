// Owns building the "try it" page as static files: the page itself (web/*.html, *.css, *.js),
// the model payload from an artifact (demo/model.bin) and the WASM engine (demo/als-simd.wasm,
// demo/als.wasm), laid out as the page expects, so any static host (or the API server) can
// serve it. `demoFiles` returns them in memory; `writeStaticDemo` writes them to a folder.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { readArtifact, type ModelArtifact } from '../ts/model/artifact.js';
import { encodeDemoPayload, type DemoPayloadOptions } from '../ts/model/demo-payload.js';
import { packageRoot } from '../ts/util/package-root.js';

/** The page's own files, relative to web/ (and to the page's URL). */
export const PAGE_FILES = ['index.html', 'demo.css', 'demo.js', 'payload.js', 'als-wasm.js'] as const;
/** Where the page fetches the payload and the engine (relative to the page). */
export const PAYLOAD_PATH = 'demo/model.bin';
export const WASM_PATHS = { 'demo/als-simd.wasm': 'als-simd.wasm', 'demo/als.wasm': 'als.wasm' } as const;

/** Content types for serving the files. */
export function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.'));
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.wasm': 'application/wasm',
    '.bin': 'application/octet-stream',
  };
  return types[ext] ?? 'application/octet-stream';
}

/** Every file of the static demo by relative path: page, payload for `artifact`, engine. */
export function demoFiles(artifact: ModelArtifact, opts: DemoPayloadOptions = {}): Map<string, Buffer> {
  const root = packageRoot();
  const files = new Map<string, Buffer>();
  for (const name of PAGE_FILES) files.set(name, readFileSync(join(root, 'web', name)));
  files.set(PAYLOAD_PATH, encodeDemoPayload(artifact, opts));
  for (const [path, built] of Object.entries(WASM_PATHS)) {
    const file = join(root, 'native', built);
    if (!existsSync(file)) throw new Error(`build-static: ${file} is missing; run \`pnpm build:wasm\` first`);
    files.set(path, readFileSync(file));
  }
  return files;
}

/** Writes the static demo for the model in `artifactDir` to `outDir` (created if needed). Returns the paths written. */
export function writeStaticDemo(outDir: string, artifactDir: string, opts: DemoPayloadOptions = {}): string[] {
  const written: string[] = [];
  for (const [path, bytes] of demoFiles(readArtifact(artifactDir), opts)) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    written.push(target);
  }
  return written;
}
