/** Identifiers in the shapes the real service uses (spec §1.3). */
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHARS = 21;

/** `<prefix>_` + 21 chars of `[A-Za-z0-9]`, e.g. `event_RiXR49wQsjYDGIdFZZvwV`. */
export function realtimeId(prefix: 'event' | 'sess' | 'resp' | 'item'): string {
  let id = `${prefix}_`;
  for (const byte of randomBytes(ID_CHARS)) id += ALNUM[byte % ALNUM.length];
  return id;
}

/** A DashScope `request_id` (a UUID). */
export function requestId(): string {
  return randomUUID();
}

/** A generation result id, `audio_<uuid>`. */
export function audioId(): string {
  return `audio_${randomUUID()}`;
}
