/**
 * The bot's op 4 (join, move, leave) on the main gateway, and server-side voice state changes:
 * VOICE_STATE_UPDATE first, then VOICE_SERVER_UPDATE with `endpoint: "localhost:V"` (spec §2.6).
 */
import { type EmulatorContext, guildVoice, Intent, requireGuild } from './context.ts';
import { endCall, syncListeners } from './daveMembers.ts';
import { type GuildModel, resolveChannel, resolveUser } from './guildModel.ts';
import { permissionsIn, voiceStatePayload } from './guildPayloads.ts';
import { randomToken } from './ids.ts';
import { Perm } from './permissions.ts';
import { clearIfEmpty } from './restVoiceStatus.ts';
import type { VoiceRequest } from './voiceRecord.ts';

/** Handles op 4 from the bot; ignores requests Discord would ignore (and records why). */
export function onBotVoiceRequest(ctx: EmulatorContext, d: Record<string, unknown>): void {
  const guild = ctx.guilds.get(String(d.guild_id ?? ''));
  if (guild === undefined) return;
  const state = guildVoice(ctx, guild.id);
  const channelId = typeof d.channel_id === 'string' ? d.channel_id : null;
  const request: VoiceRequest = {
    at: performance.now(),
    channelId,
    selfDeaf: d.self_deaf === true,
    selfMute: d.self_mute === true,
    refused: channelId === null ? null : refusal(ctx, guild, channelId),
  };
  state.view.requests.push(request);
  if (request.refused !== null) return;
  if (channelId === null) return leaveVoice(ctx, guild, 4_014, 'Disconnected.');
  const moving = state.view.connected && state.view.channelId !== null && state.view.channelId !== channelId;
  state.view.channelId = channelId;
  state.sessionId = ctx.gatewaySessionId(guild.id) ?? randomToken('vsess', 16);
  guild.voiceStates.set(ctx.bot.id, {
    channelId,
    sessionId: state.sessionId,
    selfDeaf: request.selfDeaf,
    selfMute: request.selfMute,
  });
  ctx.dispatch('VOICE_STATE_UPDATE', voiceStatePayload(guild, ctx.bot.id, ctx.users), Intent.GuildVoiceStates);
  if (moving) return;
  const allocated = (): void => {
    if (state.view.channelId !== channelId) return; // left or moved while the server was allocated
    state.token = randomToken('vtok', 12);
    ctx.dispatch('VOICE_SERVER_UPDATE', {
      token: state.token,
      guild_id: guild.id,
      endpoint: `localhost:${ctx.voicePort}`,
    });
  };
  if (ctx.options.voiceServerDelayMs > 0) setTimeout(allocated, ctx.options.voiceServerDelayMs).unref();
  else allocated();
}

/** Removes the bot from voice: VOICE_STATE_UPDATE with a null channel, then closes the voice socket. */
export function leaveVoice(ctx: EmulatorContext, guild: GuildModel, code: number, reason: string): void {
  const state = guildVoice(ctx, guild.id);
  const sessionId = guild.voiceStates.get(ctx.bot.id)?.sessionId ?? state.sessionId ?? undefined;
  const left = guild.voiceStates.get(ctx.bot.id)?.channelId;
  state.view.channelId = null;
  guild.voiceStates.delete(ctx.bot.id);
  ctx.dispatch(
    'VOICE_STATE_UPDATE',
    voiceStatePayload(guild, ctx.bot.id, ctx.users, sessionId),
    Intent.GuildVoiceStates,
  );
  ctx.closeVoiceSocket(guild.id, code, reason);
  endCall(state);
  state.token = null;
  clearIfEmpty(ctx, guild, left);
}

/** Moves any member (or the bot) to `channelId`, or out of voice with `null`, and dispatches it. */
export function setMemberVoice(ctx: EmulatorContext, guildId: string, userId: string, channelId: string | null): void {
  const guild = requireGuild(ctx, guildId);
  const memberId = resolveUser(guild, userId, ctx.users);
  if (memberId === ctx.bot.id && channelId === null) return leaveVoice(ctx, guild, 4_014, 'Disconnected.');
  const left = guild.voiceStates.get(memberId)?.channelId;
  if (channelId === null) {
    const sessionId = guild.voiceStates.get(memberId)?.sessionId;
    guild.voiceStates.delete(memberId);
    ctx.dispatch(
      'VOICE_STATE_UPDATE',
      voiceStatePayload(guild, memberId, ctx.users, sessionId),
      Intent.GuildVoiceStates,
    );
    syncListeners(ctx, guildVoice(ctx, guild.id));
    clearIfEmpty(ctx, guild, left);
    return;
  }
  const target = resolveChannel(guild, channelId);
  const previous = guild.voiceStates.get(memberId);
  guild.voiceStates.set(memberId, {
    channelId: target,
    sessionId: previous?.sessionId ?? ctx.nextId(),
    selfDeaf: false,
    selfMute: false,
  });
  if (memberId === ctx.bot.id) guildVoice(ctx, guild.id).view.channelId = target;
  ctx.dispatch('VOICE_STATE_UPDATE', voiceStatePayload(guild, memberId, ctx.users), Intent.GuildVoiceStates);
  syncListeners(ctx, guildVoice(ctx, guild.id));
  if (left !== target) clearIfEmpty(ctx, guild, left);
}

function refusal(ctx: EmulatorContext, guild: GuildModel, channelId: string): VoiceRequest['refused'] {
  const channel = guild.channels.get(channelId);
  if (channel === undefined || channel.type !== 2) return 'unknown channel';
  const perms = permissionsIn(guild, ctx.bot.id, channelId);
  if ((perms & (Perm.ViewChannel | Perm.Connect)) !== (Perm.ViewChannel | Perm.Connect)) return 'missing permissions';
  const present = [...guild.voiceStates.entries()].filter(
    ([id, s]) => s.channelId === channelId && id !== ctx.bot.id,
  ).length;
  const canMove = (perms & Perm.MoveMembers) !== 0n;
  return channel.userLimit > 0 && present >= channel.userLimit && !canMove ? 'channel full' : null;
}
