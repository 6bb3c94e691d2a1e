import { ActionRowBuilder, type AutocompleteInteraction, ButtonBuilder, ButtonStyle } from 'discord.js';
import { DESIGN_LANGUAGES } from '../../../commands/limits.ts';
import { UserError } from '../../errors.ts';
import type { CharacterVoice } from '../../voices/characterVoice.ts';
import { checkTuning } from '../../voices/speechTuning.ts';
import { nameKey } from '../../voices/voiceRecord.ts';
import type { App, ButtonHandler, Handler } from '../app.ts';
import { pager, rankChoices } from '../components.ts';
import { assertManagesServer, managesServer } from '../permissions.ts';
import { NO_MENTIONS, plain, respond } from '../reply.ts';

const PAGE_SIZE = 10;

async function voiceNamed(interaction: Parameters<Handler>[0], app: App): Promise<CharacterVoice> {
  const name = interaction.options.getString('name', true);
  const voice = await app.registry.get(interaction.guildId, name);
  if (!voice) throw new UserError('not_found', `This server has no voice called "${name}". See /voice list.`);
  return voice;
}

const timestamp = (ms: number): string => `<t:${Math.floor(ms / 1000)}:R>`;

/** `/voice list`: newest first, ten per page, with Previous/Next buttons. */
export const list: Handler = async (interaction, app) => {
  await respond(interaction, await listPage(app, interaction.guildId, 0));
};

/** Previous / Next under a `/voice list`. `args`: the page to show. */
export const onListButton: ButtonHandler = async (click, app, [, page]) => {
  await click.update(await listPage(app, click.guildId, Number(page) || 0));
};

async function listPage(app: App, guildId: string, requested: number) {
  const voices = await app.registry.list(guildId);
  if (voices.length === 0) return { content: 'No voices yet. Design the first with /voice design.', components: [] };
  const pages = Math.ceil(voices.length / PAGE_SIZE);
  const page = Math.min(pages - 1, Math.max(0, requested));
  const lines = voices
    .slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
    .map(
      (v) =>
        `• **${plain(v.name)}** — ${plain(v.description.slice(0, 80))} ` +
        `(${DESIGN_LANGUAGES[v.language]}, by <@${v.createdBy}>)`,
    );
  return {
    content: [
      `**Voices of this server** (${voices.length}/${app.config.limits.voicesPerGuild}) — page ${page + 1}/${pages}`,
      ...lines,
    ].join('\n'),
    components: pages > 1 ? [pager('list', page, pages)] : [],
    allowedMentions: NO_MENTIONS,
  };
}

/** `/voice info name`. */
export const info: Handler = async (interaction, app) => {
  const voice = await voiceNamed(interaction, app);
  const spoken = await app.preferences.usage(interaction.guildId, voice.voiceId);
  await respond(interaction, {
    content: [
      `**${voice.name}**`,
      `> ${plain(voice.description.slice(0, 1500))}`,
      `Language: ${DESIGN_LANGUAGES[voice.language]} · Model: \`${voice.targetModel}\``,
      `Designed by <@${voice.createdBy}> ${timestamp(voice.createdAt)} · ${spoken.toLocaleString('en')} characters ` +
        `spoken`,
    ].join('\n'),
  });
};

/** `/voice delete name`: its creator or Manage Server, after a confirm button; deletes at DashScope too. */
export const remove: Handler = async (interaction, app) => {
  const voice = await voiceNamed(interaction, app);
  assertMayDelete(voice, interaction.user.id, managesServer(interaction));
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`delete:confirm:${voice.voiceId}:${interaction.user.id}`)
      .setLabel(`Delete ${voice.name}`)
      .setStyle(ButtonStyle.Danger),
    new ButtonBuilder()
      .setCustomId(`delete:cancel:${voice.voiceId}:${interaction.user.id}`)
      .setLabel('Cancel')
      .setStyle(ButtonStyle.Secondary),
  );
  await respond(interaction, {
    content: `Delete **${voice.name}** for good? This cannot be undone.`,
    components: [row],
  });
};

/** Confirm / Cancel under a delete prompt. `args`: action, voice id, the member who asked. */
export const onDeleteButton: ButtonHandler = async (click, app, [action, voiceId, askerId]) => {
  if (click.user.id !== askerId) throw new UserError('forbidden', 'This confirmation belongs to someone else.');
  if (action !== 'confirm') return void (await click.update({ content: 'Kept it.', components: [] }));
  const voice = await app.registry.get(click.guildId, voiceId ?? '');
  if (!voice) return void (await click.update({ content: 'That voice is already gone.', components: [] }));
  assertMayDelete(voice, click.user.id, managesServer(click));
  await click.deferUpdate();
  await app.library.remove(click.guildId, voice.voiceId);
  await click.editReply({ content: `Deleted **${voice.name}**.`, components: [], allowedMentions: NO_MENTIONS });
};

function assertMayDelete(voice: CharacterVoice, userId: string, managesServer: boolean): void {
  if (voice.createdBy !== userId && !managesServer)
    throw new UserError(
      'forbidden',
      `Only <@${voice.createdBy}> or someone with Manage Server can delete **${voice.name}**.`,
    );
}

/** `/voice use name [speed]`: the member's voice for /say and narration, and their own speed in it. */
export const use: Handler = async (interaction, app) => {
  const voice = await voiceNamed(interaction, app);
  const { speechRate } = checkTuning({ speechRate: interaction.options.getNumber('speed') });
  await app.preferences.setMemberVoice(interaction.guildId, interaction.user.id, voice.voiceId, speechRate);
  const pace = speechRate === undefined ? '' : ` at speed ${speechRate}×`;
  await respond(interaction, `You now speak as **${voice.name}**${pace}.`);
};

/** `/voice default name`: Manage Server only. */
export const setDefault: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Setting the server’s default voice');
  const voice = await voiceNamed(interaction, app);
  await app.preferences.setDefaultVoice(interaction.guildId, voice.voiceId);
  await respond(interaction, { content: `**${voice.name}** is now this server’s default voice.`, ephemeral: false });
};

/** Autocomplete for voice names: names containing the typed text, those starting with it first, at most 25. */
export async function autocompleteVoice(interaction: AutocompleteInteraction<'cached'>, app: App): Promise<void> {
  const names = (await app.registry.list(interaction.guildId)).map((v) => v.name);
  await interaction.respond(rankChoices(names, String(interaction.options.getFocused()), nameKey));
}
