/**
 * Who is in a guild's call: the bot (over its voice socket) and a listening member for every human
 * with a voice state in the bot's channel. Members join and leave as voice states change, which
 * drives Add/Remove proposals and new epochs. What the first listener hears is the guild's audio.
 */
import type { EmulatorContext } from './context.ts';
import { type CallMember, DaveCall } from './daveCall.ts';
import { DaveListener } from './daveListener.ts';
import type { RtpHeader } from './rtp.ts';
import type { GuildVoiceState, VoicePacket } from './voiceRecord.ts';

/** The call of `state`, (re)created when the bot's channel or the DAVE version changed. */
export function callFor(ctx: EmulatorContext, state: GuildVoiceState, channelId: string, version: 0 | 1): DaveCall {
  if (state.call !== null && state.call.channelId === channelId && state.call.options.version === version)
    return state.call;
  endCall(state);
  const call = new DaveCall(
    channelId,
    {
      version,
      firstTransitionZero: ctx.options.daveFirstTransitionZero,
      transitionTimeoutMs: 3_000,
    },
    state.daveFaults,
  );
  state.call = call;
  state.view.dave = call.record;
  return call;
}

/** The bot connects (a new voice session): it joins the call, then the humans already in the channel. */
export function joinBot(ctx: EmulatorContext, state: GuildVoiceState, call: DaveCall, bot: CallMember): void {
  call.join(bot);
  syncListeners(ctx, state);
}

/** Starts listeners for humans in the call's channel and stops those who left it. */
export function syncListeners(ctx: EmulatorContext, state: GuildVoiceState): void {
  const call = state.call;
  if (call === null) return;
  const guild = ctx.guilds.get(state.view.guildId);
  const present = new Set<string>();
  for (const [userId, voice] of guild?.voiceStates ?? []) {
    if (voice.channelId === call.channelId && ctx.users.get(userId)?.bot !== true) present.add(userId);
  }
  for (const [userId, listener] of state.listeners) {
    if (present.has(userId)) continue;
    listener.stop();
    state.listeners.delete(userId);
  }
  for (const userId of present) {
    if (state.listeners.has(userId)) continue;
    const listener = new DaveListener(userId, call);
    state.listeners.set(userId, listener);
    state.view.listeners.push(listener.record);
    listener.start();
  }
  ctx.watch.notify();
}

/** Ends the call: every listener leaves, timers stop. */
export function endCall(state: GuildVoiceState): void {
  for (const listener of state.listeners.values()) listener.stop();
  state.listeners.clear();
  state.call?.close();
  state.call = null;
}

/**
 * One transport-decrypted frame from the bot, heard by every listener. Returns the packet of the
 * first listener (null when it lost the frame), or `undefined` when nobody listens.
 */
export function hearBot(
  ctx: EmulatorContext,
  state: GuildVoiceState,
  header: RtpHeader,
  frame: Buffer,
  receivedAt: number,
): VoicePacket | null | undefined {
  let primary: VoicePacket | null | undefined;
  for (const listener of state.listeners.values()) {
    const packet = listener.hear(ctx.bot.id, header, frame, receivedAt);
    if (primary === undefined) primary = packet;
  }
  return primary;
}
