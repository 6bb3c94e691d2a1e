/** Reading a refused realtime WebSocket upgrade (an HTTP status and its body) into a `DashScopeError`. */
import type { IncomingMessage } from 'node:http';
import { errorFromBody } from '../classify.ts';
import type { DashScopeError } from '../errors.ts';

/** Reads a refused upgrade's body, then reports its error; never throws. */
export function readRefusal(res: IncomingMessage, report: (error: DashScopeError) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (part: Buffer) => parts.push(part));
  res.on('error', () => report(errorFromBody(res.statusCode ?? 0, '')));
  res.on('end', () => report(errorFromBody(res.statusCode ?? 0, Buffer.concat(parts).toString('utf8'))));
}
