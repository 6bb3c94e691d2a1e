import type Keyv from 'keyv';
import {
  NAME_SOURCES,
  NARRATION_MAX_BINDINGS,
  NARRATION_MAX_CHARS_DEFAULT,
  NARRATION_MAX_CHARS_MAX,
  NARRATION_MAX_CHARS_MIN,
  type NameSource,
} from '../../commands/limits.ts';
import { invalidInput, UserError } from '../errors.ts';
import { GuildRecord, objectOrEmpty } from '../voices/guildRecord.ts';
import { checkTuning, clampField } from '../voices/speechTuning.ts';
import { checkSkipPrefix, isSkipPrefix, type NarrationPeople, parsePeople } from './people.ts';

/** A server's narration settings, and who is read and how their names are said ({@link NarrationPeople}). */
export interface NarrationSettings extends NarrationPeople {
  /** Text channel id → voice channel id it is read into, or `null` for whichever voice channel the bot is in. */
  bindings: Record<string, string | null>;
  /** Say the author's name before their message. */
  readNames: boolean;
  /** Longest message read, in characters. */
  maxChars: number;
  /** Read messages from bots and webhooks. */
  readBots: boolean;
  /** Join the bound voice channel on a message when not connected. */
  autoJoin: boolean;
  /** Read `Name: text` lines in the voice of a character named Name. */
  characterLines: boolean;
  /** Read only members who are in the bot's voice channel (off: anyone writing in the bound channel). */
  requireVoice: boolean;
  /** While the bot is in a voice channel, read that channel's own chat like a bound channel. */
  textInVoice: boolean;
  /** Which of the author's names is said (a `/narrate nickname` reading comes first). */
  nameSource: NameSource;
  /** Messages starting with this are not read; `null`: none skipped. */
  skipPrefix: string | null;
  /** Read messages sent with @silent. */
  readSilent: boolean;
  /** Say "alice joined the call" / "alice left the call" in the bot's voice channel. */
  announceJoins: boolean;
  /** The server's speed (`speech_rate`), below a member's and a voice's own; `null`: DashScope's default. */
  speed: number | null;
}

/** The settings `update` changes; bindings and the people lists change through their own methods. */
export type NarrationPatch = Partial<Omit<NarrationSettings, 'bindings' | keyof NarrationPeople>>;

/** Settings of a server that has changed nothing. */
export const DEFAULT_NARRATION_SETTINGS: Readonly<NarrationSettings> = Object.freeze({
  bindings: {},
  readNames: true,
  maxChars: NARRATION_MAX_CHARS_DEFAULT,
  readBots: false,
  autoJoin: false,
  characterLines: true,
  requireVoice: true,
  textInVoice: true,
  nameSource: 'nickname',
  skipPrefix: null,
  readSilent: false,
  announceJoins: false,
  ignoredRoles: [],
  ignoredMembers: [],
  optedOut: [],
  nameReadings: {},
  speed: null,
});

/** A Discord id (snowflake): 17–20 digits. */
const SNOWFLAKE = /^\d{17,20}$/u;
const FLAGS = [
  'readNames',
  'readBots',
  'autoJoin',
  'characterLines',
  'requireVoice',
  'textInVoice',
  'readSilent',
  'announceJoins',
] as const;
/** What each setting is called where members see it. */
const LABELS: Record<keyof NarrationPatch, string> = {
  readNames: 'Read names',
  maxChars: 'Max length',
  readBots: 'Read bots',
  autoJoin: 'Auto-join',
  characterLines: 'Character lines',
  requireVoice: 'Only members in the call',
  textInVoice: 'Voice channel chat',
  nameSource: 'Names from',
  skipPrefix: 'Skip prefix',
  readSilent: 'Read @silent messages',
  announceJoins: 'Announce joins',
  speed: 'Speed',
};

/**
 * Per-server narration settings, one record per guild (`narration:<guildId>`).
 * @remarks Every change is validated before anything is written, so bad input changes nothing;
 * a stored value that does not parse falls back to the default field by field.
 */
export class NarrationSettingsStore {
  readonly #record: GuildRecord<NarrationSettings>;

  constructor(keyv: Keyv) {
    this.#record = new GuildRecord(keyv, 'narration', parseSettings);
  }

  get(guildId: string): Promise<NarrationSettings> {
    return this.#record.get(guildId);
  }

  /** Reads `textChannelId` into `voiceChannelId` (`null`: wherever the bot is); rebinding replaces. */
  async bind(guildId: string, textChannelId: string, voiceChannelId: string | null): Promise<NarrationSettings> {
    checkId(textChannelId, 'text channel');
    if (voiceChannelId !== null) checkId(voiceChannelId, 'voice channel');
    return this.#record.update(guildId, (current) => {
      const bound = Object.keys(current.bindings).length;
      if (!(textChannelId in current.bindings) && bound >= NARRATION_MAX_BINDINGS) {
        throw new UserError(
          'quota_full',
          `A server can have at most ${NARRATION_MAX_BINDINGS} channels read aloud; unbind one first.`,
        );
      }
      return { ...current, bindings: { ...current.bindings, [textChannelId]: voiceChannelId } };
    });
  }

  /** Stops reading a text channel. */
  unbind(guildId: string, textChannelId: string): Promise<NarrationSettings> {
    return this.#record.update(guildId, (current) => {
      if (!Object.hasOwn(current.bindings, textChannelId)) {
        throw new UserError('not_found', `<#${textChannelId}> is not being read aloud.`);
      }
      const { [textChannelId]: _, ...bindings } = current.bindings;
      return { ...current, bindings };
    });
  }

  /** Changes the given settings; every value is checked first, and one bad value changes nothing. */
  async update(guildId: string, patch: NarrationPatch): Promise<NarrationSettings> {
    const clean = checkPatch(patch);
    return this.#record.update(guildId, (current) => ({ ...current, ...clean }));
  }

  /** Replaces the settings with `change(current)`; a throw in `change` writes nothing (see `people.ts`). */
  change(guildId: string, change: (current: NarrationSettings) => NarrationSettings): Promise<NarrationSettings> {
    return this.#record.update(guildId, change);
  }
}

/** Validates a patch from outside (commands, tests, old callers): known keys, right types, in range. */
export function checkPatch(patch: unknown): NarrationPatch {
  const entries = Object.entries(objectOrEmpty(patch));
  const out: NarrationPatch = {};
  for (const [key, value] of entries) {
    if (key === 'maxChars') out.maxChars = checkMaxChars(value);
    else if (key === 'nameSource') out.nameSource = checkNameSource(value);
    else if (key === 'skipPrefix') out.skipPrefix = checkSkipPrefix(value);
    else if (key === 'speed') out.speed = checkSpeed(value);
    else if ((FLAGS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') throw invalidInput(`${LABELS[key as keyof NarrationPatch]} must be on or off.`);
      out[key as (typeof FLAGS)[number]] = value;
    } else throw invalidInput(`There is no narration setting called "${key}".`);
  }
  return out;
}

function isMaxChars(value: unknown): value is number {
  return (
    Number.isInteger(value) &&
    (value as number) >= NARRATION_MAX_CHARS_MIN &&
    (value as number) <= NARRATION_MAX_CHARS_MAX
  );
}

function checkMaxChars(value: unknown): number {
  if (!isMaxChars(value)) {
    throw invalidInput(
      `Max length must be a whole number of characters from ${NARRATION_MAX_CHARS_MIN} to ${NARRATION_MAX_CHARS_MAX} ` +
        `(got ${String(value)}).`,
    );
  }
  return value;
}

function isNameSource(value: unknown): value is NameSource {
  return (NAME_SOURCES as readonly unknown[]).includes(value);
}

function checkNameSource(value: unknown): NameSource {
  if (!isNameSource(value)) throw invalidInput(`Names come from one of: ${NAME_SOURCES.join(', ')}.`);
  return value;
}

/** A server speed: `null` clears it; a number must be in DashScope's `speech_rate` range. */
function checkSpeed(value: unknown): number | null {
  if (value === null) return null;
  return checkTuning({ speechRate: typeof value === 'number' ? value : Number.NaN }).speechRate ?? null;
}

function checkId(id: string, what: string): void {
  if (!SNOWFLAKE.test(id)) throw invalidInput(`"${id}" is not a ${what} id.`);
}

/** Reads a stored value field by field; anything missing or malformed takes its default. */
export function parseSettings(value: unknown): NarrationSettings {
  const doc = objectOrEmpty(value);
  const flag = (key: (typeof FLAGS)[number]) =>
    typeof doc[key] === 'boolean' ? doc[key] : DEFAULT_NARRATION_SETTINGS[key];
  const maxChars = doc.maxChars;
  const bindings = Object.entries(objectOrEmpty(doc.bindings)).filter(
    (e): e is [string, string | null] =>
      SNOWFLAKE.test(e[0]) && (e[1] === null || (typeof e[1] === 'string' && SNOWFLAKE.test(e[1]))),
  );
  return {
    bindings: Object.fromEntries(bindings.slice(0, NARRATION_MAX_BINDINGS)),
    readNames: flag('readNames'),
    maxChars: isMaxChars(maxChars) ? maxChars : NARRATION_MAX_CHARS_DEFAULT,
    readBots: flag('readBots'),
    autoJoin: flag('autoJoin'),
    characterLines: flag('characterLines'),
    requireVoice: flag('requireVoice'),
    textInVoice: flag('textInVoice'),
    nameSource: isNameSource(doc.nameSource) ? doc.nameSource : DEFAULT_NARRATION_SETTINGS.nameSource,
    skipPrefix: isSkipPrefix(doc.skipPrefix) ? doc.skipPrefix : null,
    readSilent: flag('readSilent'),
    announceJoins: flag('announceJoins'),
    ...parsePeople(doc),
    speed: clampField('speechRate', doc.speed) ?? null,
  };
}

/** The settings as a short block for a reply, shown after each change. */
export function describeSettings(settings: NarrationSettings): string {
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  const channels = Object.entries(settings.bindings).map(
    ([text, voice]) => `<#${text}> → ${voice === null ? 'the voice channel I am in' : `<#${voice}>`}`,
  );
  return [
    `Channels read: ${channels.length === 0 ? 'none yet' : channels.join(', ')}`,
    `${LABELS.readNames}: ${onOff(settings.readNames)}`,
    `${LABELS.maxChars}: ${settings.maxChars} characters`,
    `${LABELS.readBots}: ${onOff(settings.readBots)}`,
    `${LABELS.autoJoin}: ${onOff(settings.autoJoin)}`,
    `${LABELS.characterLines}: ${onOff(settings.characterLines)}`,
    `${LABELS.requireVoice}: ${onOff(settings.requireVoice)}`,
    `${LABELS.textInVoice}: ${onOff(settings.textInVoice)}`,
    `${LABELS.nameSource}: ${settings.nameSource.replace('_', ' ')}`,
    `${LABELS.skipPrefix}: ${settings.skipPrefix === null ? 'none' : `\`${settings.skipPrefix}\``}`,
    `${LABELS.readSilent}: ${onOff(settings.readSilent)}`,
    `${LABELS.announceJoins}: ${onOff(settings.announceJoins)}`,
    `${LABELS.speed}: ${settings.speed === null ? 'default' : `${settings.speed}×`}`,
  ].join('\n');
}
