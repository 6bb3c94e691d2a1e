import { writeFile } from 'node:fs/promises';
import { wavBytes } from '../audio/files.ts';
import { preferredNameFrom } from '../dashscope/validate.ts';
import { invalidInput } from '../errors.ts';
import { COMMON, flag, LOCAL_GUILD, parse, required, text } from './args.ts';
import type { CliContext } from './context.ts';
import { type Output, printJson } from './output.ts';

export const DESIGN_HELP = `Design a voice from a description and save it in a server's registry.

Usage:
  voicebot design --description TEXT --preview-text TEXT [--name PREFERRED_NAME] [--language CODE]
                  [--model TARGET_MODEL] [--guild ID] [--as NAME] [--out FILE.wav] [--json]

  --description   the voice in words, up to 2,048 characters ("a gravelly old sea captain, slow and warm")
  --preview-text  what the preview says, 15 to 1,024 characters, in --language
  --name          DashScope's preferred name: 1-16 of A-Z a-z 0-9 _ (default: derived from --as)
  --language      zh en de it pt es ja ko fr ru (default en)
  --model         the model the voice is bound to (default TTS_MODEL)
  --guild         the server whose registry keeps the voice (default "${LOCAL_GUILD}")
  --as            the registry name (default: --name)
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
  const parsed = parse(argv, OPTIONS, 0);
  if (flag(parsed, 'help')) return output.out(DESIGN_HELP);
  const as = text(parsed, 'as');
  const name = text(parsed, 'name');
  if (name === undefined && as === undefined)
    throw invalidInput('Give --name (1-16 of A-Z a-z 0-9 _) or --as (the registry name).');
  const preferredName = name ?? preferredNameFrom(as ?? '');
  const out = text(parsed, 'out');
  if (out !== undefined && !out.toLowerCase().endsWith('.wav')) throw invalidInput('--out must name a .wav file.');
  const input = {
    description: required(parsed, 'description'),
    previewText: required(parsed, 'preview-text'),
    preferredName,
    registryName: as ?? preferredName,
    language: text(parsed, 'language'),
    targetModel: text(parsed, 'model'),
    format: 'pcm',
    createdBy: 'cli',
  };
  const guildId = text(parsed, 'guild') ?? LOCAL_GUILD;
  const { library } = await ctx.services();
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
  output.out(`Designed "${result.voice.name}" → ${result.voice.voiceId} (${result.voice.targetModel}) in ${guildId}.`);
  if (result.recovered)
    output.out('The create went unanswered; the voice was found through list, so there is no preview audio.');
  else if (out !== undefined) output.out(`Preview written to ${out}.`);
}
