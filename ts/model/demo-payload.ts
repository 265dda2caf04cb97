// Owns the "try it" page's model payload: one compact binary file with what the browser needs to
// personalise on its own (item ids, titles, genres, popularity order, item factors, fold-in
// parameters), encoded from a model artifact. The browser decodes it with web/payload.js.
//
// Layout (little-endian): "RRDM", u32 layout version (1), u32 header length, the header (UTF-8
// JSON, space-padded to a multiple of 4), then the sections the header lists as [offset, bytes]
// (4-byte aligned):
//   ids, titles  string tables: u32 count, u32 offsets[count + 1] into the UTF-8 bytes that follow
//   genres       u32 per item: bit g set when the item has header.genres[g] (first 32 genres)
//   popularity   u32 item indices, most popular first
//   factors      nItems × rank item factors, f32 or f16 (header.factors)
// header.abiParams holds the fold-in parameters already in the WASM module's flat encoding.

import type { AlsParams } from '../engine/types.js';
import { PARAM_ORDER } from '../engine/wasm-abi.js';
import { readParams } from '../engine/wasm-params.js';
import type { ModelArtifact } from './artifact.js';

export const DEMO_PAYLOAD_FORMAT = 'realtime-recs/demo@1';
const MAGIC = 'RRDM';
const LAYOUT = 1;
const MAX_GENRES = 32;

export interface DemoPayloadOptions {
  /** Item factors as f32 (exact, default) or f16 (half the bytes; rankings agree but for near-ties). */
  factors?: 'f32' | 'f16';
  /** The value a pick stands for in fold-in (default: likeValueFor(params)). */
  likeValue?: number;
}

export interface DemoPayloadHeader {
  format: typeof DEMO_PAYLOAD_FORMAT;
  model: { version: string; createdAt: string; source: string };
  rank: number;
  nItems: number;
  factors: 'f32' | 'f16';
  /** Fold-in parameters (engine names). */
  params: Partial<AlsParams>;
  /** The same, in the WASM module's flat f64 encoding (ts/engine/wasm-abi.ts PARAM_ORDER). */
  abiParams: number[];
  likeValue: number;
  genres: string[];
  /** The algorithm that fitted the model (rank 0: no factors, the page shows the popularity list). */
  algorithm: string;
  sections: Record<'ids' | 'titles' | 'genres' | 'popularity' | 'factors', [number, number]>;
}

/** The training parameters that matter to fold-in, from a manifest's params (rank from the artifact). */
export function foldInParams(params: Record<string, unknown>, rank: number): Partial<AlsParams> {
  const keys = ['regParam', 'implicitPrefs', 'alpha', 'nonnegative', 'regScaling', 'confidence', 'confidenceEpsilon'] as const;
  const out: Record<string, unknown> = { rank };
  for (const k of keys) if (params[k] !== undefined && (PARAM_ORDER as readonly string[]).includes(k)) out[k] = params[k];
  return out as Partial<AlsParams>;
}

/** What "I like this" is worth: a top rating (5) when the model trained on rating values, else 1. */
export function likeValueFor(params: Record<string, unknown>): number {
  const feedback = typeof params.feedback === 'string' ? params.feedback : 'value';
  return params.implicitPrefs === true && feedback !== 'value' ? 1 : 5;
}

function stringTable(strings: string[]): Uint8Array {
  const bytes = strings.map((s) => new TextEncoder().encode(s));
  const total = bytes.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(4 * (strings.length + 2) + total);
  const view = new DataView(out.buffer);
  view.setUint32(0, strings.length, true);
  let at = 0;
  bytes.forEach((b, i) => {
    view.setUint32(4 * (i + 1), at, true);
    out.set(b, 4 * (strings.length + 2) + at);
    at += b.length;
  });
  view.setUint32(4 * (strings.length + 1), at, true);
  return out;
}

/** float32 → IEEE half bits, rounding to nearest even (overflow → ±Infinity, tiny → subnormal/0). */
export function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const b = new Uint32Array(f.buffer)[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** The payload for `artifact` (see the layout above). */
export function encodeDemoPayload(artifact: ModelArtifact, opts: DemoPayloadOptions = {}): Buffer {
  const { manifest, rank, itemIds } = artifact;
  const nItems = itemIds.length;
  const titles = itemIds.map((id, i) => artifact.items?.titles[i] ?? id);
  const genres: string[] = [];
  const masks = new Uint32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    for (const g of artifact.items?.genres[i] ?? []) {
      if (!genres.includes(g) && genres.length < MAX_GENRES) genres.push(g);
      const bit = genres.indexOf(g);
      if (bit >= 0) masks[i] = ((masks[i] as number) | (1 << bit)) >>> 0;
    }
  }
  const kind = opts.factors ?? 'f32';
  const factors = kind === 'f32' ? artifact.itemFactors.slice() : Uint16Array.from(artifact.itemFactors, toHalf);
  // Without factors (rank 0) there is nothing for the page's engine to fold in against.
  const params = rank > 0 ? foldInParams(manifest.params, rank) : {};
  const sections: [keyof DemoPayloadHeader['sections'], Uint8Array][] = [
    ['ids', stringTable(itemIds)],
    ['titles', stringTable(titles)],
    ['genres', new Uint8Array(masks.buffer)],
    ['popularity', new Uint8Array(artifact.popularity.items.slice().buffer)],
    ['factors', new Uint8Array(factors.buffer, factors.byteOffset, factors.byteLength)],
  ];
  const header: Omit<DemoPayloadHeader, 'sections'> = {
    format: DEMO_PAYLOAD_FORMAT,
    model: { version: manifest.version, createdAt: manifest.createdAt, source: String(manifest.data.source) },
    rank,
    nItems,
    factors: kind,
    params,
    abiParams: rank > 0 ? Array.from(readParams(params, 'params')) : [],
    likeValue: opts.likeValue ?? likeValueFor(manifest.params),
    genres,
    algorithm: manifest.algorithm ?? 'als',
  };
  // Offsets depend on the header's length, which depends on the offsets: place the sections
  // after a header measured with generous placeholder offsets, then pad the real header.
  const placeholder = JSON.stringify({ ...header, sections: Object.fromEntries(sections.map(([n]) => [n, [1e12, 1e12]])) });
  const start = align4(12 + new TextEncoder().encode(placeholder).length);
  let at = start;
  const placed = Object.fromEntries(
    sections.map(([name, bytes]) => {
      const entry: [number, number] = [at, bytes.length];
      at = align4(at + bytes.length);
      return [name, entry];
    }),
  ) as DemoPayloadHeader['sections'];
  const json = new TextEncoder().encode(JSON.stringify({ ...header, sections: placed }));
  const out = Buffer.alloc(at);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(LAYOUT, 4);
  out.writeUInt32LE(start - 12, 8);
  out.fill(0x20, 12, start);
  out.set(json, 12);
  for (const [name, bytes] of sections) out.set(bytes, placed[name][0]);
  return out;
}

const align4 = (n: number) => (n + 3) & ~3;
