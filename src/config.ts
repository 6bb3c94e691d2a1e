import { isIP } from 'node:net';
import { DEFAULT_TARGET_MODEL, TARGET_MODELS, type TargetModel } from './dashscope/models.ts';
import type { OpusComplexitySetting } from './playback/opusComplexity.ts';
import type { OperatorLimits, Prices } from './spend/budget.ts';
import { redactUrl } from './voices/storeUrl.ts';

/** Everything the bot and the CLI read from the environment. */
export interface Config {
  /** Absent when the caller does not need Discord (the CLI). */
  discordToken: string | undefined;
  discord: {
    /** REST base URL (a REST proxy, or the test emulator). */
    restUrl: string;
    /** `npm run deploy` registers commands to this guild only (instant), else globally. */
    devGuildId: string | undefined;
    /** This process's shards (or `npm run shards`'s) and the total; undefined: one shard, or Discord's count. */
    shards: { ids: number[]; count: number } | undefined;
  };
  dashscope: {
    apiKey: string;
    baseUrl: string;
    realtimeUrl: string;
    /** Per-request timeout for the voice-design HTTP API, ms. */
    timeoutMs: number;
    /** How long a realtime session stays open after its voice last finished playing, ms. */
    warmIdleMs: number;
  };
  /** Target model for new designs. */
  ttsModel: TargetModel;
  storeUrl: string;
  /** How long one store operation may wait (a Redis reply, a SQLite file locked by another process), ms. */
  storeTimeoutMs: number;
  limits: {
    /** Registry entries one server may hold. */
    voicesPerGuild: number;
    /** Time a member waits between two `/voice design`s, ms. */
    designCooldownMs: number;
    /** The bot leaves a voice channel after this long with nothing to say, ms. */
    idleLeaveMs: number;
    /** Characters one member may have spoken per minute (/say and narration together). */
    memberCharsPerMinute: number;
  };
  /** What DashScope charges, and the operator's budgets (every server's ceilings and the account's per day). */
  spend: { prices: Prices; budgets: OperatorLimits };
  /** DashScope's account-wide request limits, shared by every process through Redis (see `AccountLimiter`). */
  accountLimit: {
    /** New realtime sessions per minute for the whole account (DashScope: 180). */
    sessionsPerMinute: number;
    /** New realtime sessions per second: smooths bursts. */
    sessionsPerSecond: number;
    /** Voice-design API calls per minute for the whole account. */
    designsPerMinute: number;
    /** Longest an utterance or a design waits for the budget before it fails with a message, ms. */
    maxWaitMs: number;
  };
  /** Opus complexity of the voice channels' audio: 0–10, or `auto` (full; less where a voice thread falls behind). */
  opusComplexity: OpusComplexitySetting;
  logLevel: LogLevel;
  /** Where `/metrics`, `/healthz` and `/readyz` are served; undefined when `METRICS_PORT` is unset or 0 (off). */
  metrics: { host: string; port: number } | undefined;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** What the caller needs, so a command that never talks to Discord does not ask for its token. */
export interface ConfigNeeds {
  discord: boolean;
  /** Default true; `npm run deploy` only talks to Discord. */
  dashscope?: boolean;
}

/**
 * The configuration could not be read; `problems` lists every one of them, one line each, each naming
 * its setting (the unset required keys share the first line, which says to copy `.env.example`).
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export const DEFAULTS = {
  DASHSCOPE_BASE_URL: 'https://dashscope-intl.aliyuncs.com',
  DASHSCOPE_REALTIME_URL: 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime',
  DASHSCOPE_TIMEOUT_MS: 60_000,
  TTS_SESSION_IDLE_SECONDS: 60,
  TTS_MODEL: DEFAULT_TARGET_MODEL,
  STORE_URL: 'sqlite://./data/voicebot.sqlite',
  STORE_TIMEOUT_MS: 2_000,
  VOICES_PER_GUILD: 25,
  DESIGN_COOLDOWN_SECONDS: 60,
  IDLE_LEAVE_SECONDS: 300,
  MEMBER_CHARS_PER_MINUTE: 2_000,
  PRICE_DESIGN_USD: 0.2,
  PRICE_SPEECH_USD_PER_10K_CHARS: 0.143353,
  BUDGET_SERVER_DESIGNS_PER_MONTH: 10,
  BUDGET_SERVER_CHARS_PER_MONTH: 300_000,
  BUDGET_MEMBER_CHARS_PER_DAY: 20_000,
  BUDGET_ACCOUNT_USD_PER_DAY: 5,
  DASHSCOPE_SESSIONS_PER_MINUTE: 180,
  DASHSCOPE_SESSIONS_PER_SECOND: 6,
  DASHSCOPE_DESIGNS_PER_MINUTE: 60,
  DASHSCOPE_LIMIT_MAX_WAIT_SECONDS: 20,
  DISCORD_REST_URL: 'https://discord.com/api',
  LOG_LEVEL: 'info',
  OPUS_COMPLEXITY: 'auto',
  METRICS_HOST: '127.0.0.1',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks the configuration; the only reader of the environment.
 * @throws ConfigError listing every problem at once.
 */
export function loadConfig(env: Env, needs: ConfigNeeds): Config {
  const problems: string[] = [];
  const missing: { key: string; what: string }[] = [];
  const read = reader(env, problems, missing);
  const config: Config = {
    discordToken: needs.discord
      ? read.required('DISCORD_TOKEN', 'the bot token from the Discord developer portal')
      : undefined,
    discord: {
      restUrl: read.url('DISCORD_REST_URL', DEFAULTS.DISCORD_REST_URL, ['http:', 'https:']),
      devGuildId: read.snowflake('DISCORD_DEV_GUILD_ID'),
      shards: read.shards('DISCORD_SHARDS', 'DISCORD_SHARD_COUNT'),
    },
    dashscope: {
      apiKey: needs.dashscope === false ? '' : read.required('DASHSCOPE_API_KEY', 'a DashScope / Model Studio API key'),
      baseUrl: read.url('DASHSCOPE_BASE_URL', DEFAULTS.DASHSCOPE_BASE_URL, ['http:', 'https:']),
      realtimeUrl: read.url('DASHSCOPE_REALTIME_URL', DEFAULTS.DASHSCOPE_REALTIME_URL, ['ws:', 'wss:']),
      timeoutMs: read.int('DASHSCOPE_TIMEOUT_MS', DEFAULTS.DASHSCOPE_TIMEOUT_MS, 1_000, 600_000),
      warmIdleMs: read.int('TTS_SESSION_IDLE_SECONDS', DEFAULTS.TTS_SESSION_IDLE_SECONDS, 1, 3_600) * 1000,
    },
    ttsModel: read.oneOf('TTS_MODEL', DEFAULTS.TTS_MODEL, TARGET_MODELS),
    storeUrl: read.storeUrl('STORE_URL', DEFAULTS.STORE_URL),
    storeTimeoutMs: read.int('STORE_TIMEOUT_MS', DEFAULTS.STORE_TIMEOUT_MS, 100, 60_000),
    limits: {
      voicesPerGuild: read.int('VOICES_PER_GUILD', DEFAULTS.VOICES_PER_GUILD, 1, 1000),
      designCooldownMs: read.int('DESIGN_COOLDOWN_SECONDS', DEFAULTS.DESIGN_COOLDOWN_SECONDS, 0, 86_400) * 1000,
      idleLeaveMs: read.int('IDLE_LEAVE_SECONDS', DEFAULTS.IDLE_LEAVE_SECONDS, 5, 86_400) * 1000,
      memberCharsPerMinute: read.int('MEMBER_CHARS_PER_MINUTE', DEFAULTS.MEMBER_CHARS_PER_MINUTE, 10, 1_000_000),
    },
    spend: {
      prices: {
        designUsd: read.decimal('PRICE_DESIGN_USD', DEFAULTS.PRICE_DESIGN_USD, 0, 100),
        speechUsdPer10kChars: read.decimal(
          'PRICE_SPEECH_USD_PER_10K_CHARS',
          DEFAULTS.PRICE_SPEECH_USD_PER_10K_CHARS,
          0,
          100,
        ),
      },
      budgets: {
        designsPerMonth: read.int('BUDGET_SERVER_DESIGNS_PER_MONTH', DEFAULTS.BUDGET_SERVER_DESIGNS_PER_MONTH, 0, 1e6),
        charsPerMonth: read.int('BUDGET_SERVER_CHARS_PER_MONTH', DEFAULTS.BUDGET_SERVER_CHARS_PER_MONTH, 0, 1e12),
        memberCharsPerDay: read.int('BUDGET_MEMBER_CHARS_PER_DAY', DEFAULTS.BUDGET_MEMBER_CHARS_PER_DAY, 0, 1e12),
        accountUsdPerDay: read.decimal('BUDGET_ACCOUNT_USD_PER_DAY', DEFAULTS.BUDGET_ACCOUNT_USD_PER_DAY, 0, 1e6),
      },
    },
    accountLimit: {
      sessionsPerMinute: read.int('DASHSCOPE_SESSIONS_PER_MINUTE', DEFAULTS.DASHSCOPE_SESSIONS_PER_MINUTE, 1, 1e6),
      sessionsPerSecond: read.int('DASHSCOPE_SESSIONS_PER_SECOND', DEFAULTS.DASHSCOPE_SESSIONS_PER_SECOND, 1, 1e5),
      designsPerMinute: read.int('DASHSCOPE_DESIGNS_PER_MINUTE', DEFAULTS.DASHSCOPE_DESIGNS_PER_MINUTE, 1, 1e5),
      maxWaitMs: read.int('DASHSCOPE_LIMIT_MAX_WAIT_SECONDS', DEFAULTS.DASHSCOPE_LIMIT_MAX_WAIT_SECONDS, 1, 600) * 1000,
    },
    opusComplexity: read.opusComplexity('OPUS_COMPLEXITY', DEFAULTS.OPUS_COMPLEXITY),
    logLevel: read.oneOf('LOG_LEVEL', DEFAULTS.LOG_LEVEL, LOG_LEVELS),
    metrics: metricsEndpoint(read.int('METRICS_PORT', 0, 0, 65_535), read.host('METRICS_HOST', DEFAULTS.METRICS_HOST)),
  };
  const { sessionsPerMinute, sessionsPerSecond } = config.accountLimit;
  if (sessionsPerSecond > sessionsPerMinute)
    problems.push('DASHSCOPE_SESSIONS_PER_SECOND must not be above DASHSCOPE_SESSIONS_PER_MINUTE.');
  if (missing.length > 0) problems.unshift(missingLine(missing));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** One line for every unset required key: `DISCORD_TOKEN is not set (the bot token …): copy .env.example …`. */
function missingLine(missing: readonly { key: string; what: string }[]): string {
  const keys = missing.map((m) => m.key).join(' and ');
  const one = missing.length === 1;
  return (
    `${keys} ${one ? 'is' : 'are'} not set (${missing.map((m) => m.what).join('; ')}): copy .env.example to .env ` +
    `and fill ${one ? 'it' : 'them'} in.`
  );
}

/** The metrics endpoint, or undefined when its port is 0 (off). */
function metricsEndpoint(port: number, host: string): Config['metrics'] {
  return port === 0 ? undefined : { host, port };
}

function reader(env: Env, problems: string[], missing: { key: string; what: string }[]) {
  const raw = (key: string): string | undefined => {
    const value = env[key]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    required(key: string, what: string): string {
      const value = raw(key);
      if (value === undefined) missing.push({ key, what });
      return value ?? '';
    },
    int(key: string, fallback: number, min: number, max: number): number {
      const value = raw(key);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        problems.push(`${key} must be a whole number from ${min} to ${max} (got "${value}").`);
        return fallback;
      }
      return parsed;
    },
    decimal(key: string, fallback: number, min: number, max: number): number {
      const value = raw(key);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!/^\d+(\.\d+)?$/.test(value) || parsed < min || parsed > max) {
        problems.push(`${key} must be a number from ${min} to ${max}, e.g. 0.25 (got "${value}").`);
        return fallback;
      }
      return parsed;
    },
    shards(idsKey: string, countKey: string): { ids: number[]; count: number } | undefined {
      const [ids, count] = [raw(idsKey), raw(countKey)];
      if (ids === undefined && count === undefined) return undefined;
      const total = Number(count);
      // DISCORD_SHARD_COUNT alone: every shard, in this process (`npm start`) or one process each (`npm run shards`)
      const list =
        ids === undefined
          ? Array.from({ length: total }, (_, id) => id)
          : ids.split(',').map((id) => Number(id.trim()));
      const valid =
        Number.isInteger(total) && total >= 1 && list.every((id) => Number.isInteger(id) && id >= 0 && id < total);
      if (!valid || count === undefined) {
        problems.push(
          `${idsKey} must list this process's shard ids (e.g. "0,1") and ${countKey} the total number of ` +
            'shards, each id below it.',
        );
        return undefined;
      }
      return { ids: list, count: total };
    },
    opusComplexity(key: string, fallback: OpusComplexitySetting): OpusComplexitySetting {
      const value = raw(key);
      if (value === undefined) return fallback;
      if (value === 'auto') return value;
      if (!/^\d+$/.test(value) || Number(value) > 10) {
        problems.push(`${key} must be auto or a whole number from 0 to 10 (got "${value}").`);
        return fallback;
      }
      return Number(value);
    },
    snowflake(key: string): string | undefined {
      const value = raw(key);
      if (value !== undefined && !/^\d{17,20}$/.test(value))
        problems.push(`${key} must be a Discord server id (17–20 digits; got "${value}").`);
      return value;
    },
    oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
      const value = raw(key);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        problems.push(`${key} must be one of ${allowed.join(', ')} (got "${value}").`);
        return fallback;
      }
      return value as T;
    },
    url(key: string, fallback: string, protocols: readonly string[]): string {
      const value = raw(key) ?? fallback;
      const parsed = URL.canParse(value) ? new URL(value) : undefined;
      if (parsed === undefined || !protocols.includes(parsed.protocol)) {
        problems.push(
          `${key} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL (got "${value}").`,
        );
        return fallback;
      }
      return value.replace(/\/+$/, '');
    },
    host(key: string, fallback: string): string {
      const value = raw(key) ?? fallback;
      if (isIP(value) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)) {
        problems.push(`${key} must be an IP address or a host name, e.g. 127.0.0.1 or 0.0.0.0 (got "${value}").`);
        return fallback;
      }
      return value;
    },
    storeUrl(key: string, fallback: string): string {
      const value = raw(key) ?? fallback;
      if (!/^(sqlite|redis|rediss|memory):\/\//.test(value)) {
        problems.push(
          `${key} must start with sqlite://, redis://, rediss:// or memory:// (got "${redactUrl(value)}").`,
        );
        return fallback;
      }
      return value;
    },
  };
}
