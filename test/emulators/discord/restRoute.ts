/**
 * Route table primitives of the REST emulator.
 */
import type { EmulatorContext } from './context.ts';
import type { RestCall } from './types.ts';

/** A reply: status and JSON body (omitted for 204). */
export interface RestReply {
  status: number;
  body?: unknown;
}

/** What a route handler gets. */
export interface RestRequest {
  ctx: EmulatorContext;
  params: Record<string, string>;
  call: RestCall;
}

/** One route; `auth` routes need `Authorization: Bot <token>`. */
export interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler(req: RestRequest): RestReply | Promise<RestReply>;
}

/** A route from a template such as `/channels/:channelId/messages`. */
export function route(method: string, template: string, handler: Route['handler'], auth = true): Route {
  const source = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, '(?<$1>[^/]+)');
  return { method, pattern: new RegExp(`^${source}$`), auth, handler };
}

/** A Discord error reply `{ message, code }`. */
export function apiError(status: number, code: number, message: string): RestReply {
  return { status, body: { message, code } };
}

/** A 200 JSON reply. */
export function ok(body: unknown): RestReply {
  return { status: 200, body };
}

/** An empty 204 reply. */
export const NO_CONTENT: RestReply = { status: 204 };

/** The body as an object (`{}` when it is not one). */
export function bodyObject(call: RestCall): Record<string, unknown> {
  return typeof call.body === 'object' && call.body !== null && !Array.isArray(call.body)
    ? (call.body as Record<string, unknown>)
    : {};
}
