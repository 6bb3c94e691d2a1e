/**
 * The REST half of the emulator: `/api/v10/*` routes, request recording, scripted faults, and the
 * attachment files it serves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext, RestFault } from './context.ts';
import { parseBody, readRaw } from './restBody.ts';
import { apiError, type RestReply, type Route } from './restRoute.ts';
import type { RestCall } from './types.ts';

const API_PREFIX = /^\/api\/v(\d+)(?=\/)/;

/** Handles one HTTP request; never rejects. */
export async function onRestRequest(
  ctx: EmulatorContext,
  routes: readonly Route[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname.startsWith('/attachments/')) return serveAttachment(ctx, url.pathname, res);
    const raw = await readRaw(req);
    const parsed = await parseBody(raw, req.headers['content-type']);
    const call: RestCall = {
      method: req.method ?? 'GET',
      path: safeDecode(url.pathname.replace(API_PREFIX, '')),
      query: Object.fromEntries(url.searchParams),
      body: parsed.body,
      files: parsed.files,
      authorized: req.headers.authorization === `Bot ${ctx.options.token}`,
      status: 0,
      at: performance.now(),
    };
    ctx.restCalls.push(call);
    let reply: RestReply;
    if (!API_PREFIX.test(url.pathname)) reply = apiError(404, 0, '404: Not Found');
    else if (parsed.error !== null) reply = apiError(400, 50_109, 'The request body contains invalid JSON.');
    else reply = takeFault(ctx.faults, call) ?? (await routeCall(ctx, routes, call));
    call.status = reply.status;
    send(res, reply);
    ctx.watch.notify();
  } catch (error) {
    send(res, apiError(500, 0, `emulator error: ${String(error)}`));
  }
}

async function routeCall(ctx: EmulatorContext, routes: readonly Route[], call: RestCall): Promise<RestReply> {
  for (const route of routes) {
    if (route.method !== call.method) continue;
    const match = route.pattern.exec(call.path);
    if (match === null) continue;
    if (route.auth && !call.authorized) return apiError(401, 0, '401: Unauthorized');
    try {
      return await route.handler({ ctx, params: match.groups ?? {}, call });
    } catch (error) {
      return apiError(400, 50_035, `Invalid Form Body (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return apiError(404, 0, '404: Not Found');
}

function takeFault(faults: RestFault[], call: RestCall): RestReply | undefined {
  const fault = faults.find(
    (f) =>
      (f.method === undefined || f.method === call.method) &&
      (typeof f.path === 'string' ? f.path === call.path : f.path.test(call.path)),
  );
  if (fault === undefined) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) faults.splice(faults.indexOf(fault), 1);
  return { status: fault.status, body: fault.body };
}

function serveAttachment(ctx: EmulatorContext, pathname: string, res: ServerResponse): void {
  const id = pathname.split('/')[3] ?? '';
  const attachment = ctx.attachments.get(id);
  if (attachment === undefined) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': attachment.contentType ?? 'application/octet-stream',
    'content-length': attachment.data.length,
  });
  res.end(attachment.data);
}

function send(res: ServerResponse, reply: RestReply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
