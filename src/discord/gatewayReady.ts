import { type Client, Status } from 'discord.js';

/**
 * Whether the client has become ready and every gateway shard of this process is connected and ready now.
 * @remarks `Client#isReady()` stays true while a shard reconnects or resumes; the shards' own status does not.
 */
export function gatewayReady(client: Client): boolean {
  return client.isReady() && client.ws.shards.size > 0 && client.ws.shards.every((s) => s.status === Status.Ready);
}
