import { setTimeout as delay } from 'node:timers/promises';
import { type Client, Events, type Interaction } from 'discord.js';
import { NO_MENTIONS, respond } from '../discord/reply.ts';
import type { Logger } from '../log.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { Utterance } from '../playback/utterance.ts';

/** How long shutdown lets the utterances being spoken or queued finish, ms. */
export const SHUTDOWN_SPEECH_WAIT_MS = 10_000;
/** How long shutdown waits for Discord to confirm the bot left every voice channel, ms. */
export const SHUTDOWN_LEAVE_WAIT_MS = 3_000;
/** How long shutdown waits for store writes still in flight (usage, spend settlements), ms. */
export const SHUTDOWN_WRITES_WAIT_MS = 5_000;
/** How long shutdown waits for paid calls in flight (voice designs) and their writes, ms. */
export const SHUTDOWN_PAID_CALLS_WAIT_MS = 10_000;
/** The longest a graceful stop waits in all (speech and leaving run beside the paid calls; then writes), ms. */
export const SHUTDOWN_BOUND_MS =
  Math.max(SHUTDOWN_SPEECH_WAIT_MS + SHUTDOWN_LEAVE_WAIT_MS, SHUTDOWN_PAID_CALLS_WAIT_MS) + SHUTDOWN_WRITES_WAIT_MS;
/** The answer to every interaction that arrives while the bot shuts down. */
export const RESTARTING_REPLY = 'The bot is restarting and takes no new requests right now; try again in a minute.';

const POLL_MS = 100;

/**
 * Stops taking new work: chat is no longer narrated, and every new interaction is answered with
 * {@link RESTARTING_REPLY} (autocomplete with no choices). Handlers already running carry on.
 */
export function refuseNewWork(client: Client, log: Logger): void {
  client.removeAllListeners(Events.InteractionCreate);
  client.removeAllListeners(Events.MessageCreate);
  client.removeAllListeners(Events.MessageUpdate);
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    const answered = interaction.isAutocomplete()
      ? interaction.respond([])
      : interaction.isRepliable()
        ? respond(interaction, RESTARTING_REPLY)
        : Promise.resolve();
    answered.catch((error: unknown) => log.warn({ err: error }, 'could not answer while stopping'));
  });
}

/** Lets the utterances in flight be spoken for up to `waitMs`; returns those still unspoken. */
export async function finishSpeech(players: GuildPlayers, waitMs: number): Promise<readonly Utterance[]> {
  const end = Date.now() + waitMs;
  while (players.pending().length > 0 && Date.now() < end) await delay(POLL_MS);
  return players.pending();
}

/** Tells each channel, once, how many of its lines were not spoken because the bot stopped. */
export async function reportUnspoken(client: Client, log: Logger, utterances: readonly Utterance[]): Promise<void> {
  const perChannel = new Map<string, number>();
  for (const u of utterances) perChannel.set(u.reportChannelId, (perChannel.get(u.reportChannelId) ?? 0) + 1);
  await Promise.allSettled(
    [...perChannel].map(async ([channelId, count]) => {
      const lines = count === 1 ? '1 line was' : `${count} lines were`;
      const content = `The bot is restarting: ${lines} not spoken. Please send again in a minute.`;
      const channel = await client.channels.fetch(channelId);
      if (channel?.isSendable()) await channel.send({ content, allowedMentions: NO_MENTIONS });
    }),
  ).then((results) => {
    for (const r of results) if (r.status === 'rejected') log.warn({ err: r.reason }, 'could not report unspoken');
  });
}

/** Leaves every voice channel and waits (bounded) until Discord shows the bot in none. */
export async function leaveVoice(client: Client, players: GuildPlayers, waitMs: number): Promise<boolean> {
  players.leaveAll('shutdown');
  const inVoice = (): boolean => client.guilds.cache.some((g) => g.members.me?.voice.channelId != null);
  const end = Date.now() + waitMs;
  while (inVoice() && Date.now() < end) await delay(POLL_MS);
  return !inVoice();
}
