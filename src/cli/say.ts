import { text as readStream } from 'node:stream/consumers';
import { SAY_TEXT_MAX_CHARS } from '../../commands/limits.ts';
import { writeOggOpus, writeWav } from '../audio/files.ts';
import { TTS_SAMPLE_RATE_HZ } from '../audio/formats.ts';
import { toOpusPackets } from '../audio/pipeline.ts';
import { invalidInput, UserError } from '../errors.ts';
import { billableChars } from '../spend/speechSpend.ts';
import type { Synthesis } from '../tts/engine.ts';
import { createTtsEngine } from '../tts/engines.ts';
import { checkTuning, effectiveTuning, type SpeechTuning } from '../voices/speechTuning.ts';
import { COMMON, flag, LOCAL_GUILD, type Parsed, parse, required, scopeName, text } from './args.ts';
import type { CliContext } from './context.ts';
import { type Output, printJson } from './output.ts';

export const SAY_HELP = `Speak text in a designed voice into an audio file.

Usage:
  voicebot say --voice NAME_OR_VOICE_ID [--guild ID] --out FILE(.ogg|.wav) [--speed X] [--pitch X] [--volume N]
               [--json] [TEXT]

  --voice  a voice of the guild's registry (name or DashScope voice id)
  --guild  the Discord guild (server) id (default: the "${LOCAL_GUILD}" scope)
  --out    .ogg writes Ogg Opus, 48 kHz stereo (what Discord plays); .wav writes the 24 kHz mono PCM as received
  --speed  speaking speed, 0.5–2 (default: the voice's own, see /voice tune; else 1)
  --pitch  pitch, 0.5–2 (default: the voice's own; else 1)
  --volume volume, a whole number 0–100 (default: the voice's own; else DashScope's 50)
  --json   print {out, firstAudioMs, characters, durationMs, ...}
  TEXT     what to say (at most ${SAY_TEXT_MAX_CHARS} characters); read from stdin when omitted

The file appears only when the whole utterance was received.`;

const OPTIONS = {
  ...COMMON,
  voice: { type: 'string' },
  out: { type: 'string' },
  speed: { type: 'string' },
  pitch: { type: 'string' },
  volume: { type: 'string' },
} as const;

/**
 * The `--speed --pitch --volume` given, checked against DashScope's ranges.
 * @throws UserError `invalid_input` naming each value out of range (nothing is synthesized).
 */
function tuningOptions(parsed: Parsed): SpeechTuning {
  const number = (key: string): number | undefined => {
    const value = text(parsed, key);
    return value === undefined ? undefined : value.trim() === '' ? Number.NaN : Number(value);
  };
  return checkTuning({ speechRate: number('speed'), pitchRate: number('pitch'), volume: number('volume') });
}

/** `voicebot say`. */
export async function say(
  argv: string[],
  ctx: CliContext,
  output: Output,
  stdin: () => Promise<string> = () => readStream(process.stdin),
): Promise<void> {
  const parsed = parse(argv, { command: 'say', options: OPTIONS, maxPositionals: 1 });
  if (flag(parsed, 'help')) return output.out(SAY_HELP);
  const voiceName = required(parsed, 'voice');
  const out = required(parsed, 'out');
  const kind = out.toLowerCase().endsWith('.ogg') ? 'ogg' : out.toLowerCase().endsWith('.wav') ? 'wav' : undefined;
  if (!kind) throw invalidInput('--out must name a .ogg or .wav file.');
  const words = (parsed.positionals[0] ?? (await stdin())).trim();
  if (words === '') throw invalidInput('Nothing to say: give TEXT or pipe it on stdin.');
  if ([...words].length > SAY_TEXT_MAX_CHARS)
    throw invalidInput(`The text is ${[...words].length} characters; say takes at most ${SAY_TEXT_MAX_CHARS}.`);
  const asked = tuningOptions(parsed);
  const guildId = text(parsed, 'guild') ?? LOCAL_GUILD;
  const { registry, spend } = await ctx.services();
  const voice = await registry.get(guildId, voiceName);
  if (!voice)
    throw new UserError(
      'not_found',
      `No voice called "${voiceName}" in ${scopeName(guildId)}. See "voicebot voices list".`,
    );
  // Spend: reserved against the budgets before synthesis (as member "cli"), settled with DashScope's count.
  const spender = { guildId, memberId: 'cli', voiceId: voice.voiceId };
  const reservation = await spend.reserveSpeech(spender, billableChars(words));
  const engine = createTtsEngine({ ...ctx.config().dashscope });
  const tuning = effectiveTuning({ voice: { ...voice.tuning, ...asked } });
  const synthesis = engine.synthesize({ text: words, voice, tuning }, new AbortController().signal);
  try {
    const audio = countSamples(synthesis);
    if (kind === 'ogg') await writeOggOpus(out, toOpusPackets(audio.chunks));
    else await writeWav(out, audio.chunks, { sampleRate: TTS_SAMPLE_RATE_HZ, channels: 1 });
    const result = {
      out,
      voice: voice.name,
      voiceId: voice.voiceId,
      tuning,
      firstAudioMs: round(synthesis.metrics.firstAudioMs),
      connectMs: round(synthesis.metrics.connectMs),
      totalMs: round(synthesis.metrics.totalMs),
      characters: synthesis.metrics.characters,
      durationMs: round(audio.durationMs()),
    };
    if (flag(parsed, 'json')) return printJson(output, result);
    output.out(
      `Wrote ${out}: ${(result.durationMs / 1000).toFixed(2)} s of audio as ${voice.name}; first audio after ` +
        `${result.firstAudioMs} ms; ${result.characters} characters billed.`,
    );
  } finally {
    await engine.close();
    await spend.settle(reservation, synthesis.metrics.characters || reservation.units);
  }
}

const round = (ms: number | undefined): number => Math.round((ms ?? 0) * 10) / 10;

/** Passes the PCM through while measuring its duration. */
function countSamples(synthesis: Synthesis): { chunks: AsyncIterable<Buffer>; durationMs(): number } {
  let bytes = 0;
  return {
    chunks: (async function* () {
      for await (const chunk of synthesis) {
        bytes += chunk.length;
        yield chunk;
      }
    })(),
    durationMs: () => (bytes / 2 / TTS_SAMPLE_RATE_HZ) * 1000,
  };
}
