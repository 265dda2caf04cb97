// Owns the Azure Blob Storage implementation of the registry's object store: the objects are
// block blobs named <prefix>/<name> in one container, authenticated with a connection string
// (account key or SAS — Azurite in the tests) or with Entra ID (DefaultAzureCredential: workload
// identity on AKS, managed identity, az login) against an account URL. ETag conditions map to
// the blob service's If-Match / If-None-Match headers. The container is created on the first
// write when missing, so a read-only pod never needs the right to create it.

import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, RestError, type BlobRequestConditions, type ContainerClient } from '@azure/storage-blob';
import { PreconditionFailedError, type ObjectStore, type StoredObject, type WriteCondition } from './object-store.js';

export type BlobAuth = { connectionString: string } | { accountUrl: string };

export interface BlobStoreOptions {
  auth: BlobAuth;
  container: string;
  /** Folder inside the container ('' for its root). */
  prefix: string;
}

/** Files at least this large are uploaded in parallel blocks. */
const BLOCK_BYTES = 8 * 1024 * 1024;

export class BlobObjectStore implements ObjectStore {
  readonly description: string;
  private readonly container: ContainerClient;
  private readonly prefix: string;
  private containerReady = false;

  constructor(o: BlobStoreOptions) {
    const service = 'connectionString' in o.auth ? BlobServiceClient.fromConnectionString(o.auth.connectionString) : new BlobServiceClient(o.auth.accountUrl, new DefaultAzureCredential());
    this.container = service.getContainerClient(o.container);
    this.prefix = o.prefix.replace(/^\/+|\/+$/g, '');
    // Without the query: a SAS connection string puts its token there, and descriptions are logged.
    const url = new URL(this.container.url);
    this.description = `blob ${url.origin}${url.pathname}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  private blobName(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private where(name: string): string {
    return `${this.description}/${name}`;
  }

  async get(name: string): Promise<StoredObject | null> {
    try {
      const blob = this.container.getBlobClient(this.blobName(name));
      const r = await blob.download();
      const data = await collect(r.readableStreamBody!);
      return { data, etag: r.etag! };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.error(e, `reading ${this.where(name)}`);
    }
  }

  async etag(name: string): Promise<string | null> {
    try {
      return (await this.container.getBlobClient(this.blobName(name)).getProperties()).etag!;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw this.error(e, `reading the properties of ${this.where(name)}`);
    }
  }

  put(name: string, data: Buffer, condition?: WriteCondition): Promise<string> {
    return this.writing(name, condition, async (conditions) => {
      const r = await this.container.getBlockBlobClient(this.blobName(name)).upload(data, data.length, { conditions });
      return r.etag!;
    });
  }

  putFile(name: string, path: string, condition?: WriteCondition): Promise<string> {
    return this.writing(name, condition, async (conditions) => {
      const r = await this.container.getBlockBlobClient(this.blobName(name)).uploadFile(path, { conditions, blockSize: BLOCK_BYTES, concurrency: 4 });
      return r.etag!;
    });
  }

  async getFile(name: string, path: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.blobName(name)).downloadToFile(path);
    } catch (e) {
      if (isNotFound(e)) throw new Error(`${this.where(name)} does not exist`);
      throw this.error(e, `downloading ${this.where(name)}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: this.blobName(prefix) })) names.push(b.name.slice(strip));
    } catch (e) {
      if (isNotFound(e)) return []; // no container yet: an empty registry
      throw this.error(e, `listing ${this.where(prefix)}`);
    }
    return names;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.container.getBlobClient(this.blobName(name)).deleteIfExists();
    } catch (e) {
      if (isNotFound(e)) return;
      throw this.error(e, `deleting ${this.where(name)}`);
    }
  }

  /** Runs a write with the condition as request headers, creating the container once if needed. */
  private async writing(name: string, condition: WriteCondition | undefined, write: (c: BlobRequestConditions) => Promise<string>): Promise<string> {
    const conditions: BlobRequestConditions = condition === undefined ? {} : 'ifMatch' in condition ? { ifMatch: condition.ifMatch } : { ifNoneMatch: '*' };
    if (!this.containerReady) {
      try {
        await this.container.createIfNotExists();
      } catch (e) {
        throw this.error(e, `creating the container of ${this.description}`);
      }
      this.containerReady = true;
    }
    try {
      return await write(conditions);
    } catch (e) {
      if (e instanceof RestError && (e.statusCode === 412 || (e.statusCode === 409 && 'ifNoneMatch' in conditions))) {
        throw new PreconditionFailedError(`${this.where(name)} changed since it was read (${'ifMatch' in conditions ? `ETag ${conditions.ifMatch} no longer matches` : 'it already exists'})`);
      }
      throw this.error(e, `writing ${this.where(name)}`);
    }
  }

  private error(e: unknown, what: string): Error {
    const detail = e instanceof RestError ? `${e.statusCode ?? ''} ${e.code ?? ''} ${e.message.split('\n')[0]}`.trim() : (e as Error).message;
    return new Error(`${what} failed: ${detail}`, { cause: e });
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof RestError && e.statusCode === 404;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
