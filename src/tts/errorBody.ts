/**
 * Turning a refusal (an HTTP status and its body) into a `DashScopeError`: a refused WebSocket upgrade,
 * or a generation request that failed before streaming.
 * @remarks The body is usually `{"code","message","request_id"}` (spec §4); the SDK also accepts an SSE
 * error event as the body of a failed streaming request (spec §2). Anything else becomes code
 * `HTTP<status>` with an excerpt of the body.
 */
import type { IncomingMessage } from 'node:http';
import { DashScopeError } from '../dashscope/errors.ts';
import { parseObject, stringField } from './json.ts';
import { SseParser } from './sseParser.ts';

/** Longest part of an unparsable body kept in the error, in characters. */
const BODY_EXCERPT_CHARS = 200;

/** The error for a request refused with `status` and `body`. */
export function errorFromBody(status: number, body: string): DashScopeError {
  const json = parseObject(body) ?? parseSseError(body);
  const field = (key: string): string | undefined => stringField(json, key);
  return new DashScopeError({
    status,
    code: field('code') || `HTTP${status}`,
    serverMessage: field('message') ?? field('msg') ?? (json ? '' : body.slice(0, BODY_EXCERPT_CHARS)),
    requestId: field('request_id'),
    outcomeUnknown: status >= 500,
  });
}

function parseSseError(body: string): Record<string, unknown> | undefined {
  const parser = new SseParser();
  const events = [...parser.push(body), ...parser.end()];
  for (const event of events) {
    const data = parseObject(event.data);
    if (stringField(data, 'code') !== undefined) return data;
  }
  return undefined;
}

/** Reads a refused upgrade's body, then reports its error; never throws. */
export function readRefusal(res: IncomingMessage, report: (error: DashScopeError) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (part: Buffer) => parts.push(part));
  res.on('error', () => report(errorFromBody(res.statusCode ?? 0, '')));
  res.on('end', () => report(errorFromBody(res.statusCode ?? 0, Buffer.concat(parts).toString('utf8'))));
}
