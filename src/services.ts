import type Keyv from 'keyv';
import type { Config } from './config.ts';
import type { LimiterObserver } from './dashscope/accountLimiter.ts';
import { type AccountLimits, openAccountLimits } from './dashscope/accountLimits.ts';
import { VoiceDesignClient } from './dashscope/voiceDesign.ts';
import { createLogger, type Logger } from './log.ts';
import { PronunciationDictionary } from './narration/dictionary.ts';
import { NarrationSettingsStore } from './narration/settings.ts';
import { GuildBudgets } from './spend/budget.ts';
import { SpendLedger } from './spend/ledger.ts';
import { VoicePreferences } from './voices/preferences.ts';
import { VoiceRegistry } from './voices/registry.ts';
import { openStore, redactUrl } from './voices/store.ts';
import { probeStore } from './voices/storeProbe.ts';
import { VoiceLibrary } from './voices/voiceLibrary.ts';

/** The services the bot and the CLI share, built from the configuration. */
export interface Services {
  client: VoiceDesignClient;
  registry: VoiceRegistry;
  library: VoiceLibrary;
  preferences: VoicePreferences;
  /** Narrated chat: per-server settings and bindings. */
  narrationSettings: NarrationSettingsStore;
  /** Per-server pronunciation fixes. */
  dictionary: PronunciationDictionary;
  /** What every paid call costs, and the budgets it is held to. */
  spend: SpendLedger;
  /** The store itself, for its `error` events (connection errors, failed writes, failed atomic updates). */
  keyv: Keyv;
  /** DashScope's account-wide limits on new sessions and design calls, shared through Redis when the store is. */
  limits: AccountLimits;
  /** Resolves when the store answers within `STORE_TIMEOUT_MS`, rejects otherwise (readiness checks). */
  pingStore(): Promise<void>;
  /** Waits (bounded) for settlements still being retried, then closes the store and the limiter. */
  close(): Promise<void>;
}

/** Opens the store, proves it can be written (so no paid call is ever lost to it), and builds the services. */
export async function openServices(
  config: Config,
  log?: Logger,
  limiterObservers: { sessions?: LimiterObserver; designs?: LimiterObserver } = {},
): Promise<Services> {
  const store = await openStore(config.storeUrl, { timeoutMs: config.storeTimeoutMs });
  await probeStore(store, redactUrl(config.storeUrl)).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  const limits = await openAccountLimits(config, log ?? createLogger(config.logLevel), limiterObservers);
  const client = new VoiceDesignClient({ ...config.dashscope, limiter: limits.designs });
  const registry = new VoiceRegistry(store.keyv, { maxPerGuild: config.limits.voicesPerGuild });
  const spend = new SpendLedger(
    store.counters,
    new GuildBudgets(store.keyv, config.spend.budgets),
    config.spend.prices,
  );
  const library = new VoiceLibrary({ client, registry, defaultModel: config.ttsModel, spend });
  const preferences = new VoicePreferences(store.keyv);
  const narrationSettings = new NarrationSettingsStore(store.keyv);
  const dictionary = new PronunciationDictionary(store.keyv);
  return {
    client,
    registry,
    library,
    preferences,
    narrationSettings,
    dictionary,
    spend,
    keyv: store.keyv,
    limits,
    pingStore: () => store.ping(),
    close: async () => {
      await spend.flush();
      await Promise.all([store.close(), limits.close()]);
    },
  };
}
