import type { Logger } from '../log.ts';
import { type MemberRate, withinShare } from '../playback/memberShare.ts';
import type { Utterance } from '../playback/utterance.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { KeyedSerial } from '../voices/keyedSerial.ts';
import { tuningFor } from '../voices/tuningFor.ts';
import { announceCall, type CallChange } from './callAnnouncer.ts';
import type { DictionaryEntry, PronunciationDictionary } from './dictionary.ts';
import { FloodNotices } from './floodNotice.ts';
import { NameAnnouncer, phraseNarration, speakableName } from './nameAnnouncer.ts';
import { nameToSay } from './names.ts';
import { enqueueAll, hasRoom, type NarrationPlayer, removeMessage, replaceMessage } from './narrationQueue.ts';
import { ProxyOriginals } from './proxyOriginals.ts';
import { type ChatEvent, type IgnoreReason, joinsOnArrival, route, staysWhileIdle } from './route.ts';
import type { NarrationSettings } from './settings.ts';
import type { CachedNarrationSettings } from './settingsCache.ts';
import {
  authorVoice,
  type Cast,
  castOf,
  castSegments,
  characterIn,
  narrationUtterance,
  type VoiceSources,
} from './speakers.ts';
import { type Narration, narrate } from './text/narrate.ts';
import { notReadBecause } from './whoIsRead.ts';

/** Said once per channel when a member without a voice writes in a channel that is read aloud. */
export const NO_VOICE_HINT =
  'Messages here are read aloud in each member’s own voice. Pick yours with /voice use, ' +
  'or someone with Manage Server can set /voice default for everyone.';
/** Messages whose naming is remembered for edits; older ones are forgotten first. */
const REMEMBERED_MESSAGES = 500;

/**
 * How narration reaches voice and chat: narration owns this interface, `src/discord/` implements it.
 */
export interface NarrationOutlet {
  /** The guild's player and the voice channel it speaks in, while the bot is in voice there. */
  presence(guildId: string): { player: NarrationPlayer; channelId: string } | undefined;
  /** Joins a voice channel for auto-join; `undefined` when the bot may not (nobody asked, so nobody is told). */
  join(guildId: string, voiceChannelId: string): Promise<NarrationPlayer | undefined>;
  /** Posts a line in a text channel without pinging anyone; must not throw. */
  notify(channelId: string, text: string): void;
}

/** What the narrator works with; side effects come in here. */
export interface NarratorOptions extends VoiceSources {
  settings: CachedNarrationSettings;
  dictionary: PronunciationDictionary;
  outlet: NarrationOutlet;
  /** The player's queue bound (utterances waiting). */
  maxQueue: number;
  /** Characters per minute per member, shared with /say; none: no limit. */
  rate?: MemberRate | undefined;
  log: Logger;
  announcer?: NameAnnouncer;
  /** Holds narration to the budgets (see `src/spend/speechSpend.ts`); absent: nothing is counted. */
  spend?: {
    admit(channelId: string, u: readonly Utterance[]): Promise<boolean>;
    release(u: readonly Utterance[]): Promise<void>;
  };
}

interface Prepared {
  narration: Narration;
  dictionary: DictionaryEntry[];
  cast: Cast;
  voice: CharacterVoice | undefined;
}

/**
 * Narrated chat for every guild: chat messages in, utterances on the guild's player out.
 * @remarks Work for one guild runs in arrival order ({@link KeyedSerial}), so messages are queued in
 * the order they were sent and an edit or delete always finds the message it follows. Nothing here
 * knows discord.js: `src/discord/onMessage.ts` turns messages into {@link ChatEvent}s.
 */
export class Narrator {
  readonly settings: CachedNarrationSettings;
  readonly dictionary: PronunciationDictionary;
  readonly #options: NarratorOptions;
  readonly #announcer: NameAnnouncer;
  readonly #serial = new KeyedSerial();
  readonly #flood = new FloodNotices();
  /** The name said before each queued message (`undefined`: none), by message id, for edits. */
  readonly #names = new Map<string, string | undefined>();
  readonly #hinted = new Set<string>();
  readonly #originals = new ProxyOriginals();

  constructor(options: NarratorOptions) {
    this.#options = options;
    this.settings = options.settings;
    this.dictionary = options.dictionary;
    this.#announcer = options.announcer ?? new NameAnnouncer();
  }

  /** Reads a new message aloud when the server's settings say so. */
  message(event: ChatEvent): Promise<void> {
    return this.#serial.run(event.guildId, () => this.#read(event));
  }

  /** An edited message that is still waiting is read as edited, in its place; one being read is left alone. */
  edit(event: ChatEvent): Promise<void> {
    return this.#serial.run(event.guildId, () => this.#edit(event));
  }

  /** A deleted message is taken out of the queue, and cut off if it is being read. */
  delete(guildId: string, messageId: string): Promise<void> {
    return this.#serial.run(guildId, async () => {
      const player = this.#options.outlet.presence(guildId)?.player;
      const removed = player ? removeMessage(player, messageId) : 0;
      if (removed > 0) this.#options.log.debug({ guildId, messageId, removed }, 'deleted message not narrated');
    });
  }

  /** Whether a member arriving in `voiceChannelId` should bring the bot in (auto-join). */
  async joinsOnArrival(guildId: string, voiceChannelId: string): Promise<boolean> {
    return joinsOnArrival(await this.settings.get(guildId), voiceChannelId);
  }

  /** Whether the bot should stay idle in `voiceChannelId` because a chat is read there. */
  async staysWhileIdle(guildId: string, voiceChannelId: string): Promise<boolean> {
    return staysWhileIdle(await this.settings.get(guildId), voiceChannelId);
  }

  /** Someone joined, left or moved in voice: announced in the bot's call with `announce_joins`. */
  callChanged(change: CallChange): Promise<void> {
    return this.#serial.run(change.guildId, async () => {
      const presence = this.#options.outlet.presence(change.guildId);
      if (!presence) return;
      await announceCall(this.#options, await this.settings.get(change.guildId), change, presence);
    });
  }

  /** A channel was (re)bound: a member without a voice will be told again. */
  rebound(channelId: string): void {
    this.#hinted.delete(channelId);
  }

  async #read(received: ChatEvent): Promise<void> {
    const event = this.#tieProxy(received);
    const settings = await this.settings.get(event.guildId);
    const presence = this.#options.outlet.presence(event.guildId);
    const player = presence?.player;
    const decision = route(settings, event, presence?.channelId);
    if (decision.action === 'ignore') return this.#ignored(event, decision.reason);
    const prepared = await this.#prepare(event, settings);
    if (event.author.kind === 'webhook' && !prepared.voice) return this.#ignored(event, 'webhook_without_voice');
    if (prepared.narration.segments.length === 0 && prepared.narration.attachments === undefined)
      return this.#ignored(event, 'nothing_to_say');
    const name = prepared.voice ? this.#nameFor(event, settings, prepared) : undefined;
    const { utterances, voiceless } = castSegments(
      event,
      phraseNarration(prepared.narration, name),
      prepared.voice,
      prepared.cast,
    );
    if (voiceless > 0 && event.author.kind === 'member') this.#hint(event.channelId);
    if (utterances.length === 0) return this.#ignored(event, 'no_voice');
    await this.#tune(event, settings, utterances);
    const target = decision.action === 'join' ? await this.#join(event.guildId, decision.voiceChannelId) : player;
    if (!target) return this.#ignored(event, 'join_refused');
    if (this.#options.spend && !(await this.#options.spend.admit(event.channelId, utterances))) return;
    const fits = hasRoom(target, utterances.length, this.#options.maxQueue);
    if (fits && (await this.#allowed(event, target, utterances)) && enqueueAll(target, utterances))
      return this.#remember(event.messageId, name);
    await this.#options.spend?.release(utterances);
    await this.#skip(target, event, utterances);
  }

  /**
   * Whether the author may have these utterances queued: within half the queue, and within their characters
   * per minute (a proxied copy counts against the member who wrote the original). Refused ones count as skipped.
   */
  async #allowed(event: ChatEvent, player: NarrationPlayer, utterances: readonly Utterance[]): Promise<boolean> {
    const { author, guildId } = event;
    if (!withinShare(player.pending, author.id, utterances.length, this.#options.maxQueue)) return false;
    const characters = utterances.reduce((sum, u) => sum + [...u.text].length, 0);
    const allowance = await this.#options.rate?.take(guildId, author.proxyOf?.authorId ?? author.id, characters);
    if (allowance === undefined || allowance.granted) return true;
    this.#options.log.info(
      { guildId, userId: author.id, characters },
      'narration: over the member’s characters per minute',
    );
    return false;
  }

  /** Remembers a member's message; ties a webhook's to the member's original it replaced, if any. */
  #tieProxy(event: ChatEvent): ChatEvent {
    const { author, channelId } = event;
    if (author.kind === 'member') {
      this.#originals.record(channelId, {
        authorId: author.id,
        voiceChannelId: author.voiceChannelId,
        content: event.message.content,
      });
      return event;
    }
    if (author.kind !== 'webhook') return event;
    const original = this.#originals.claim(channelId, event.message.content);
    if (original === undefined) return event;
    return {
      ...event,
      author: { ...author, proxyOf: { authorId: original.authorId, voiceChannelId: original.voiceChannelId } },
    };
  }

  async #edit(event: ChatEvent): Promise<void> {
    const player = this.#options.outlet.presence(event.guildId)?.player;
    if (!player?.pending.some((u) => u.messageId === event.messageId)) return;
    const settings = await this.settings.get(event.guildId);
    const prepared = await this.#prepare(event, settings);
    const segments = phraseNarration(prepared.narration, this.#names.get(event.messageId));
    // Edited to start with the skip prefix (or otherwise no longer read): the waiting message is dropped.
    const read = notReadBecause(settings, event) === undefined;
    const { utterances } = read ? castSegments(event, segments, prepared.voice, prepared.cast) : { utterances: [] };
    await this.#tune(event, settings, utterances);
    const outcome = replaceMessage(player, event.messageId, utterances);
    this.#options.log.debug({ guildId: event.guildId, messageId: event.messageId, outcome }, 'edited message');
  }

  /** Sets each utterance's speed, pitch and volume: the author's own speed, the voice's, the server's. */
  async #tune(event: ChatEvent, settings: NarrationSettings, utterances: Utterance[]): Promise<void> {
    const { preferences } = this.#options;
    for (const u of utterances)
      u.tuning = await tuningFor(preferences, event.guildId, u.requestedBy, u.voice, settings.speed);
  }

  async #prepare(event: ChatEvent, settings: NarrationSettings): Promise<Prepared> {
    const { registry } = this.#options;
    const [dictionary, cast] = await Promise.all([
      this.dictionary.list(event.guildId),
      castOf(registry, event.guildId),
    ]);
    const isCharacter = settings.characterLines ? (name: string) => characterIn(cast, name) !== undefined : () => false;
    const narration = narrate(event.message, { maxChars: settings.maxChars, dictionary }, isCharacter);
    const voice = await authorVoice(this.#options, event.guildId, event.author, cast, settings.readBots);
    return { narration, dictionary, cast, voice };
  }

  /**
   * The author's name as said before this message, or `undefined` ({@link NameAnnouncer}).
   * @remarks Asked only when the author has a voice: a message nobody hears does not break a run.
   */
  #nameFor(event: ChatEvent, settings: NarrationSettings, { narration, dictionary }: Prepared): string | undefined {
    if (!settings.readNames) return undefined;
    const speaksAsAuthor =
      narration.attachments !== undefined || narration.segments.some((s) => s.character === undefined);
    const named = this.#announcer.shouldAnnounce(event.channelId, event.author.id, speaksAsAuthor);
    if (!named) return undefined;
    const { author } = event;
    return speakableName(nameToSay(settings, author.id, author.names, author.name), dictionary);
  }

  /** The message did not fit: counted in the guild's single "N messages skipped" notice. */
  async #skip(player: NarrationPlayer, event: ChatEvent, utterances: readonly Utterance[]): Promise<void> {
    const voice = (await this.#defaultVoice(event.guildId)) ?? utterances[0]?.voice;
    if (!voice) return;
    const count = this.#flood.skipped(player, event.guildId, (text) => narrationUtterance(event, text, voice));
    this.#options.log.info(
      { guildId: event.guildId, channelId: event.channelId, skipped: count },
      'narration queue full: message skipped',
    );
  }

  async #defaultVoice(guildId: string): Promise<CharacterVoice | undefined> {
    const id = await this.#options.preferences.defaultVoiceId(guildId);
    return id === undefined ? undefined : this.#options.registry.get(guildId, id);
  }

  async #join(guildId: string, voiceChannelId: string): Promise<NarrationPlayer | undefined> {
    try {
      return await this.#options.outlet.join(guildId, voiceChannelId);
    } catch (error) {
      this.#options.log.warn({ guildId, channelId: voiceChannelId, err: error }, 'auto-join failed');
      return undefined;
    }
  }

  #hint(channelId: string): void {
    if (this.#hinted.has(channelId)) return;
    this.#hinted.add(channelId);
    this.#options.outlet.notify(channelId, NO_VOICE_HINT);
  }

  #remember(messageId: string, name: string | undefined): void {
    this.#names.set(messageId, name);
    if (this.#names.size > REMEMBERED_MESSAGES) this.#names.delete(this.#names.keys().next().value ?? '');
  }

  #ignored(event: ChatEvent, reason: IgnoreReason): void {
    if (reason === 'unbound') return;
    this.#options.log.debug(
      { guildId: event.guildId, channelId: event.channelId, messageId: event.messageId, reason },
      'message not narrated',
    );
  }
}
