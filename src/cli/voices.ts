import { DashScopeError } from '../dashscope/errors.ts';
import { invalidInput, UserError } from '../errors.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { COMMON, flag, LOCAL_GUILD, type Parsed, parse, text } from './args.ts';
import type { CliContext } from './context.ts';
import { clip, type Output, printJson, table } from './output.ts';

export const VOICES_HELP = `Manage a server's voice registry.

Usage:
  voicebot voices list [--guild ID] [--remote] [--json]
  voicebot voices show NAME_OR_VOICE_ID [--guild ID] [--json]
  voicebot voices delete NAME_OR_VOICE_ID [--guild ID]
  voicebot voices sync [--guild ID] [--prune] [--json]

  list     the server's voices, newest first; --remote lists every voice of the DashScope account instead,
           marking the ones this server has
  show     one voice of this server, with DashScope's record of it
  delete   removes the voice from this server and deletes it at DashScope
  sync     finds entries whose voice DashScope no longer has (it deletes voices unused for a year);
           --prune removes them
  --guild  the server (default "${LOCAL_GUILD}")`;

const OPTIONS = { ...COMMON, remote: { type: 'boolean' }, prune: { type: 'boolean' } } as const;

/** `voicebot voices …`. */
export async function voices(argv: string[], ctx: CliContext, output: Output): Promise<void> {
  const [sub, ...rest] = argv;
  const parsed = parse(rest, OPTIONS, 1);
  if (sub === undefined || sub === '--help' || sub === '-h' || flag(parsed, 'help')) return output.out(VOICES_HELP);
  const guildId = text(parsed, 'guild') ?? LOCAL_GUILD;
  const allowed: Record<string, readonly string[]> = { list: ['remote'], show: [], delete: [], sync: ['prune'] };
  const extra = Object.keys(parsed.values).find((k) => ['remote', 'prune'].includes(k) && !allowed[sub]?.includes(k));
  if (extra) throw invalidInput(`--${extra} does not apply to "voices ${sub}".`);
  switch (sub) {
    case 'list':
      return flag(parsed, 'remote') ? listRemote(ctx, guildId, parsed, output) : list(ctx, guildId, parsed, output);
    case 'show':
      return show(ctx, guildId, target(parsed), parsed, output);
    case 'delete': {
      const removed = await (await ctx.services()).library.remove(guildId, target(parsed));
      return output.out(`Deleted "${removed.name}" (${removed.voiceId}) from ${guildId} and from DashScope.`);
    }
    case 'sync':
      return sync(ctx, guildId, parsed, output);
    default:
      throw invalidInput(`Unknown command "voices ${sub}": use list, show, delete or sync.`);
  }
}

function target(parsed: Parsed): string {
  const value = parsed.positionals[0];
  if (value === undefined || value.trim() === '')
    throw invalidInput('Name the voice: a registry name or a DashScope voice id.');
  return value;
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
  output.out(
    entries.length === 0
      ? `No voices in ${guildId} yet: design one with "voicebot design".`
      : table(HEADERS, entries.map(rowOf)),
  );
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
  output.out(`${account.length} voice(s) in the DashScope account; NAME is set for those in ${guildId}.`);
  output.out(
    table(
      ['NAME', 'VOICE ID', 'MODEL', 'LANG', 'CREATED', 'DESCRIPTION'],
      rows.map((r) => [r.name ?? '', r.voiceId, r.targetModel, r.language, r.createdAt, clip(r.description, 40)]),
    ),
  );
}

async function show(ctx: CliContext, guildId: string, nameOrId: string, parsed: Parsed, output: Output): Promise<void> {
  const { registry, client } = await ctx.services();
  const voice = await registry.get(guildId, nameOrId);
  if (!voice) throw new UserError('not_found', `${guildId} has no voice called "${nameOrId}".`);
  const remote: { exists: boolean; previewText?: string; createdAt?: string } = await client.query(voice.voiceId).then(
    (v) => ({ exists: true, previewText: v.previewText, createdAt: v.createdAt }),
    (error: unknown) => {
      if (error instanceof DashScopeError && error.code === 'VoiceNotFound') return { exists: false };
      throw error;
    },
  );
  if (flag(parsed, 'json')) return printJson(output, { ...voice, remote });
  const lines: [string, string][] = [
    ['Name', voice.name],
    ['Voice id', voice.voiceId],
    ['Model', voice.targetModel],
    ['Language', voice.language],
    ['Created', new Date(voice.createdAt).toISOString()],
    ['Created by', voice.createdBy],
    ['Description', voice.description],
    [
      'At DashScope',
      remote.exists
        ? `yes (created ${remote.createdAt})`
        : 'NO: the voice is gone; "voices sync --prune" removes the entry',
    ],
  ];
  output.out(lines.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n'));
}

async function sync(ctx: CliContext, guildId: string, parsed: Parsed, output: Output): Promise<void> {
  const result = await (await ctx.services()).library.sync(guildId, flag(parsed, 'prune'));
  if (flag(parsed, 'json')) return printJson(output, result);
  output.out(`${result.kept.length} voice(s) in ${guildId} exist at DashScope; ${result.missing.length} do not.`);
  for (const v of result.missing) output.out(`  ${v.name} (${v.voiceId})${result.pruned ? ': removed' : ''}`);
  if (result.missing.length > 0 && !result.pruned) output.out('Run again with --prune to remove them.');
}
