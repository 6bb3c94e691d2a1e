import type Keyv from 'keyv';
import { ACCOUNT_VOICE_QUOTA } from '../dashscope/limits.ts';
import { invalidInput, UserError } from '../errors.ts';
import type { CharacterVoice } from './characterVoice.ts';
import {
  type GuildDoc,
  guildDocOf,
  guildDocValue,
  type RegistryProblem,
  readGuildDoc,
  registryKey,
} from './guildDoc.ts';
import { type PendingDesign, pendingKey, pendingOf, pendingValue, readPending } from './pendingDesigns.ts';
import type { SpeechTuning } from './speechTuning.ts';
import { type AtomicDocs, docsOf } from './storeKeyv.ts';
import { nameKey, nameProblem, normalizeName, parseVoice } from './voiceRecord.ts';

export { type RegistryProblem, registryKey } from './guildDoc.ts';

/** A guild id or local scope id (`local` for the CLI): what the registry partitions by. */
const GUILD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Construction options of {@link VoiceRegistry}. */
export interface VoiceRegistryOptions {
  /** Most voices one guild may hold. */
  maxPerGuild: number;
  /** Receives every stored value that was skipped as corrupt; default: `process.emitWarning`. */
  onInvalid?: (problem: RegistryProblem) => void;
}

type Entry = GuildDoc['voices'][number];
type Change<T> = { stored?: unknown[]; result: T };

/**
 * The character voices each guild has registered, over any keyv store.
 * @remarks Layout: one key per guild, `voices:<guildId>` (under the store's namespace), holding
 * `{ v: 1, voices: [...] }` newest first. A guild is capped (tens of entries), so one value is
 * small; every write replaces it whole, which is atomic on every keyv backend, and isolation is
 * structural: a lookup only ever reads its own guild's value, so another guild's names and raw
 * voice ids cannot match. Entries that fail validation are reported, ignored, and written back
 * untouched, so nothing is silently destroyed; a value that is not a registry document at all is
 * never overwritten (writes to that guild fail until an operator looks).
 *
 * Every write is one atomic read-modify-write of the store ({@link AtomicDocs}: a SQLite transaction,
 * a Redis compare-and-set), so the bot, its other shards and the CLI writing the same guild lose nothing.
 *
 * Usage counters ("characters spoken") belong in their own key (`usage:<guildId>`), not here:
 * they change on every utterance and must not rewrite, or queue behind, the registry document.
 */
export class VoiceRegistry {
  readonly #keyv: Keyv;
  readonly #docs: AtomicDocs;
  readonly #maxPerGuild: number;
  readonly #report: (problem: RegistryProblem) => void;

  constructor(keyv: Keyv, options: VoiceRegistryOptions) {
    const max = options.maxPerGuild;
    if (!Number.isSafeInteger(max) || max < 1 || max > ACCOUNT_VOICE_QUOTA) {
      throw new RangeError(`maxPerGuild must be an integer from 1 to ${ACCOUNT_VOICE_QUOTA}`);
    }
    if (!keyv.throwOnErrors) {
      throw new TypeError(
        'VoiceRegistry needs a Keyv with throwOnErrors: true (openStore makes one); ' +
          'otherwise a failed read looks like an empty guild',
      );
    }
    this.#keyv = keyv;
    this.#docs = docsOf(keyv);
    this.#maxPerGuild = options.maxPerGuild;
    this.#report = options.onInvalid ?? warn;
  }

  /** The guild's voices, newest first. */
  async list(guildId: string): Promise<CharacterVoice[]> {
    const doc = await this.#read(guildId);
    return doc.voices.map((e) => e.voice).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A voice of this guild by registry name (case-insensitive) or by exact DashScope voice id. */
  async get(guildId: string, nameOrVoiceId: string): Promise<CharacterVoice | undefined> {
    return find(await this.#read(guildId), nameOrVoiceId)?.voice;
  }

  /** How many voices the guild holds. */
  async count(guildId: string): Promise<number> {
    return (await this.#read(guildId)).voices.length;
  }

  /** Throws `quota_full` when the guild is at its cap, designs in flight included. */
  async assertRoom(guildId: string): Promise<void> {
    const held = (await readPending(this.#keyv, guildId)).length;
    if ((await this.count(guildId)) + held >= this.#maxPerGuild) throw this.#quotaFull();
  }

  /** Designs of this guild paid for (or about to be) but not yet registered. */
  async pending(guildId: string): Promise<PendingDesign[]> {
    await this.#read(guildId);
    return readPending(this.#keyv, guildId);
  }

  /**
   * Holds a name and a place under the cap for a design about to be paid for, in the store.
   * @throws UserError `conflict` (name taken or being designed) or `quota_full`; a storage error when the
   * store cannot be written — either way before any money is spent.
   */
  async holdPending(guildId: string, design: PendingDesign): Promise<void> {
    checkGuildId(guildId);
    const key = pendingKey(guildId);
    await this.#docs.update([registryKey(guildId), key], ([raw, rawPending]) => {
      const doc = guildDocOf(raw, guildId, this.#report);
      const held = pendingOf(rawPending);
      const same = find(doc, design.name, 'name');
      if (same) throw nameTaken(same.voice);
      if (held.some((p) => nameKey(p.name) === nameKey(design.name)))
        throw new UserError('conflict', `A voice named "${design.name}" is being designed right now.`);
      if (doc.voices.length + held.length >= this.#maxPerGuild) throw this.#quotaFull();
      return { writes: { [key]: pendingValue([...held, design]) }, result: undefined };
    });
  }

  /** Drops a pending design (after its voice was registered, or when nothing was created). */
  async dropPending(guildId: string, id: string): Promise<void> {
    const key = pendingKey(guildId);
    await this.#docs.update([key], ([raw]) => {
      const held = pendingOf(raw);
      if (!held.some((p) => p.id === id)) return { result: undefined };
      return { writes: { [key]: pendingValue(held.filter((p) => p.id !== id)) }, result: undefined };
    });
  }

  /** Registers a voice; the name is normalized and must be unique in the guild. */
  async add(guildId: string, voice: CharacterVoice): Promise<CharacterVoice> {
    const name = normalizeName(voice.name);
    const bad = nameProblem(name);
    if (bad !== undefined) throw invalidInput(bad);
    const parsed = parseVoice({ ...voice, name });
    if (!parsed.ok) throw invalidInput(`That voice cannot be registered: ${parsed.problem}.`);
    const added = parsed.voice;
    return this.#mutate(guildId, (doc) => {
      const sameName = find(doc, name, 'name');
      if (sameName) throw nameTaken(sameName.voice);
      const sameId = find(doc, added.voiceId, 'voiceId');
      if (sameId) throw new UserError('conflict', `That voice is already registered here as "${sameId.voice.name}".`);
      if (doc.voices.length >= this.#maxPerGuild) throw this.#quotaFull();
      return { stored: [added, ...doc.stored], result: added };
    });
  }

  /**
   * Replaces a voice's default speed, pitch and volume (`{}` clears them); returns the voice as saved.
   * @remarks `tuning` must be checked already (`checkTuning`). Entries are rewritten in place, so order holds.
   */
  async tune(guildId: string, nameOrVoiceId: string, tuning: SpeechTuning): Promise<CharacterVoice | undefined> {
    return this.#mutate(guildId, (doc) => {
      const hit = find(doc, nameOrVoiceId);
      if (!hit) return { result: undefined };
      const { tuning: _, ...rest } = hit.voice;
      const voice: CharacterVoice = Object.keys(tuning).length === 0 ? rest : { ...rest, tuning };
      return { stored: doc.stored.map((entry, i) => (i === hit.at ? voice : entry)), result: voice };
    });
  }

  /** Unregisters a voice of this guild by name or voice id; returns it, or `undefined` if absent. */
  async remove(guildId: string, nameOrVoiceId: string): Promise<CharacterVoice | undefined> {
    const removed = await this.#mutate(guildId, (doc) => {
      const hit = find(doc, nameOrVoiceId);
      return hit ? { stored: doc.stored.filter((_, i) => i !== hit.at), result: [hit.voice] } : { result: [] };
    });
    return removed[0];
  }

  /** Unregisters every voice of this guild that `predicate` selects, in one write; returns them. */
  async removeWhere(guildId: string, predicate: (voice: CharacterVoice) => boolean): Promise<CharacterVoice[]> {
    return this.#mutate(guildId, (doc) => {
      const hits = doc.voices.filter((e) => predicate(e.voice));
      if (hits.length === 0) return { result: [] };
      const drop = new Set(hits.map((e) => e.at));
      return { stored: doc.stored.filter((_, i) => !drop.has(i)), result: hits.map((e) => e.voice) };
    });
  }

  #quotaFull(): UserError {
    return new UserError(
      'quota_full',
      `This server has reached its limit of ${this.#maxPerGuild} voices. ` +
        'Remove a voice it no longer uses to make room.',
    );
  }

  async #read(guildId: string): Promise<GuildDoc> {
    checkGuildId(guildId);
    return readGuildDoc(this.#keyv, guildId, this.#report);
  }

  /** One atomic read-modify-write of a guild's document; writes only when `change` returns `stored`. */
  async #mutate<T>(guildId: string, change: (doc: GuildDoc) => Change<T>): Promise<T> {
    checkGuildId(guildId);
    const key = registryKey(guildId);
    return this.#docs.update([key], ([raw]) => {
      const doc = guildDocOf(raw, guildId, this.#report);
      if (!doc.readable) {
        throw new Error(
          `The voice registry value at "${doc.key}" is unreadable; refusing to overwrite it. ` +
            'Inspect or delete that key.',
        );
      }
      const { stored, result } = change(doc);
      return { writes: stored ? { [key]: guildDocValue(stored) } : {}, result };
    });
  }
}

/** Finds an entry by normalized name (case-insensitive) and/or exact voice id; names win. */
function find(doc: GuildDoc, query: string, by: 'name' | 'voiceId' | 'either' = 'either'): Entry | undefined {
  const key = nameKey(query);
  const byName = by === 'voiceId' || key === '' ? undefined : doc.voices.find((e) => nameKey(e.voice.name) === key);
  if (byName || by === 'name') return byName;
  return doc.voices.find((e) => e.voice.voiceId === query);
}

function checkGuildId(guildId: string): void {
  if (!GUILD_ID_PATTERN.test(guildId)) throw invalidInput(`"${guildId}" is not a server id.`);
}

function nameTaken(existing: CharacterVoice): UserError {
  return new UserError('conflict', `This server already has a voice named "${existing.name}".`);
}

function warn(p: RegistryProblem): void {
  const where = p.index === undefined ? p.key : `${p.key}[${p.index}]`;
  process.emitWarning(`skipped unusable voice registry value at ${where}: ${p.problem}`, 'VoiceRegistryWarning');
}
