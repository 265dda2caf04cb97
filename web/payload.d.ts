// Types of web/payload.js (a plain ES module for the browser), for TypeScript callers and tests.

export interface DecodedDemoPayload {
  header: import('../ts/model/demo-payload.js').DemoPayloadHeader;
  rank: number;
  nItems: number;
  ids: string[];
  titles: string[];
  genres: string[][];
  /** Item indices, most popular first. */
  popularity: Uint32Array;
  /** nItems × rank. */
  itemFactors: Float32Array;
  /** Fold-in parameters in the WASM module's flat encoding. */
  abiParams: Float64Array;
  likeValue: number;
}

export function decodeDemoPayload(bytes: Uint8Array): DecodedDemoPayload;
