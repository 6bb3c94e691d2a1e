import type Keyv from 'keyv';
import type { ValidDesignRequest } from '../dashscope/validate.ts';

/**
 * A design about to be paid for, written to the store before the paid create.
 * @remarks It holds the name and a place under the server's cap while the create runs, so a second design
 * of the same name or past the cap is refused before paying; if the process dies before the voice is
 * recorded, the next start finds the voice through DashScope's `list` by these fields and adopts it.
 */
export interface PendingDesign {
  id: string;
  /** Normalized registry name. */
  name: string;
  createdBy: string;
  /** Unix ms the paid call was about to start. */
  startedAt: number;
  request: Pick<ValidDesignRequest, 'preferredName' | 'targetModel' | 'description' | 'previewText' | 'language'>;
}

export const pendingKey = (guildId: string): string => `pending-designs:${guildId}`;

/** The guild's pending designs; malformed entries are dropped (they hold nothing). */
export async function readPending(keyv: Keyv, guildId: string): Promise<PendingDesign[]> {
  return pendingOf(await keyv.get(pendingKey(guildId)));
}

/** Pending designs in a stored value as read; anything else holds nothing. */
export function pendingOf(raw: unknown): PendingDesign[] {
  return Array.isArray(raw) ? raw.filter(isPending) : [];
}

/** The value that stores `pending`: `undefined` (the key is deleted) when there are none. */
export function pendingValue(pending: PendingDesign[]): PendingDesign[] | undefined {
  return pending.length === 0 ? undefined : pending;
}

function isPending(value: unknown): value is PendingDesign {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  const request = p.request as Record<string, unknown> | null | undefined;
  return (
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    typeof p.createdBy === 'string' &&
    typeof p.startedAt === 'number' &&
    typeof request === 'object' &&
    request !== null &&
    typeof request.preferredName === 'string' &&
    typeof request.description === 'string'
  );
}
