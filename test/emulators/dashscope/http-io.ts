/**
 * Small HTTP helpers of the emulator: body reading, DashScope-shaped JSON replies, bearer auth.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestId } from './ids.ts';

/** Largest request body accepted, in bytes; larger ones get 413 `BadRequest.TooLarge`. */
export const MAX_BODY_BYTES = 1_048_576;

/** A reply the customization handlers compute before anything is written to the socket. */
export interface JsonReply {
  status: number;
  body: Record<string, unknown>;
}

/** The request body: its text, or `tooLarge` when it passed `MAX_BODY_BYTES` (the rest is drained). */
export type BodyText = { kind: 'text'; text: string } | { kind: 'tooLarge' };

/** Parsed JSON or the reason it could not be parsed. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; raw: string };

/** Reads the whole request body; never rejects (a broken stream resolves with what arrived). */
export function readBody(req: IncomingMessage): Promise<BodyText> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      resolve(
        size > MAX_BODY_BYTES ? { kind: 'tooLarge' } : { kind: 'text', text: Buffer.concat(chunks).toString('utf8') },
      );
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
  });
}

/** Parses a body as JSON without throwing. */
export function parseJson(text: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, raw: text };
  }
}

/** The DashScope error body `{request_id, code, message}` with its status. */
export function errorReply(status: number, code: string, message: string): JsonReply {
  return { status, body: { request_id: requestId(), code, message } };
}

/** Writes a JSON reply unless the socket is already gone. */
export function sendJson(res: ServerResponse, reply: JsonReply): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** True when `Authorization` is `Bearer <apiKey>`, scheme case-insensitive. */
export function isAuthorized(req: IncomingMessage, apiKey: string): boolean {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] === apiKey;
}

/**
 * Resolves after `ms` milliseconds, or as soon as `socket` closes (at once for 0 or less).
 * @remarks Held responses must not keep timers alive after the client left or the emulator closed.
 */
export function holdFor(ms: number, socket: Duplex): Promise<void> {
  if (ms <= 0 || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.once('close', done);
  });
}
