// Owns where a replica's next read of "events received since" starts: from the serving model's
// creation (events before it are in it, when it was trained from this store), then from the latest
// receivedAt read, less a margin (an event received earlier may commit later, and other replicas'
// clocks may lag); events read twice count once (the item fold-in keeps them by eventId).

/** Default margin, ms: commits in flight and replicas' clock skew. */
export const RECEIVED_MARGIN_MS = 5000;

export class ReceivedCursor {
  private latest = -Infinity;
  private from = -Infinity;

  constructor(private readonly marginMs: number) {}

  /** Reads start again from `createdAt` (ms, a model's creation) less the margin. */
  start(createdAt: number): void {
    this.from = Number.isFinite(createdAt) ? createdAt - this.marginMs : 0;
    this.latest = -Infinity;
  }

  /** Where the next read starts (ms). */
  get since(): number {
    return Math.max(this.from, Number.isFinite(this.latest) ? this.latest - this.marginMs : -Infinity, 0);
  }

  /** Notes what a read returned (its latest receivedAt), and gives it back. */
  took<T extends { receivedAt: number }>(events: T[]): T[] {
    for (const e of events) this.saw(e.receivedAt);
    return events;
  }

  /** Notes that a read went past every event received up to `receivedAt` (ms), those it left out included. */
  saw(receivedAt: number): void {
    if (receivedAt > this.latest) this.latest = receivedAt;
  }
}
