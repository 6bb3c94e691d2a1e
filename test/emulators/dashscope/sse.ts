/**
 * The non-realtime generation endpoint (`POST /api/v1/services/aigc/multimodal-generation/generation`, spec §2).
 * @remarks With `X-DashScope-SSE: enable` the audio streams as base64 PCM 24 kHz `result` events paced like
 * the realtime socket; without it one JSON reply carries a WAV URL (see `results.ts`). The audio is
 * `synthesizePcm(text.trim(), voice, 24000)`. Auth, recording and HTTP faults are the server's job.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { billableCharacters, bytesPerMs, pcmDurationMs, synthesizePcm } from './audio.ts';
import { checkGeneration, type GenerationRequest } from './generation-validate.ts';
import { holdFor, sendJson } from './http-io.ts';
import { audioId, requestId } from './ids.ts';
import { chunkPcm } from './realtime-response.ts';
import { storeResult } from './results.ts';
import type { EmulatorContext, SseFaults } from './state.ts';

export { handleResultDownload, RESULT_PATH_PREFIX } from './results.ts';

/** Sample rate of generated audio (fixed by the service). */
export const GENERATION_SAMPLE_RATE = 24_000;

/** Body of the `errorAfterEvents` fault's `event:error`. INFERRED from spec §2, §4. */
export const SSE_FAULT_ERROR = {
  status: 500,
  code: 'InternalError',
  message: 'An internal error has occured, please try again later or contact service support.',
};

interface Generation {
  requestId: string;
  audioId: string;
  pcm: Buffer;
  characters: number;
  url: string;
  expiresAt: number;
}

/** Answers one generation request: a 400 JSON error, a JSON result with a URL, or an SSE stream. */
export async function handleGeneration(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): Promise<void> {
  const checked = checkGeneration(ctx, body);
  if (!checked.ok) return sendJson(res, checked.reply);
  const generation = prepare(ctx, req, checked.value);
  if (/^enable$/i.test(String(req.headers['x-dashscope-sse'] ?? ''))) {
    return stream(ctx, req, res, generation);
  }
  const { firstPacketDelayMs, realTimeFactor } = ctx.options.realtime;
  const synthesisMs = pcmDurationMs(generation.pcm, GENERATION_SAMPLE_RATE) * realTimeFactor;
  await holdFor(firstPacketDelayMs + synthesisMs, req.socket);
  sendJson(res, { status: 200, body: resultBody(generation, null) });
}

function prepare(ctx: EmulatorContext, req: IncomingMessage, request: GenerationRequest): Generation {
  const text = request.text.trim();
  const pcm = synthesizePcm(text, request.voice, GENERATION_SAMPLE_RATE);
  const id = audioId();
  const { url, expiresAt } = storeResult(ctx, req, { id, pcm, sampleRate: GENERATION_SAMPLE_RATE });
  return { requestId: requestId(), audioId: id, pcm, characters: billableCharacters(text), url, expiresAt };
}

/** A result body: a chunk of audio (`finish_reason` the string "null"), or the final one with the URL. */
function resultBody(generation: Generation, chunk: Buffer | null): Record<string, unknown> {
  const audio = {
    data: chunk === null ? '' : chunk.toString('base64'),
    expires_at: generation.expiresAt,
    id: generation.audioId,
  };
  const output =
    chunk === null
      ? { finish_reason: 'stop', audio: { ...audio, url: generation.url } }
      : { finish_reason: 'null', audio };
  return { output, usage: { characters: generation.characters }, request_id: generation.requestId };
}

async function stream(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  generation: Generation,
): Promise<void> {
  const multiLine = claimMultiLine(ctx.faults.sse);
  const { chunkMs, firstPacketDelayMs, realTimeFactor } = ctx.options.realtime;
  const chunks = chunkPcm(generation.pcm, bytesPerMs(chunkMs, GENERATION_SAMPLE_RATE), false);
  res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8', 'cache-control': 'no-cache' });
  const startedAt = performance.now();
  await holdFor(firstPacketDelayMs, req.socket);
  let bytes = 0;
  for (const [index, chunk] of chunks.entries()) {
    if (!writable(res)) return;
    if (takeError(ctx.faults.sse, index)) return endWithError(res, index + 1, generation.requestId);
    writeEvent(res, index + 1, 'result', 200, resultBody(generation, chunk), multiLine);
    bytes += chunk.length;
    const due = startedAt + firstPacketDelayMs + (bytes / 2 / GENERATION_SAMPLE_RATE) * 1000 * realTimeFactor;
    await holdFor(Math.ceil(due - performance.now()), req.socket);
  }
  if (!writable(res)) return;
  if (takeError(ctx.faults.sse, chunks.length)) return endWithError(res, chunks.length + 1, generation.requestId);
  writeEvent(res, chunks.length + 1, 'result', 200, resultBody(generation, null), multiLine);
  res.end();
}

/** Takes the boolean `multiLineData` fault: it applies to one whole stream, then resets. */
function claimMultiLine(faults: SseFaults): boolean {
  const on = faults.multiLineData;
  faults.multiLineData = false;
  return on;
}

/** Whether the `errorAfterEvents` fault is due after `sent` result events (it then resets). */
function takeError(faults: SseFaults, sent: number): boolean {
  if (faults.errorAfterEvents !== sent) return false;
  faults.errorAfterEvents = null;
  return true;
}

function endWithError(res: ServerResponse, id: number, request: string): void {
  const { status, code, message } = SSE_FAULT_ERROR;
  writeEvent(res, id, 'error', status, { code, message, request_id: request }, false);
  res.end();
}

function writable(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

/** Writes one event: `id:`, `event:`, `:HTTP_STATUS/<status>`, then the JSON on one or several `data:` lines. */
function writeEvent(
  res: ServerResponse,
  id: number,
  event: string,
  status: number,
  data: unknown,
  multiLine: boolean,
): void {
  if (!writable(res)) return;
  const lines = multiLine ? JSON.stringify(data, null, 1).split('\n') : [JSON.stringify(data)];
  const head = [`id:${id}`, `event:${event}`, `:HTTP_STATUS/${status}`];
  res.write(`${[...head, ...lines.map((line) => `data:${line}`)].join('\n')}\n\n`);
}
