import {
  type BaseMessageOptions,
  type Client,
  escapeMarkdown,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from '../log.ts';

/** No message of the bot ever pings anyone. */
export const NO_MENTIONS = { parse: [] } as const;

/**
 * Member-written text made inert for a bot message: no markdown, no masked or bare links, no mentions.
 * @remarks Descriptions, names and dictionary entries are shown back in public replies; escaped, a
 * `[FREE NITRO](https://…)` reads as exactly what was typed and links nowhere.
 */
export function plain(text: string): string {
  const options = { heading: true, bulletedList: true, numberedList: true, maskedLink: true } as const;
  return escapeMarkdown(text, options)
    .replace(/^(\s*)>/gmu, '$1\\>')
    .replace(/[<@]/gu, '\\$&')
    .replace(/:\/\//gu, '\\://');
}

type Content = string | (BaseMessageOptions & { ephemeral?: boolean });

/**
 * Answers an interaction whatever state it is in (fresh, deferred or replied), never pinging anyone.
 * @remarks Ephemeral by default: errors and confirmations are for the member who asked.
 */
export async function respond(interaction: RepliableInteraction, content: Content): Promise<void> {
  const { ephemeral = true, ...options } = typeof content === 'string' ? { content } : content;
  const message = { ...options, allowedMentions: NO_MENTIONS };
  if (interaction.deferred) await interaction.editReply(message);
  else if (interaction.replied)
    await interaction.followUp({ ...message, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
  else await interaction.reply({ ...message, flags: ephemeral ? MessageFlags.Ephemeral : undefined });
}

/** Discord wants a first answer within 3 s; work still running after this defers the answer first, ms. */
export const DEFER_AFTER_MS = 2_000;

/**
 * Awaits `work`, deferring the interaction's answer if it takes longer than {@link DEFER_AFTER_MS}, so a slow step
 * (a voice server allocated late, a join held by the gateway's 120-a-minute send limit) never ends in "The
 * application did not respond". `ephemeral` must match the answer that follows: Discord fixes it at the deferral.
 */
export async function deferIfSlow<T>(
  interaction: RepliableInteraction,
  work: Promise<T>,
  ephemeral = true,
): Promise<T> {
  if (interaction.deferred || interaction.replied) return work;
  let deferral: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    deferral = interaction.deferReply({ flags }).catch(() => undefined); // too late: the answer fails, and is logged
  }, DEFER_AFTER_MS);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    await deferral;
  }
}

/** Posts a line in a text channel without pinging anyone; failures (no permission) are logged, never thrown. */
export function postLine(client: Client, log: Logger, channelId: string, content: string): void {
  void (async () => {
    const channel = await client.channels.fetch(channelId);
    if (channel?.isSendable()) await channel.send({ content, allowedMentions: NO_MENTIONS });
  })().catch((error: unknown) => log.warn({ err: error, channelId }, 'could not post in the channel'));
}
