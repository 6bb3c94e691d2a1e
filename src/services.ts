import type Keyv from 'keyv';
import type { Config } from './config.ts';
import { VoiceDesignClient } from './dashscope/voiceDesign.ts';
import { PronunciationDictionary } from './narration/dictionary.ts';
import { NarrationSettingsStore } from './narration/settings.ts';
import { VoicePreferences } from './voices/preferences.ts';
import { VoiceRegistry } from './voices/registry.ts';
import { openStore } from './voices/store.ts';
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
  /** The store itself, for its `error` events. */
  keyv: Keyv;
  close(): Promise<void>;
}

/** Opens the store and builds the services on it. */
export async function openServices(config: Config): Promise<Services> {
  const store = await openStore(config.storeUrl);
  const client = new VoiceDesignClient({ ...config.dashscope });
  const registry = new VoiceRegistry(store.keyv, { maxPerGuild: config.limits.voicesPerGuild });
  const library = new VoiceLibrary({ client, registry, defaultModel: config.ttsModel });
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
    keyv: store.keyv,
    close: () => store.close(),
  };
}
