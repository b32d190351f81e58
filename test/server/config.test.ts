import path from 'node:path';
import { loadConfig } from '../../server/config';
import { main } from '../../server/main';

describe('configuration', () => {
  test('defaults need no variable and hold no secret', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', logLevel: 'info', nodeEnv: 'production', trustProxy: false });
    expect(config.databasePath).toBe(path.resolve('data/tally.db'));
    expect(config.sessionSecret).toBeUndefined();
  });

  test.each([
    [{ PORT: 'abc' }, 'Invalid PORT: must be a whole number between 1 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'Invalid PORT: must be a whole number between 1 and 65535 (got "70000")'],
    [{ LOG_LEVEL: 'loud' }, 'Invalid LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'Invalid NODE_ENV'],
    [{ TRUST_PROXY: 'maybe' }, 'Invalid TRUST_PROXY'],
    [{ TRUST_PROXY: 'true' }, 'Invalid TRUST_PROXY: true would let any client choose its own address through X-Forwarded-For: must be false, the number of proxies in front of Tally (e.g. 1), or their addresses/subnets (e.g. loopback or 10.0.0.0/8) (got "true")'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'Invalid TRUST_PROXY'],
    [{ TRUST_PROXY: '999.1.1.1' }, 'Invalid TRUST_PROXY'],
    [{ TRUST_PROXY: 'loopback, *' }, 'Invalid TRUST_PROXY'],
    [{ SESSION_SECRET: 'short' }, 'Invalid SESSION_SECRET: must be at least 32 characters long (got (hidden))'],
    [{ ADMIN_PASSWORD: 'short' }, 'Invalid ADMIN_PASSWORD'],
  ])('%j is refused with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('TRUST_PROXY takes a hop count or proxy addresses and subnets, never true', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback,10.0.0.0/8');
    expect(loadConfig({ TRUST_PROXY: '192.168.1.10, fd00::/8' }).trustProxy).toBe('192.168.1.10,fd00::/8');
  });

  test('a bad PORT stops start-up with a one-line message naming it', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    const exit = jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
      throw new Error(`exit ${String(code)}`);
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => main()).toThrow('exit 1');
      expect(stderr).toHaveBeenCalledTimes(1);
      expect(stderr).toHaveBeenCalledWith('Tally cannot start. Invalid PORT: must be a whole number between 1 and 65535 (got "not-a-port")\n');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});
