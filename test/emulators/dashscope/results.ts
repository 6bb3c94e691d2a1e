/**
 * The emulator's stand-in for the OSS bucket that holds generated WAV files (`output.audio.url`, spec §2).
 * @remarks Served at `GET /emulator-results/<audio id>.wav?Expires=…` without auth, like a signed OSS URL.
 * Only the newest {@link MAX_RESULTS} results per emulator are kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { wavFile } from './audio.ts';
import type { EmulatorContext } from './state.ts';

/** Path prefix of result downloads. */
export const RESULT_PATH_PREFIX = '/emulator-results/';

/** How long a result URL is valid, in seconds (spec §2: 24 h). */
export const RESULT_TTL_S = 86_400;

const MAX_RESULTS = 64;
const RESULT_PATH = /^\/emulator-results\/(audio_[0-9a-f-]+)\.wav$/;

interface StoredResult {
  pcm: Buffer;
  sampleRate: number;
}

const stores = new WeakMap<EmulatorContext, Map<string, StoredResult>>();

function storeOf(ctx: EmulatorContext): Map<string, StoredResult> {
  let store = stores.get(ctx);
  if (store === undefined) {
    store = new Map();
    stores.set(ctx, store);
  }
  return store;
}

/** Keeps `pcm` downloadable as `<id>.wav`; returns the absolute URL and its expiry (Unix seconds). */
export function storeResult(
  ctx: EmulatorContext,
  req: IncomingMessage,
  result: { id: string; pcm: Buffer; sampleRate: number },
): { url: string; expiresAt: number } {
  const store = storeOf(ctx);
  store.set(result.id, { pcm: result.pcm, sampleRate: result.sampleRate });
  for (const oldest of store.keys()) {
    if (store.size <= MAX_RESULTS) break;
    store.delete(oldest);
  }
  const expiresAt = Math.floor(Date.now() / 1000) + RESULT_TTL_S;
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
  return {
    url: `http://${host}${RESULT_PATH_PREFIX}${result.id}.wav?Expires=${expiresAt}&Signature=emulator`,
    expiresAt,
  };
}

/**
 * Serves a result download; returns false when the request is not for {@link RESULT_PATH_PREFIX}.
 * @remarks The server calls this before its auth check: result URLs carry no key.
 */
export function handleResultDownload(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): boolean {
  const path = new URL(req.url ?? '/', 'http://emulator.invalid').pathname;
  if (!path.startsWith(RESULT_PATH_PREFIX)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
    return true;
  }
  const id = RESULT_PATH.exec(path)?.[1];
  const stored = id === undefined ? undefined : stores.get(ctx)?.get(id);
  if (stored === undefined) {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not ' +
      'exist.</Message></Error>';
    res.writeHead(404, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
    return true;
  }
  const wav = wavFile(stored.pcm, stored.sampleRate);
  res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
  res.end(req.method === 'HEAD' ? undefined : wav);
  return true;
}
