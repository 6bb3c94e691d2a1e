/**
 * Metrics read at scrape time from counters the bot already keeps: realtime sessions, voice connections and
 * queues, the account's billed totals today, the gateway; plus prom-client's default process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/** The realtime engine's session counters since start (see `RealtimeTts.stats`). */
export interface SessionCounts {
  /** Sessions opened (handshakes paid). */
  opened: number;
  /** Utterances that ran on an already open session. */
  reused: number;
  /** Sessions open now. */
  open: number;
}

/** What the account has spent today (UTC), from the spend ledger: shared by every process. */
export interface BilledToday {
  designs: number;
  characters: number;
  usd: number;
}

/** Where the scrape-time metrics are read. */
export interface MetricSources {
  sessions(): SessionCounts;
  /** Guilds whose voice connection is up, and utterances speaking or waiting over all of them. */
  voice(): { connections: number; queued: number };
  /** Fails or hangs when the store does: the scrape then keeps the last values (waits {@link READ_TIMEOUT_MS}). */
  billedToday(): Promise<BilledToday>;
  gatewayReady(): boolean;
}

/** Longest a scrape waits for the store, ms. */
export const READ_TIMEOUT_MS = 1_000;

/** Registers the scrape-time metrics and the default process metrics (event-loop lag included). */
export function registerCollectors(registry: Registry, sources: MetricSources): void {
  const registers = [registry];
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  mirroredCounter(registry, 'voicebot_tts_sessions_opened_total', 'Realtime sessions opened.', () => {
    return sources.sessions().opened;
  });
  mirroredCounter(
    registry,
    'voicebot_tts_sessions_reused_total',
    'Utterances spoken on a session already open.',
    () => {
      return sources.sessions().reused;
    },
  );
  new Gauge({
    name: 'voicebot_tts_sessions_open',
    help: 'Realtime sessions open now (connecting, idle or speaking).',
    registers,
    collect() {
      this.set(sources.sessions().open);
    },
  });
  new Gauge({
    name: 'voicebot_voice_connections',
    help: 'Voice channels the bot is connected to.',
    registers,
    collect() {
      this.set(sources.voice().connections);
    },
  });
  new Gauge({
    name: 'voicebot_queue_depth',
    help: 'Utterances speaking or waiting, over every guild.',
    registers,
    collect() {
      this.set(sources.voice().queued);
    },
  });
  new Gauge({
    name: 'voicebot_gateway_ready',
    help: "1 when every one of this process's gateway shards is ready, else 0.",
    registers,
    collect() {
      this.set(sources.gatewayReady() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'voicebot_account_billed_today',
    help: 'What the DashScope account has spent today (UTC) over every process, by unit (designs, characters, usd).',
    labelNames: ['unit'],
    registers,
    async collect() {
      const billed = await withTimeout(sources.billedToday(), READ_TIMEOUT_MS);
      if (billed === undefined) return;
      for (const unit of ['designs', 'characters', 'usd'] as const) this.set({ unit }, billed[unit]);
    },
  });
}

/**
 * A Prometheus counter that follows a monotonic count kept elsewhere: each scrape adds what it grew by.
 * @remarks prom-client counters can only be incremented, and the pool's counters are plain numbers.
 */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

/** `promise`'s value, or undefined when it rejects or takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
