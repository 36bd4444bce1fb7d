import { describe, expect, it } from 'vitest';
import { ConfigError, databaseTarget, loadConfig } from '../../platform/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.WORKER_QUEUES).toEqual(['transcode', 'dispatch', 'maintenance']);
    expect(databaseTarget(config)).toEqual({ kind: 'pglite', dataDir: `${config.dataDir}/pglite` });
  });

  it('uses a PostgreSQL server when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://loa:pw@db:5432/loa' });
    expect(databaseTarget(config)).toEqual({ kind: 'postgres', url: 'postgres://loa:pw@db:5432/loa' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'abc', /port number/],
    ['PORT', '70000', /port number/],
    ['DATABASE_URL', 'mysql://x/y', /postgres:\/\//],
    ['REDIS_URL', 'http://localhost', /redis:\/\//],
    ['LOG_LEVEL', 'loud', /Invalid option/],
    ['WORKER_QUEUES', 'transcode,bogus', /Invalid option/],
    ['LOA_DEMO_PASSWORD', 'short', /at least 8/],
    ['LOA_SEED_DEMO', 'maybe', /Invalid option/],
    ['LOA_FFMPEG_NICE', 'high', /whole number from 0 to 19/],
    ['LOA_FFMPEG_NICE', '25', /whole number from 0 to 19/],
  ])('names the bad variable %s=%s', (variable, value, message) => {
    const error = configError({ [variable]: value });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.variable).toBe(variable);
    expect(error.issues[0]?.message).toMatch(message);
    expect(error.message).toContain(`${variable}:`);
    expect(error.message).toContain(`(got "${value}")`);
  });

  it('reports every bad variable at once', () => {
    const error = configError({ PORT: '0', REDIS_URL: 'nope' });
    expect(error.issues.map((i) => i.variable).sort()).toEqual(['PORT', 'REDIS_URL']);
  });
});
