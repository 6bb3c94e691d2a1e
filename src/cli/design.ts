import { writeFile } from 'node:fs/promises';
import { wavBytes } from '../audio/files.ts';
import { PREFERRED_NAME_PATTERN } from '../dashscope/limits.ts';
import { preferredNameFrom } from '../dashscope/validate.ts';
import { invalidInput, UserError } from '../errors.ts';
import { nameProblem, normalizeName } from '../voices/voiceRecord.ts';
import { COMMON, flag, LOCAL_GUILD, parse, required, scopeName, text } from './args.ts';
import type { CliContext } from './context.ts';
import { type Output, printJson } from './output.ts';

const PREFERRED_RULE = "DashScope's preferred name, part of the voice id: 1-16 of A-Z a-z 0-9 _";
const REGISTRY_RULE =
  "the registry name members type: up to 32 letters, digits, spaces, _ - ', starting with a letter or digit";

export const DESIGN_HELP = `Design a voice from a description and save it in a guild's registry.

Usage:
  voicebot design --description TEXT --preview-text TEXT [--name PREFERRED_NAME] [--language CODE]
                  [--model TARGET_MODEL] [--guild ID] [--as NAME] [--out FILE.wav] [--json]

  --description   the voice in words, up to 2,048 characters ("a gravelly old sea captain, slow and warm")
  --preview-text  what the preview says, 15 to 1,024 characters, in --language
  --name          ${PREFERRED_RULE} (default: derived from --as)
  --language      zh en de it pt es ja ko fr ru (default en)
  --model         the model the voice is bound to (default TTS_MODEL)
  --guild         the Discord guild (server) id whose registry keeps the voice (default: the "${LOCAL_GUILD}" scope)
  --as            ${REGISTRY_RULE} (default: --name)
  --out           write the preview audio to this .wav file
  --json          print the result as JSON

Costs one voice design at DashScope ($0.20). Every check runs before the paid call.`;

const OPTIONS = {
  ...COMMON,
  description: { type: 'string' },
  'preview-text': { type: 'string' },
  name: { type: 'string' },
  language: { type: 'string' },
  model: { type: 'string' },
  as: { type: 'string' },
  out: { type: 'string' },
} as const;

/** `voicebot design`. */
export async function design(argv: string[], ctx: CliContext, output: Output): Promise<void> {
  const parsed = parse(argv, { command: 'design', options: OPTIONS, maxPositionals: 0 });
  if (flag(parsed, 'help')) return output.out(DESIGN_HELP);
  const { preferredName, registryName } = names(text(parsed, 'name'), text(parsed, 'as'));
  const out = text(parsed, 'out');
  if (out !== undefined && !out.toLowerCase().endsWith('.wav')) throw invalidInput('--out must name a .wav file.');
  const input = {
    description: required(parsed, 'description'),
    previewText: required(parsed, 'preview-text'),
    preferredName,
    registryName,
    language: text(parsed, 'language'),
    targetModel: text(parsed, 'model'),
    format: 'pcm',
    createdBy: 'cli',
  };
  const guildId = text(parsed, 'guild') ?? LOCAL_GUILD;
  const { library, registry } = await ctx.services();
  const { name } = library.validate(input);
  const taken = await registry.get(guildId, name);
  if (taken) {
    throw invalidInput(
      `The registry name "${taken.name}" is taken in ${scopeName(guildId)}: pick another --as, or delete it first.`,
    );
  }
  const limit = ctx.config().limits.voicesPerGuild;
  if ((await registry.list(guildId)).length >= limit) {
    const scope = capitalized(scopeName(guildId));
    const full = `${scope} holds ${limit} voices, its limit (VOICES_PER_GUILD): delete one first.`;
    throw new UserError('quota_full', full);
  }
  const result = await library.design(guildId, input);
  if (out !== undefined && result.preview)
    await writeFile(out, wavBytes(result.preview.audio, result.preview.sampleRate, 1));
  const summary = {
    ...result.voice,
    guild: guildId,
    recovered: result.recovered,
    preview: result.preview && out ? out : null,
  };
  if (flag(parsed, 'json')) return printJson(output, summary);
  output.out(
    `Designed "${result.voice.name}" → ${result.voice.voiceId} (${result.voice.targetModel}) in ${scopeName(guildId)}.`,
  );
  if (result.recovered)
    output.out('The create went unanswered; the voice was found through list, so there is no preview audio.');
  else if (out !== undefined) output.out(`Preview written to ${out}.`);
}

/**
 * The DashScope preferred name and the registry name, each checked against its own rule.
 * @throws UserError `invalid_input` naming the option and its rule.
 */
function names(name: string | undefined, as: string | undefined): { preferredName: string; registryName: string } {
  if (name === undefined && as === undefined) {
    throw invalidInput("Give --name (DashScope's preferred name) or --as (the registry name), or both.");
  }
  if (name !== undefined && !PREFERRED_NAME_PATTERN.test(name)) {
    const rule = `it is ${PREFERRED_RULE}. Spaces and accents belong in --as.`;
    throw invalidInput(`--name "${name}" is not a valid preferred name: ${rule}`);
  }
  const registryName = as ?? name ?? '';
  const problem = nameProblem(normalizeName(registryName));
  if (problem !== undefined) {
    const option = as === undefined ? '--name (also the registry name without --as)' : '--as';
    throw invalidInput(`${option} "${registryName}": ${problem} It is ${REGISTRY_RULE}.`);
  }
  return { preferredName: name ?? preferredNameFrom(registryName), registryName };
}

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
