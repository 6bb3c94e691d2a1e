/**
 * Request bodies as @discordjs/rest sends them: JSON, or multipart with `files[n]` and `payload_json`.
 */
import type { IncomingMessage } from 'node:http';
import type { RestFile } from './types.ts';

/** Largest body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1_048_576;

/** A parsed body; `error` is set when it could not be parsed. */
export interface ParsedBody {
  body: unknown;
  files: RestFile[];
  error: string | null;
}

/** Reads the whole request; resolves with what arrived, never rejects. */
export function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => resolve(Buffer.concat(chunks));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', finish);
    req.on('error', finish);
    req.on('close', finish);
  });
}

/** Parses by content type; never throws. */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { body: undefined, files: [], error: null };
  if (contentType?.toLowerCase().startsWith('multipart/form-data')) return parseMultipart(raw, contentType);
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files: [], error: null };
  } catch {
    return { body: raw.toString('utf8'), files: [], error: 'body is not JSON' };
  }
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Request('http://emulator.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
  } catch (error) {
    return { body: undefined, files: [], error: `bad multipart body: ${String(error)}` };
  }
  const files: RestFile[] = [];
  let body: unknown;
  let error: string | null = null;
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') {
      if (field !== 'payload_json') continue;
      try {
        body = JSON.parse(value) as unknown;
      } catch {
        error = 'payload_json is not JSON';
      }
      continue;
    }
    const index = /^files\[(\d+)\]$/.exec(field);
    files.push({
      field,
      index: index ? Number(index[1]) : -1,
      filename: value.name,
      contentType: value.type === '' ? null : value.type,
      data: Buffer.from(await value.arrayBuffer()),
    });
  }
  return { body, files, error };
}
