import { describe, expect, it } from 'vitest';
import { loadUws, UwsLoadError } from './uws.js';

describe('loadUws', () => {
  it('fails loudly, naming the platform and the pinned build, when the native module does not load', () => {
    const broken = () => {
      throw new Error('libc.so.6: version `GLIBC_2.38` not found');
    };
    expect(() => loadUws(broken)).toThrow(UwsLoadError);
    expect(() => loadUws(broken)).toThrow(new RegExp(`native module for ${process.platform}-${process.arch}.*@based/uws 6\\.0\\.1[\\s\\S]*GLIBC_2\\.38`));
    expect(() => loadUws(() => ({}))).toThrow(/has no App\(\)/);
  });

  it('loads the pinned build', () => {
    const uws = loadUws();
    expect(typeof uws.App).toBe('function');
    expect(typeof uws.us_listen_socket_close).toBe('function');
  });
});
