// Owns the check that the code keeps the layering README.md states ("Layers"): it reads every
// import of ts/, web/ and bench/ (TypeScript's own pre-parser, so comments and strings are not
// mistaken for imports) and fails on an import that points up or sideways between layers, or on
// any import cycle between files, naming each offending file:line.
//
// Test files (*.test.ts) may import from any layer (an end-to-end test of the engine may use a
// MovieLens loader); they are checked for nothing else. Every other file, test helpers under
// testing/ included, must follow the rules.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './util/package-root.js';

/**
 * The layers, bottom first: a folder may import its own files and any folder of a lower layer;
 * folders of one layer do not import each other. Keep in step with README.md's chain.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['ts/util', 'ts/options'],
  ['ts/engine', 'ts/data'],
  ['ts/store'],
  ['ts/events', 'ts/eval'],
  ['ts/model'],
  ['web'],
  ['ts/serve'],
  ['ts/cli'],
  ['bench', 'ts/deploy'],
];

const ROOT = packageRoot();
const SOURCE = /\.(ts|mts|js|mjs)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(path, out);
    } else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

interface Import {
  from: string;
  line: number;
  /** Repository-relative path of the imported file (a relative specifier, resolved). */
  to: string;
}

/** The relative imports of `file` (static, dynamic with a literal, re-exports). */
function importsOf(file: string, known: ReadonlySet<string>): Import[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  const out: Import[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const base = join(dirname(file), ref.fileName);
    const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
    const to = candidates.find((c) => known.has(c)) ?? base;
    out.push({ from: file, line: lineOf(ref.pos), to });
  }
  return out;
}

/** The layer folder a repository path belongs to ('' when none: scripts/, files at the root). */
function folderOf(path: string): string {
  for (const layer of LAYERS) for (const f of layer) if (path === f || path.startsWith(`${f}/`)) return f;
  return '';
}

function levelOf(folder: string): number {
  return LAYERS.findIndex((l) => l.includes(folder));
}

const files = ['ts', 'web', 'bench'].flatMap((d) => walk(d));
const known = new Set(files);
const isTest = (f: string) => /\.test\.(ts|mts)$/.test(f);
const imports = files.flatMap((f) => importsOf(f, known));

describe('layers', () => {
  it('every source folder has a layer', () => {
    const unplaced = [...new Set(files.filter((f) => !isTest(f) && folderOf(f) === '' && f.includes('/')).map((f) => dirname(f)))];
    expect(unplaced, "folders missing from LAYERS (and from README.md's chain)").toEqual([]);
  });

  it('no import points up or sideways', () => {
    const bad: string[] = [];
    for (const i of imports) {
      if (isTest(i.from)) continue;
      const a = folderOf(i.from);
      const b = folderOf(i.to);
      if (a === b) continue;
      if (b === '') {
        if (known.has(i.to)) bad.push(`${i.from}:${i.line}: imports ${i.to}, which is in no layer`);
        continue; // scripts/*.mjs and the like: outside the layers, checked by their own tests
      }
      if (levelOf(b) >= levelOf(a)) {
        const how = levelOf(b) === levelOf(a) ? 'a folder of the same layer' : 'a higher layer';
        bad.push(`${i.from}:${i.line}: ${a} imports ${b} (${how}): ${i.to}`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('no import cycle between files', () => {
    const edges = new Map<string, Import[]>();
    for (const i of imports) if (!isTest(i.from) && known.has(i.to)) (edges.get(i.from) ?? edges.set(i.from, []).get(i.from)!).push(i);
    // Tarjan's strongly connected components: any component of two or more files is a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let n = 0;
    const visit = (v: string): void => {
      index.set(v, n);
      low.set(v, n++);
      stack.push(v);
      onStack.add(v);
      for (const { to } of edges.get(v) ?? []) {
        if (!index.has(to)) {
          visit(to);
          low.set(v, Math.min(low.get(v)!, low.get(to)!));
        } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!));
      }
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1) cycles.push(scc);
      }
    };
    for (const f of files) if (!isTest(f) && !index.has(f)) visit(f);
    const described = cycles.map((scc) => {
      const inside = new Set(scc);
      const lines = scc.flatMap((f) => (edges.get(f) ?? []).filter((i) => inside.has(i.to)).map((i) => `  ${i.from}:${i.line} → ${i.to}`));
      return `cycle of ${scc.length} files:\n${lines.join('\n')}`;
    });
    expect(described, described.join('\n')).toEqual([]);
  });

  it('reads the imports it checks (a known upward-free import is seen)', () => {
    // guards the checker itself: if resolution broke, every other test here would pass vacuously
    const seen = imports.find((i) => i.from === 'ts/serve/routes/openapi.ts' && i.to === 'ts/util/package-root.ts');
    expect(seen?.line).toBeGreaterThan(1);
    expect(relative(ROOT, join(ROOT, seen!.to))).toBe('ts/util/package-root.ts');
  });
});
