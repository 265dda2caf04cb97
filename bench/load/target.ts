// Owns what the bench learns about a target before sending any load: that every URL answers and
// is ready (/readyz, its model version), that the API key is accepted, and the ids to ask about:
// item ids from the target itself (GET /demo/model.bin, the try-it page's open model payload), user
// ids from a file (--ids) or from the registry the target serves (--models-dir: the directory
// of the version /readyz names). Every failure is one line that says which URL and what to pass.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TargetInfo {
  urls: string[];
  modelVersion: string;
  users: string[];
  items: string[];
  /** Where the ids came from, for the report. */
  idsFrom: string;
}

export interface DiscoverOptions {
  urls: string[];
  apiKey: string | null;
  idsFile?: string;
  modelsDir?: string;
  needUsers: boolean;
  timeoutMs?: number;
}

/** Checks each URL and returns the model version and ids; throws one line on any problem. */
export async function discover(o: DiscoverOptions): Promise<TargetInfo> {
  const timeoutMs = o.timeoutMs ?? 5000;
  let version = '';
  for (const url of o.urls) {
    const ready = await get(url, '/readyz', null, timeoutMs);
    if (ready.status !== 200) throw new Error(`${url} is not ready: GET /readyz answered ${ready.status} ${ready.text.slice(0, 200)}`);
    const v = String((JSON.parse(ready.text) as { modelVersion?: unknown }).modelVersion ?? '');
    if (version && v !== version) throw new Error(`${url} serves model ${v}, ${o.urls[0]} serves ${version}: point --url at one deployment`);
    version = v;
    const probe = await get(url, '/v1/users/bench-probe/recommendations?k=1', o.apiKey, timeoutMs);
    if (probe.status === 401 || probe.status === 403) {
      throw new Error(
        `${url} refuses ${o.apiKey ? 'the API key' : 'requests without an API key'} (GET /v1/users/…/recommendations answered ${probe.status}): pass the right key with --api-key-file FILE or $RECS_API_KEY`,
      );
    }
    if (probe.status !== 200) throw new Error(`${url}: GET /v1/users/bench-probe/recommendations answered ${probe.status} ${probe.text.slice(0, 200)}`);
  }
  const sources: string[] = [];
  let users: string[] = [];
  let items: string[] = [];
  if (o.idsFile) {
    users = readIds(o.idsFile);
    sources.push(`users from ${o.idsFile}`);
  } else if (o.modelsDir && existsSync(join(o.modelsDir, version, 'user-ids.json'))) {
    users = readIds(join(o.modelsDir, version, 'user-ids.json'));
    items = readIds(join(o.modelsDir, version, 'item-ids.json'));
    sources.push(`users and items from ${join(o.modelsDir, version)}`);
  } else if (o.needUsers) {
    const where = o.modelsDir ? `${o.modelsDir} has no version ${version}` : 'no --models-dir';
    throw new Error(
      `cannot find the user ids of model ${version} that ${o.urls[0]} serves (${where}): pass --ids FILE (one id a line, or that version's user-ids.json) or --models-dir DIR (the registry the server reads)`,
    );
  }
  if (items.length === 0) {
    const payload = await get(o.urls[0]!, '/demo/model.bin', null, 30_000, true);
    if (payload.status !== 200) throw new Error(`${o.urls[0]}: GET /demo/model.bin (the item ids) answered ${payload.status}; pass --models-dir DIR instead`);
    items = payloadItemIds(payload.body);
    sources.push(`items from ${o.urls[0]}/demo/model.bin`);
  }
  return { urls: o.urls, modelVersion: version, users, items, idsFrom: sources.join(', ') };
}

/** Ids from a JSON array file or a text file with one id a line. */
export function readIds(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--ids ${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.trimStart().startsWith('[')) {
    let ids: unknown;
    try {
      ids = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string' && typeof i !== 'number')) throw new Error(`${file}: must be a JSON array of ids`);
    return ids.map(String);
  }
  const ids = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (ids.length === 0) throw new Error(`${file}: no ids in the file`);
  return ids;
}

/** The item ids of a /demo/model.bin payload (ts/model/demo-payload.ts: "RRDM", header, ids string table). */
export function payloadItemIds(buf: Buffer): string[] {
  if (buf.subarray(0, 4).toString('latin1') !== 'RRDM') throw new Error('/demo/model.bin: not a model payload');
  const header = JSON.parse(buf.subarray(12, 12 + buf.readUInt32LE(8)).toString('utf8')) as { sections: { ids: [number, number] } };
  const [at] = header.sections.ids;
  const n = buf.readUInt32LE(at);
  const base = at + 4 + 4 * (n + 1);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(buf.subarray(base + buf.readUInt32LE(at + 4 + 4 * i), base + buf.readUInt32LE(at + 8 + 4 * i)).toString('utf8'));
  return ids;
}

interface Got {
  status: number;
  text: string;
  body: Buffer;
}

async function get(base: string, path: string, apiKey: string | null, timeoutMs: number, binary = false): Promise<Got> {
  try {
    const r = await fetch(base.replace(/\/$/, '') + path, { headers: apiKey ? { 'x-api-key': apiKey } : {}, signal: AbortSignal.timeout(timeoutMs) });
    const body = Buffer.from(await r.arrayBuffer());
    return { status: r.status, body, text: binary ? '' : body.toString('utf8') };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new Error(`cannot reach ${base}: ${why}`);
  }
}
