// Owns turning a scenario into requests: which mix entry each arrival is (by weight), which user
// (Zipf over the target's known users, or an unknown one) and item, and the exact bytes of the
// HTTP/1.1 request, so the generator's hot loop only writes a buffer. `prepare(n)` builds the next
// n requests before the measured window (the same sequence `next` would build then), so sending
// them allocates nothing. Events carry unique ids (run id + sequence), so the target stores each
// once; "new users" are ids no model has seen.

import { Rng } from '../../ts/data/random.js';
import { zipfSampler } from '../serve/urls.js';
import type { MixEntry, Scenario } from './scenario.js';

export interface TrafficIds {
  users: readonly string[];
  items: readonly string[];
}

export interface TrafficOptions {
  host: string;
  apiKey: string | null;
  /** Distinguishes this run's event ids and new users from every other run's. */
  runId: string;
  seed: number;
}

export class Traffic {
  private readonly rng: Rng;
  private readonly cumulative: number[];
  private readonly user: () => number;
  private readonly item: () => number;
  private readonly head: string;
  private seq = 0;
  /** Requests built ahead by `prepare`: their mix entries and bytes, taken from `taken` on. */
  private aheadEntries = new Int32Array(0);
  private aheadBytes: Array<Buffer | undefined> = [];
  private taken = 0;
  /** The mix entry of the request `next` took. */
  entry = 0;
  /** The bytes of the request `next` took. */
  bytes: Buffer = Buffer.alloc(0);

  constructor(
    private readonly scenario: Scenario,
    private readonly ids: TrafficIds,
    private readonly o: TrafficOptions,
  ) {
    this.rng = new Rng(o.seed);
    let acc = 0;
    this.cumulative = scenario.mix.map((m) => (acc += m.weight));
    const needsUsers = scenario.users.unknownShare < 1 && scenario.mix.some((m) => m.request !== 'similar');
    if (needsUsers && ids.users.length === 0) throw new Error('no known user ids to draw from');
    if (scenario.mix.some((m) => m.request !== 'recommendations') && ids.items.length === 0) throw new Error('no item ids to draw from');
    this.user = ids.users.length > 0 ? zipfSampler(ids.users.length, scenario.users.zipf, this.rng) : () => -1;
    // items: popular items are asked about (and interacted with) more, like users
    this.item = ids.items.length > 0 ? zipfSampler(ids.items.length, 1, this.rng) : () => -1;
    this.head = `Host: ${o.host}\r\n${o.apiKey ? `x-api-key: ${o.apiKey}\r\n` : ''}`;
  }

  /** Builds the next `n` requests now; call it once, before the first `next`. */
  prepare(n: number): void {
    this.aheadEntries = new Int32Array(n);
    this.aheadBytes = new Array<Buffer | undefined>(n);
    for (let i = 0; i < n; i++) {
      this.build();
      this.aheadEntries[i] = this.entry;
      this.aheadBytes[i] = this.bytes;
    }
    this.taken = 0;
  }

  /** Takes the next request into `entry` and `bytes`: one built ahead, else built now. */
  next(): void {
    if (this.taken < this.aheadBytes.length) {
      this.entry = this.aheadEntries[this.taken]!;
      this.bytes = this.aheadBytes[this.taken]!;
      this.aheadBytes[this.taken++] = undefined; // sent: the generator holds it no longer
      return;
    }
    this.build();
  }

  private build(): void {
    const x = this.rng.nextFloat() * this.cumulative.at(-1)!;
    let entry = this.cumulative.findIndex((c) => x < c);
    if (entry < 0) entry = this.cumulative.length - 1;
    this.entry = entry;
    this.bytes = this.buildBytes(this.scenario.mix[entry]!);
  }

  private knownOrUnknownUser(): string {
    if (this.ids.users.length === 0 || this.rng.nextFloat() < this.scenario.users.unknownShare) return `unknown-${this.o.runId}-${this.rng.nextUint32().toString(36)}`;
    return this.ids.users[this.user()]!;
  }

  private buildBytes(m: MixEntry): Buffer {
    switch (m.request) {
      case 'recommendations':
        return this.get(`/v1/users/${encodeURIComponent(this.knownOrUnknownUser())}/recommendations?k=${m.k}${m.where === undefined ? '' : `&where=${encodeURIComponent(m.where)}`}`);
      case 'similar':
        return this.get(`/v1/items/${encodeURIComponent(this.ids.items[this.item()]!)}/similar?k=${m.k}`);
      case 'events': {
        const events = [];
        // a batch is one user's session: several items, one user
        const userId = this.rng.nextFloat() < m.newUserShare ? `new-${this.o.runId}-${this.rng.nextUint32().toString(36)}` : this.knownOrUnknownUser();
        for (let i = 0; i < m.batch; i++) {
          const e: Record<string, unknown> = { eventId: `bench-${this.o.runId}-${(this.seq++).toString(36)}`, userId, itemId: this.ids.items[this.item()]!, type: m.type };
          if (m.type === 'rating') e['value'] = 1 + this.rng.nextInt(5);
          events.push(e);
        }
        const body = Buffer.from(JSON.stringify(m.batch === 1 ? events[0] : events));
        return Buffer.concat([Buffer.from(`POST /v1/events HTTP/1.1\r\n${this.head}content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`), body]);
      }
    }
  }

  private get(path: string): Buffer {
    return Buffer.from(`GET ${path} HTTP/1.1\r\n${this.head}\r\n`);
  }
}
