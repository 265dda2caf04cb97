// The registry location scheme: local by default, blob://<container>[/<prefix>], clear errors for
// anything else, and the account taken from the environment.

import { describe, expect, it } from 'vitest';
import { openBlobStore, parseRegistry, registryFromEnv, RegistryConfigError } from './config.js';

describe('registry location', () => {
  it('parses local and blob specs', () => {
    expect(parseRegistry(undefined)).toEqual({ kind: 'local' });
    expect(parseRegistry('local')).toEqual({ kind: 'local' });
    expect(parseRegistry('blob://models')).toEqual({ kind: 'blob', container: 'models', prefix: '' });
    expect(parseRegistry('blob://recs-models/prod/eu/')).toEqual({ kind: 'blob', container: 'recs-models', prefix: 'prod/eu' });
  });

  it('names the source and the problem of a bad spec', () => {
    expect(() => parseRegistry('s3://bucket')).toThrow('--registry must be "local" or "blob://<container>[/<prefix>]"; got "s3://bucket"');
    expect(() => parseRegistry('blob://Models')).toThrow(/"Models" is not a valid blob container name/);
    expect(() => parseRegistry('blob://ab')).toThrow(RegistryConfigError);
    expect(() => parseRegistry('blob://models/a/../b')).toThrow(/may not contain "\." or "\.\." segments/);
    expect(() => registryFromEnv(undefined, { RECS_REGISTRY: 'blob:/x' })).toThrow(/^RECS_REGISTRY must be/);
  });

  it('prefers the flag to RECS_REGISTRY', () => {
    expect(registryFromEnv('local', { RECS_REGISTRY: 'blob://models' })).toEqual({ kind: 'local' });
    expect(registryFromEnv(undefined, { RECS_REGISTRY: 'blob://models/x' })).toEqual({ kind: 'blob', container: 'models', prefix: 'x' });
  });

  it('takes the account from a connection string, else an account URL (Entra ID), else says what is missing', () => {
    const loc = { kind: 'blob', container: 'models', prefix: 'p' } as const;
    const cs = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
    expect(openBlobStore(loc, { AZURE_STORAGE_CONNECTION_STRING: cs }).description).toBe('blob http://127.0.0.1:10000/devstoreaccount1/models/p');
    expect(openBlobStore(loc, { RECS_BLOB_ACCOUNT_URL: 'https://acct.blob.core.windows.net' }).description).toBe('blob https://acct.blob.core.windows.net/models/p');
    expect(() => openBlobStore(loc, { RECS_BLOB_ACCOUNT_URL: 'acct' })).toThrow(/RECS_BLOB_ACCOUNT_URL must be a URL/);
    // a SAS token never reaches a description (they are logged)
    const sas = 'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;SharedAccessSignature=sv=2022-11-02&sp=rwdl&sig=c2VjcmV0';
    expect(openBlobStore(loc, { AZURE_STORAGE_CONNECTION_STRING: sas }).description).toBe('blob http://127.0.0.1:10000/devstoreaccount1/models/p');
    expect(() => openBlobStore(loc, {})).toThrow('a blob registry (blob://models/p) needs AZURE_STORAGE_CONNECTION_STRING or RECS_BLOB_ACCOUNT_URL');
  });
});
