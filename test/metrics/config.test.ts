import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const load = (env: Record<string, string>) => loadConfig({ DASHSCOPE_API_KEY: 'k', ...env }, { discord: false });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
}

describe('METRICS_PORT and METRICS_HOST', () => {
  it('are off by default, and off with an empty port or 0', () => {
    expect(load({}).metrics).toBeUndefined();
    expect(load({ METRICS_PORT: '' }).metrics).toBeUndefined();
    expect(load({ METRICS_PORT: '0', METRICS_HOST: '0.0.0.0' }).metrics).toBeUndefined();
  });

  it('listen on 127.0.0.1 unless told otherwise', () => {
    expect(load({ METRICS_PORT: '9100' }).metrics).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(load({ METRICS_PORT: '9100', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(load({ METRICS_PORT: '9100', METRICS_HOST: '::' }).metrics?.host).toBe('::');
    expect(load({ METRICS_PORT: '9100', METRICS_HOST: 'bot.internal' }).metrics?.host).toBe('bot.internal');
  });

  it('name the setting when a value is wrong', () => {
    expect(problems({ METRICS_PORT: '70000' })).toEqual([
      'METRICS_PORT must be a whole number from 0 to 65535 (got "70000").',
    ]);
    expect(problems({ METRICS_PORT: 'nine' })[0]).toMatch(/^METRICS_PORT must be a whole number/);
    expect(problems({ METRICS_HOST: 'http://0.0.0.0:9100' })).toEqual([
      'METRICS_HOST must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (got "http://0.0.0.0:9100").',
    ]);
  });
});
