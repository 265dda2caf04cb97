// Owns the storage interface a remote model registry lives in: named objects (a version's files,
// the ACTIVE pointer, HISTORY.json) that can be read, written, listed and deleted, where every
// write can be conditional on the object's ETag. The conditions are what keep two writers from
// losing each other's update: a pointer is replaced only if it is still the one that was read.

export interface StoredObject {
  data: Buffer;
  etag: string;
}

/** Write only if the object still has this ETag, or (ifNoneMatch '*') only if it does not exist. */
export type WriteCondition = { ifMatch: string } | { ifNoneMatch: '*' };

export interface ObjectStore {
  /** Where the objects are, for messages (e.g. "blob https://acct.blob.core.windows.net/models/prod"). */
  readonly description: string;
  /** The object and its ETag, or null when it does not exist. */
  get(name: string): Promise<StoredObject | null>;
  /** The object's ETag alone (a cheap metadata request), or null when it does not exist. */
  etag(name: string): Promise<string | null>;
  /** Writes the object; returns its new ETag. A failed condition throws PreconditionFailedError. */
  put(name: string, data: Buffer, condition?: WriteCondition): Promise<string>;
  /** Uploads a local file (large model files go in parallel blocks). */
  putFile(name: string, path: string, condition?: WriteCondition): Promise<string>;
  /** Downloads the object into a local file; a missing object is an error naming it. */
  getFile(name: string, path: string): Promise<void>;
  /** Names of the objects starting with `prefix`, in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the object; a missing one is not an error. */
  delete(name: string): Promise<void>;
}

/** A conditional write found the object changed (or already existing) since it was read. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}
