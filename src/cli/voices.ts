import { DashScopeError } from '../dashscope/errors.ts';
import { invalidInput, UserError } from '../errors.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { COMMON, flag, LOCAL_GUILD, type Parsed, parse, scopeName, text, UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { clip, type Output, printJson, table } from './output.ts';

export const VOICES_HELP = `Manage a guild's voice registry.

Usage:
  voicebot voices list [--guild ID] [--remote] [--json]
  voicebot voices show NAME_OR_VOICE_ID [--guild ID] [--json]
  voicebot voices delete NAME_OR_VOICE_ID [--guild ID]
  voicebot voices sync [--guild ID] [--prune] [--json]

  list     the guild's voices, newest first; --remote lists every voice of the DashScope account instead,
           marking the ones this guild has
  show     one voice of the guild, with DashScope's record of it ("unknown" when DashScope cannot be reached)
  delete   removes the voice from the guild and deletes it at DashScope
  sync     finds entries whose voice DashScope no longer has (it deletes voices unused for a year);
           --prune removes them
  --guild  the Discord guild (server) id (default: the "${LOCAL_GUILD}" scope, voices made from the command line)`;

const OPTIONS = { ...COMMON, remote: { type: 'boolean' }, prune: { type: 'boolean' } } as const;
const SUBCOMMANDS = ['list', 'show', 'delete', 'sync'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
const isSubcommand = (s: string): s is Subcommand => (SUBCOMMANDS as readonly string[]).includes(s);

/** `voicebot voices …`. */
export async function voices(argv: string[], ctx: CliContext, output: Output): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') return output.out(VOICES_HELP);
  if (sub === undefined) {
    throw new UsageError(`"voicebot voices" needs a subcommand: list, show, delete or sync.\n\n${VOICES_HELP}`);
  }
  if (!isSubcommand(sub)) {
    throw invalidInput(
      `Unknown command "voices ${sub}": use list, show, delete or sync. See "voicebot voices --help".`,
    );
  }
  const only: readonly string[] = { list: ['remote'], show: [], delete: [], sync: ['prune'] }[sub];
  const own = ([key]: [string, unknown]): boolean => !['remote', 'prune'].includes(key) || only.includes(key);
  const options = Object.fromEntries(Object.entries(OPTIONS).filter(own));
  const maxPositionals = sub === 'show' || sub === 'delete' ? 1 : 0;
  const parsed = parse(rest, { command: `voices ${sub}`, options, maxPositionals, json: sub !== 'delete' });
  if (flag(parsed, 'help')) return output.out(VOICES_HELP);
  const guildId = text(parsed, 'guild') ?? LOCAL_GUILD;
  switch (sub) {
    case 'list':
      return flag(parsed, 'remote') ? listRemote(ctx, guildId, parsed, output) : list(ctx, guildId, parsed, output);
    case 'show':
      return show(ctx, guildId, target(parsed), parsed, output);
    case 'delete':
      return remove(ctx, guildId, target(parsed), output);
    case 'sync':
      return sync(ctx, guildId, parsed, output);
  }
}

function target(parsed: Parsed): string {
  const value = parsed.positionals[0];
  if (value === undefined || value.trim() === '')
    throw invalidInput('Name the voice: a registry name or a DashScope voice id.');
  return value;
}

/** The guild's voice called `nameOrId`, or a `not_found` that names the scope. */
async function find(ctx: CliContext, guildId: string, nameOrId: string): Promise<CharacterVoice> {
  const voice = await (await ctx.services()).registry.get(guildId, nameOrId);
  if (voice) return voice;
  throw new UserError(
    'not_found',
    `No voice called "${nameOrId}" in ${scopeName(guildId)}. See "voicebot voices list".`,
  );
}

const rowOf = (v: CharacterVoice): string[] => [
  v.name,
  v.voiceId,
  v.targetModel,
  v.language,
  new Date(v.createdAt).toISOString().slice(0, 16).replace('T', ' '),
  clip(v.description, 40),
];
const HEADERS = ['NAME', 'VOICE ID', 'MODEL', 'LANG', 'CREATED (UTC)', 'DESCRIPTION'];

async function list(ctx: CliContext, guildId: string, parsed: Parsed, output: Output): Promise<void> {
  const entries = await (await ctx.services()).registry.list(guildId);
  if (flag(parsed, 'json')) return printJson(output, entries);
  const empty = `No voices in ${scopeName(guildId)} yet: design one with "voicebot design".`;
  output.out(entries.length === 0 ? empty : table(HEADERS, entries.map(rowOf)));
}

async function listRemote(ctx: CliContext, guildId: string, parsed: Parsed, output: Output): Promise<void> {
  const { library, registry } = await ctx.services();
  const [account, entries] = await Promise.all([library.accountVoices(), registry.list(guildId)]);
  const names = new Map(entries.map((e) => [e.voiceId, e.name]));
  const rows = account.map((v) => ({
    name: names.get(v.voiceId) ?? null,
    voiceId: v.voiceId,
    targetModel: v.targetModel,
    language: v.language,
    createdAt: v.createdAt,
    description: v.description,
  }));
  if (flag(parsed, 'json')) return printJson(output, rows);
  output.out(`${account.length} voice(s) in the DashScope account; NAME is set for those in ${scopeName(guildId)}.`);
  output.out(
    table(
      ['NAME', 'VOICE ID', 'MODEL', 'LANG', 'CREATED', 'DESCRIPTION'],
      rows.map((r) => [r.name ?? '', r.voiceId, r.targetModel, r.language, r.createdAt, clip(r.description, 40)]),
    ),
  );
}

/** DashScope's record of a voice: there, gone, or unknown when DashScope could not answer. */
type Remote =
  | { exists: true; previewText: string; createdAt: string }
  | { exists: false }
  | { exists: null; error: string };

async function show(ctx: CliContext, guildId: string, nameOrId: string, parsed: Parsed, output: Output): Promise<void> {
  const voice = await find(ctx, guildId, nameOrId);
  const { client } = await ctx.services();
  const remote: Remote = await client.query(voice.voiceId).then(
    (v): Remote => ({ exists: true, previewText: v.previewText, createdAt: v.createdAt }),
    (error: unknown): Remote => {
      if (!(error instanceof DashScopeError)) throw error;
      return error.code === 'VoiceNotFound' ? { exists: false } : { exists: null, error: error.message };
    },
  );
  if (flag(parsed, 'json')) return printJson(output, { ...voice, remote });
  const atDashScope =
    remote.exists === true
      ? `yes (created ${remote.createdAt})`
      : remote.exists === false
        ? 'NO: the voice is gone; "voices sync --prune" removes the entry'
        : `unknown: ${remote.error}`;
  const lines: [string, string][] = [
    ['Name', voice.name],
    ['Voice id', voice.voiceId],
    ['Model', voice.targetModel],
    ['Language', voice.language],
    ['Created', new Date(voice.createdAt).toISOString()],
    ['Created by', voice.createdBy],
    ['Description', voice.description],
    ['At DashScope', atDashScope],
  ];
  output.out(lines.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n'));
}

async function remove(ctx: CliContext, guildId: string, nameOrId: string, output: Output): Promise<void> {
  const voice = await find(ctx, guildId, nameOrId);
  const removed = await (await ctx.services()).library.remove(guildId, voice.voiceId);
  const remote = removed.alreadyGone ? 'it was not found at DashScope (already gone)' : 'deleted it at DashScope';
  output.out(`Removed "${removed.name}" (${removed.voiceId}) from ${scopeName(guildId)}; ${remote}.`);
}

async function sync(ctx: CliContext, guildId: string, parsed: Parsed, output: Output): Promise<void> {
  const result = await (await ctx.services()).library.sync(guildId, flag(parsed, 'prune'));
  if (flag(parsed, 'json')) return printJson(output, result);
  output.out(
    `${result.kept.length} voice(s) in ${scopeName(guildId)} exist at DashScope; ${result.missing.length} do not.`,
  );
  for (const v of result.missing) output.out(`  ${v.name} (${v.voiceId})${result.pruned ? ': removed' : ''}`);
  if (result.missing.length > 0 && !result.pruned) output.out('Run again with --prune to remove them.');
}
