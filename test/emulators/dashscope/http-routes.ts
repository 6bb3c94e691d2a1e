/**
 * The emulator's plain HTTP requests: routing, recording, faults, auth, then the endpoint handlers.
 * @remarks Order per request: read body → record → latency → fault before processing (drop, 429, 500,
 * `failNextWith`) → auth (401) → body checks (413, malformed JSON) → process → fault after processing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleCustomization } from './customization.ts';
import { INTERNAL_ERROR_MESSAGE, takePostFault, takePreFault } from './http-faults.ts';
import {
  errorReply,
  holdFor,
  isAuthorized,
  type JsonReply,
  type ParsedBody,
  parseJson,
  readBody,
  sendJson,
} from './http-io.ts';
import { handleGeneration, handleResultDownload } from './sse.ts';
import type { EmulatorContext } from './state.ts';

export const CUSTOMIZATION_PATH = '/api/v1/services/audio/tts/customization';
export const GENERATION_PATH = '/api/v1/services/aigc/multimodal-generation/generation';

type Route = 'customization' | 'generation';

/** The path of a request URL, without its query. */
export function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
}

function routeOf(req: IncomingMessage): Route | null {
  if (req.method !== 'POST') return null;
  const path = pathOf(req);
  if (path === CUSTOMIZATION_PATH) return 'customization';
  if (path === GENERATION_PATH) return 'generation';
  return null;
}

/** Answers one HTTP request; never rejects (a failure becomes a 500 or a dropped socket). */
export async function onHttpRequest(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    // Result downloads are pre-signed URLs, like OSS's: no auth, no faults.
    if (req.method === 'GET' && handleResultDownload(ctx, req, res)) return;
    await serve(ctx, req, res);
  } catch {
    if (!res.headersSent) sendJson(res, errorReply(500, 'InternalError', INTERNAL_ERROR_MESSAGE));
    else req.socket.destroy();
  }
}

async function serve(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  const parsed = text.kind === 'text' ? parseJson(text.text) : null;
  const route = routeOf(req);
  const action = record(ctx, req, route, parsed);
  await holdFor(ctx.faults.http.latencyMs, req.socket);
  if (route === null) return sendJson(res, notFound(req));
  const targeted = ctx.faults.http.onlyAction === null || ctx.faults.http.onlyAction === action;
  const pre = targeted ? takePreFault(ctx.faults.http) : null;
  if (pre?.kind === 'drop') return void req.socket.destroy();
  if (pre) return sendJson(res, pre.reply);
  if (!isAuthorized(req, ctx.options.apiKey)) {
    return sendJson(res, errorReply(401, 'InvalidApiKey', 'Invalid API-key provided.'));
  }
  if (parsed === null) return sendJson(res, errorReply(413, 'BadRequest.TooLarge', 'Payload Too Large.'));
  if (!parsed.ok) return sendJson(res, malformedJson());
  if (route === 'generation') return generate(ctx, req, res, parsed.value, targeted);
  const reply = handleCustomization(ctx, parsed.value);
  const post = targeted ? takePostFault(ctx.faults.http) : null;
  if (post?.kind === 'drop') return void req.socket.destroy();
  if (post) await holdFor(post.ms, req.socket);
  sendJson(res, reply);
}

/**
 * Hands a generation request to `sse.ts`, after the faults that apply once processing would start.
 * @remarks Generation has no state to change, so "drop after processing" drops before streaming and
 * "stall after processing" holds the response before the first byte.
 */
async function generate(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  targeted: boolean,
): Promise<void> {
  const post = targeted ? takePostFault(ctx.faults.http) : null;
  if (post?.kind === 'drop') return void req.socket.destroy();
  if (post) await holdFor(post.ms, req.socket);
  if (req.socket.destroyed) return;
  await handleGeneration(ctx, req, res, body);
}

/** Logs the request and returns its action. */
function record(ctx: EmulatorContext, req: IncomingMessage, route: Route | null, parsed: ParsedBody | null): string {
  const body = parsed === null ? null : parsed.ok ? parsed.value : parsed.raw;
  const action = route === 'generation' ? 'generation' : route === 'customization' ? actionOf(body) : '';
  ctx.requests.push({ at: Date.now(), method: req.method ?? '', path: pathOf(req), action, body });
  return action;
}

function actionOf(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const input = (body as { input?: unknown }).input;
  if (typeof input !== 'object' || input === null) return '';
  const action = (input as { action?: unknown }).action;
  return typeof action === 'string' ? action : '';
}

/** INFERRED: the live service's answer to an unparsable body is not in the spec. */
function malformedJson(): JsonReply {
  return errorReply(400, 'InvalidParameter', 'Request body is not valid JSON.');
}

/** INFERRED: the code and message for an unknown path are not in the spec. */
function notFound(req: IncomingMessage): JsonReply {
  return errorReply(404, 'NotFound', `No such endpoint: ${req.method ?? ''} ${pathOf(req)}`);
}
