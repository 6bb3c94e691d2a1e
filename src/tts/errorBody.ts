/**
 * Turning a refusal (an HTTP status and its body) into a `DashScopeError`: a refused WebSocket upgrade,
 * or a generation request that failed before streaming.
 * @remarks The body is usually `{"code","message","request_id"}` (spec §4); the SDK also accepts an SSE
 * error event as the body of a failed streaming request (spec §2). Anything else becomes code
 * `HTTP<status>` with an excerpt of the body.
 */
import { DashScopeError } from '../dashscope/errors.ts';
import { SseParser } from './sseParser.ts';

/** Longest part of an unparsable body kept in the error, in characters. */
const BODY_EXCERPT_CHARS = 200;

/** The error for a request refused with `status` and `body`. */
export function errorFromBody(status: number, body: string): DashScopeError {
  const json = parseObject(body) ?? parseSseError(body);
  const field = (key: string): string | undefined => (typeof json?.[key] === 'string' ? (json[key] as string) : undefined);
  return new DashScopeError({
    status,
    code: field('code') || `HTTP${status}`,
    serverMessage: field('message') ?? field('msg') ?? (json ? '' : body.slice(0, BODY_EXCERPT_CHARS)),
    requestId: field('request_id'),
    outcomeUnknown: status >= 500,
  });
}

/** Parses `text` as a JSON object; `undefined` when it is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseSseError(body: string): Record<string, unknown> | undefined {
  const parser = new SseParser();
  const events = [...parser.push(body), ...parser.end()];
  for (const event of events) {
    const data = parseObject(event.data);
    if (data !== undefined && typeof data['code'] === 'string') return data;
  }
  return undefined;
}
