import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../kernel/config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database and the documented audience', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.audience).toBe('liaison-gateway');
    expect(config.port).toBe(4000);
    expect(config.maxUploadBytes).toBe(50 * 1024 * 1024);
    expect(config.disclosureDueHours).toBe(48);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('requires a pseudonym key with PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x', LIAISON_PSEUDONYM_KEY: 'k'.repeat(32) })).not.toThrow();
  });

  it('names the variable of a bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });
});
