import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../src/config.ts';

const problemsOf = (env: Record<string, string>, discord = false): string[] => {
  try {
    loadConfig(env, { discord });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
};

describe('loadConfig', () => {
  it('fills every default from a minimal environment', () => {
    const config = loadConfig({ DASHSCOPE_API_KEY: 'sk-1' }, { discord: false });
    expect(config).toMatchObject({
      discordToken: undefined,
      dashscope: {
        apiKey: 'sk-1',
        baseUrl: DEFAULTS.DASHSCOPE_BASE_URL,
        realtimeUrl: DEFAULTS.DASHSCOPE_REALTIME_URL,
        timeoutMs: 60_000,
      },
      ttsModel: 'qwen3-tts-vd-realtime-2026-01-15',
      storeUrl: 'sqlite://./data/voicebot.sqlite',
      limits: { voicesPerGuild: 25, designCooldownMs: 60_000, idleLeaveMs: 300_000, memberCharsPerMinute: 2_000 },
      discord: { restUrl: 'https://discord.com/api', devGuildId: undefined },
      logLevel: 'info',
      spend: {
        prices: { designUsd: 0.2, speechUsdPer10kChars: 0.143353 },
        budgets: { designsPerMonth: 10, charsPerMonth: 300_000, memberCharsPerDay: 20_000, accountUsdPerDay: 5 },
      },
    });
  });

  it('reads prices and budgets, and refuses a price that is not a plain number', () => {
    const config = loadConfig(
      { DASHSCOPE_API_KEY: 'k', PRICE_DESIGN_USD: '0.25', BUDGET_ACCOUNT_USD_PER_DAY: '1.5' },
      { discord: false },
    );
    expect(config.spend.prices.designUsd).toBe(0.25);
    expect(config.spend.budgets.accountUsdPerDay).toBe(1.5);
    expect(problemsOf({ DASHSCOPE_API_KEY: 'k', PRICE_DESIGN_USD: '$1' })).toEqual([
      expect.stringMatching(/^PRICE_DESIGN_USD must be a number/),
    ]);
  });

  it('reads the account-wide DashScope limits, defaulting to 180 sessions a minute', () => {
    const base = { DASHSCOPE_API_KEY: 'k' };
    expect(loadConfig(base, { discord: false }).accountLimit).toEqual({
      sessionsPerMinute: 180,
      sessionsPerSecond: 6,
      designsPerMinute: 60,
      maxWaitMs: 20_000,
    });
    const low = { ...base, DASHSCOPE_SESSIONS_PER_MINUTE: '3', DASHSCOPE_LIMIT_MAX_WAIT_SECONDS: '2' };
    expect(problemsOf(low)).toEqual(['DASHSCOPE_SESSIONS_PER_SECOND must not be above DASHSCOPE_SESSIONS_PER_MINUTE.']);
    const fine = loadConfig({ ...low, DASHSCOPE_SESSIONS_PER_SECOND: '1' }, { discord: false }).accountLimit;
    expect(fine).toMatchObject({ sessionsPerMinute: 3, sessionsPerSecond: 1, maxWaitMs: 2_000 });
    expect(problemsOf({ ...base, DASHSCOPE_LIMIT_MAX_WAIT_SECONDS: '0' })).toEqual([
      expect.stringMatching(/^DASHSCOPE_LIMIT_MAX_WAIT_SECONDS must be a whole number from 1 to 600/),
    ]);
  });

  it('asks for DISCORD_TOKEN only when Discord is needed', () => {
    expect(problemsOf({ DASHSCOPE_API_KEY: 'k' })).toEqual([]);
    expect(problemsOf({ DASHSCOPE_API_KEY: 'k' }, true)).toEqual([expect.stringMatching(/^DISCORD_TOKEN is not set/)]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      {
        DASHSCOPE_BASE_URL: 'ftp://x',
        DASHSCOPE_REALTIME_URL: 'https://not-a-websocket',
        TTS_MODEL: 'qwen3-tts-flash',
        STORE_URL: 'postgres://u:hunter2@db/x',
        VOICES_PER_GUILD: '0',
        DESIGN_COOLDOWN_SECONDS: 'soon',
        OPUS_COMPLEXITY: '11',
        LOG_LEVEL: 'loud',
        DISCORD_DEV_GUILD_ID: 'my-server',
      },
      true,
    );
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'DISCORD_TOKEN',
      'DISCORD_DEV_GUILD_ID',
      'DASHSCOPE_BASE_URL',
      'DASHSCOPE_REALTIME_URL',
      'TTS_MODEL',
      'STORE_URL',
      'VOICES_PER_GUILD',
      'DESIGN_COOLDOWN_SECONDS',
      'OPUS_COMPLEXITY',
      'LOG_LEVEL',
    ]);
    // The unset keys share one line, which says how to get a .env.
    expect(problems[0]).toMatch(
      /^DISCORD_TOKEN and DASHSCOPE_API_KEY are not set \(.*\): copy \.env\.example to \.env and fill them in\.$/,
    );
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('treats blank values as unset and trims trailing slashes from URLs', () => {
    const config = loadConfig(
      { DASHSCOPE_API_KEY: 'k', DASHSCOPE_BASE_URL: 'http://127.0.0.1:8790/', TTS_MODEL: '  ' },
      { discord: false },
    );
    expect(config.dashscope.baseUrl).toBe('http://127.0.0.1:8790');
    expect(config.ttsModel).toBe(DEFAULTS.TTS_MODEL);
  });

  it('reads OPUS_COMPLEXITY as auto (the default) or a whole number from 0 to 10', () => {
    const complexity = (value: string | undefined) =>
      loadConfig({ DASHSCOPE_API_KEY: 'k', OPUS_COMPLEXITY: value }, { discord: false }).opusComplexity;
    expect(complexity(undefined)).toBe('auto');
    expect(complexity('auto')).toBe('auto');
    expect(complexity('0')).toBe(0);
    expect(complexity(' 6 ')).toBe(6);
    for (const bad of ['11', '-1', '5.5', 'high', 'AUTO'])
      expect(problemsOf({ DASHSCOPE_API_KEY: 'k', OPUS_COMPLEXITY: bad })).toEqual([
        `OPUS_COMPLEXITY must be auto or a whole number from 0 to 10 (got "${bad}").`,
      ]);
  });

  it('accepts every documented store', () => {
    for (const url of ['sqlite://./data/x.sqlite', 'redis://localhost:6379', 'rediss://u:p@h:6380/1', 'memory://'])
      expect(loadConfig({ DASHSCOPE_API_KEY: 'k', STORE_URL: url }, { discord: false }).storeUrl).toBe(url);
  });
});

it('hides the credentials of a refused store URL', () => {
  const [problem] = problemsOf({ DASHSCOPE_API_KEY: 'k', STORE_URL: 'postgres://user:s3cret@host:5432/db' });
  expect(problem).toContain('(got "postgres://***@host:5432/db")');
  expect(problem).not.toContain('s3cret');
});

it('does not ask for the DashScope key when only Discord is needed (deploy)', () => {
  expect(loadConfig({ DISCORD_TOKEN: 't' }, { discord: true, dashscope: false }).discordToken).toBe('t');
});

describe('shards', () => {
  const shards = (env: Record<string, string>) =>
    loadConfig({ DASHSCOPE_API_KEY: 'k', ...env }, { discord: false }).discord.shards;
  it('reads the ids and the total', () => {
    expect(shards({})).toBeUndefined();
    expect(shards({ DISCORD_SHARDS: '0, 2', DISCORD_SHARD_COUNT: '4' })).toEqual({ ids: [0, 2], count: 4 });
  });
  it('takes every shard when only the total is set', () => {
    expect(shards({ DISCORD_SHARD_COUNT: '3' })).toEqual({ ids: [0, 1, 2], count: 3 });
  });
  it.each([
    [{ DISCORD_SHARDS: '4', DISCORD_SHARD_COUNT: '4' }],
    [{ DISCORD_SHARD_COUNT: '0' }],
    [{ DISCORD_SHARDS: '0' }],
    [{ DISCORD_SHARDS: 'a', DISCORD_SHARD_COUNT: '2' }],
  ])('refuses %j', (env) => {
    expect(problemsOf({ DASHSCOPE_API_KEY: 'k', ...env })).toEqual([
      expect.stringMatching(/^DISCORD_SHARDS must list/),
    ]);
  });
});
