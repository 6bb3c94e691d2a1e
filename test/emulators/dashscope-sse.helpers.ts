/**
 * Test helpers for the DashScope emulator's generation endpoint: SSE parsing with arrival times.
 */
import { request } from 'undici';
import { type DashScopeEmulator, GENERATION_PATH } from './dashscope/server.ts';

/** One parsed SSE event: its fields, comment lines, `data:` lines and arrival time. */
export interface SseEvent {
  id: string;
  event: string;
  comments: string[];
  dataLines: string[];
  /** The `data:` lines joined with `\n` (the SSE rule). */
  data: string;
  at: number;
}

/** A generation answer: status, headers, and either JSON or SSE events. */
export interface Generated {
  status: number;
  contentType: string;
  raw: string;
  events: SseEvent[];
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
  json: any;
}

/** The standard body for the designed-voice model. */
export function generationBody(text: string, voice: string, model = 'qwen3-tts-vd-2026-01-26'): unknown {
  return { model, input: { text, voice, language_type: 'English' } };
}

/** POSTs a generation request, with `X-DashScope-SSE: enable` when `sse`, and reads the whole answer. */
export async function generate(emu: DashScopeEmulator, body: unknown, sse: boolean): Promise<Generated> {
  const headers: Record<string, string> = { authorization: `Bearer ${emu.apiKey}`, 'content-type': 'application/json' };
  if (sse) Object.assign(headers, { 'x-dashscope-sse': 'enable', accept: 'text/event-stream' });
  const res = await request(`${emu.baseUrl}${GENERATION_PATH}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  const parser = new SseParser();
  let raw = '';
  for await (const chunk of res.body) {
    const text = (chunk as Buffer).toString('utf8');
    raw += text;
    parser.push(text);
  }
  const contentType = String(res.headers['content-type'] ?? '');
  const json = contentType.startsWith('application/json') ? JSON.parse(raw) : null;
  return { status: res.statusCode, contentType, raw, events: parser.events, json };
}

/** Incremental SSE parser (events end at a blank line). */
class SseParser {
  readonly events: SseEvent[] = [];
  #pending = '';

  push(text: string): void {
    this.#pending += text;
    for (let end = this.#pending.indexOf('\n\n'); end >= 0; end = this.#pending.indexOf('\n\n')) {
      this.events.push(parseEvent(this.#pending.slice(0, end), performance.now()));
      this.#pending = this.#pending.slice(end + 2);
    }
  }
}

function parseEvent(block: string, at: number): SseEvent {
  const event: SseEvent = { id: '', event: '', comments: [], dataLines: [], data: '', at };
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) event.comments.push(line.slice(1));
    else if (line.startsWith('id:')) event.id = line.slice(3);
    else if (line.startsWith('event:')) event.event = line.slice(6);
    else if (line.startsWith('data:')) event.dataLines.push(line.slice(5).replace(/^ /, ''));
  }
  event.data = event.dataLines.join('\n');
  return event;
}
