import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to local mode on loopback, port 8080, ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ authMode: 'local', host: '127.0.0.1', port: 8080 });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it('believes forwarded headers from loopback by default, or from the proxies it is told', () => {
    expect(loadConfig({}).trustProxy).toBe('loopback');
    expect(loadConfig({ MASKROOM_TRUST_PROXY: 'loopback, uniquelocal, 10.1.0.0/16' }).trustProxy).toBe(
      'loopback, uniquelocal, 10.1.0.0/16',
    );
    expect(loadConfig({ MASKROOM_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    for (const bad of ['everyone', '10.0.0.0/33', '300.1.1.1', 'loopback,,', '10.0.0.0/8/1', 'fe80::/129']) {
      expect(() => loadConfig({ MASKROOM_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    }
  });

  it('refuses a non-loopback address in local mode (it has no login)', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '192.0.2.1', MASKROOM_AUTH: 'local' })).toThrow(/loopback/);
  });

  it('allows any address and binds all interfaces by default in accounts mode', () => {
    expect(loadConfig({ MASKROOM_AUTH: 'accounts' }).host).toBe('0.0.0.0');
    expect(loadConfig({ MASKROOM_AUTH: 'accounts', HOST: '192.0.2.1' }).host).toBe('192.0.2.1');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ MASKROOM_AUTH: 'none' }, /MASKROOM_AUTH/],
  ])('names the bad variable: %o', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(pattern);
  });
});
