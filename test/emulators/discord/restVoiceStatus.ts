/**
 * Set Voice Channel Status (`PUT /channels/{id}/voice-status`, documented April 2026) and its
 * VOICE_CHANNEL_STATUS_UPDATE dispatch.
 * @remarks Documented: the body `{ status: ?string }` of up to 500 characters; SET_VOICE_CHANNEL_STATUS
 * (1 << 48) is required, and MANAGE_CHANNELS too when the bot is not connected to the channel; the
 * event `{ id, guild_id, status }` (GUILDS intent). Not documented, so chosen here and configurable where
 * it matters (`voiceStatus` options): the success status (204, as the types package's `undefined` result
 * suggests), the error codes (50013 Missing Permissions, 50024 for a channel that is not a voice channel,
 * 50035 for a bad body), an empty string clearing like `null`, and whether Discord clears a status when the
 * channel empties (off by default).
 */
import { type EmulatorContext, Intent } from './context.ts';
import type { GuildModel } from './guildModel.ts';
import { permissionsIn } from './guildPayloads.ts';
import { Perm } from './permissions.ts';
import { apiError, bodyObject, NO_CONTENT, type RestReply, type RestRequest, type Route, route } from './restRoute.ts';
import type { VoiceStatusChange } from './types.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** Discord's limit on a status, in characters. */
export const VOICE_STATUS_MAX_CHARS = 500;

/** The route. */
export function voiceStatusRoutes(): Route[] {
  return [route('PUT', '/channels/:channelId/voice-status', onSetStatus)];
}

function onSetStatus({ ctx, params, call }: RestRequest): RestReply {
  const channelId = params.channelId ?? '';
  const guild = [...ctx.guilds.values()].find((g) => g.channels.has(channelId));
  const channel = guild?.channels.get(channelId);
  if (guild === undefined || channel === undefined) return apiError(404, 10_003, 'Unknown Channel');
  const perms = permissionsIn(guild, ctx.bot.id, channelId);
  if ((perms & Perm.ViewChannel) === 0n) return apiError(403, 50_001, 'Missing Access');
  if (channel.type !== 2) return apiError(400, 50_024, 'Cannot execute action on this channel type');
  const connected = guild.voiceStates.get(ctx.bot.id)?.channelId === channelId;
  const needed =
    Perm.SetVoiceChannelStatus |
    (connected || !ctx.options.voiceStatus.manageChannelsWhenNotConnected ? 0n : Perm.ManageChannels);
  if ((perms & needed) !== needed) return apiError(403, 50_013, 'Missing Permissions');
  const body = bodyObject(call);
  const status = body.status;
  if (status !== null && typeof status !== 'string')
    return apiError(400, 50_035, 'Invalid Form Body (status: This field is required)');
  if (typeof status === 'string' && [...status].length > VOICE_STATUS_MAX_CHARS)
    return apiError(400, 50_035, `Invalid Form Body (status: Must be ${VOICE_STATUS_MAX_CHARS} or fewer in length.)`);
  setVoiceStatus(ctx, guild, channelId, status === '' ? null : status, 'bot');
  return NO_CONTENT;
}

/** Sets a channel's status, records it and dispatches VOICE_CHANNEL_STATUS_UPDATE. */
export function setVoiceStatus(
  ctx: EmulatorContext,
  guild: GuildModel,
  channelId: string,
  status: string | null,
  by: 'bot' | 'emptied',
): void {
  const channel = guild.channels.get(channelId);
  if (channel === undefined) return;
  channel.status = status;
  ctx.voiceStatuses.push({ channelId, status, by, at: performance.now() });
  ctx.dispatch('VOICE_CHANNEL_STATUS_UPDATE', { id: channelId, guild_id: guild.id, status }, Intent.Guilds);
  ctx.watch.notify();
}

/** With `voiceStatus.clearWhenEmpty`, clears the status of a voice channel nobody is in any more. */
export function clearIfEmpty(ctx: EmulatorContext, guild: GuildModel, channelId: string | null | undefined): void {
  if (!ctx.options.voiceStatus.clearWhenEmpty || channelId == null) return;
  if (guild.channels.get(channelId)?.status == null) return;
  if ([...guild.voiceStates.values()].some((s) => s.channelId === channelId)) return;
  setVoiceStatus(ctx, guild, channelId, null, 'emptied');
}

/** Voice channel statuses as a test sees them. */
export interface VoiceStatusApi {
  /** A voice channel's status now (`null`: none). */
  voiceStatus(channelId: string): string | null;
  /** Every status change, oldest first, of one channel or of all. */
  voiceStatuses(channelId?: string): VoiceStatusChange[];
  /** Resolves with the first change (past or future) of `channelId` that `predicate` accepts. */
  waitForVoiceStatus(
    channelId: string,
    predicate: (change: VoiceStatusChange) => boolean,
    timeoutMs?: number,
  ): Promise<VoiceStatusChange>;
}

/** The status API over `ctx`. */
export function voiceStatusApi(ctx: EmulatorContext): VoiceStatusApi {
  const changes = (channelId?: string) =>
    ctx.voiceStatuses.filter((c) => channelId === undefined || c.channelId === channelId);
  return {
    voiceStatus: (channelId) => {
      for (const guild of ctx.guilds.values()) {
        const channel = guild.channels.get(channelId);
        if (channel) return channel.status;
      }
      throw new Error(`unknown channel ${channelId}`);
    },
    voiceStatuses: changes,
    waitForVoiceStatus: (channelId, predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(() => changes(channelId).find(predicate), timeoutMs, `a status change of ${channelId}`),
  };
}
