import { type AutocompleteInteraction, escapeMarkdown } from 'discord.js';
import { DICTIONARY_MAX_ENTRIES } from '../../../commands/limits.ts';
import { UserError } from '../../errors.ts';
import { dictionaryKey } from '../../narration/dictionary.ts';
import type { App, ButtonHandler, Handler } from '../app.ts';
import { bySubcommand, pager, rankChoices } from '../components.ts';
import { assertManagesServer } from '../permissions.ts';
import { NO_MENTIONS, respond } from '../reply.ts';

/** Entries per `/dictionary list` page: at most 140 characters each, well under Discord's 2,000 a message. */
const PAGE_SIZE = 10;

const shown = (text: string): string => `“${escapeMarkdown(text)}”`;

/** `/dictionary add word reading` (Manage Server); replacing a word's reading is allowed and said. */
const add: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Changing the dictionary');
  const { entry, replaced } = await app.narration.dictionary.add(
    interaction.guildId,
    interaction.options.getString('word', true),
    interaction.options.getString('reading', true),
  );
  const was = replaced ? ` (was ${shown(replaced.reading)})` : '';
  await respond(interaction, `${shown(entry.word)} is now read as ${shown(entry.reading)}${was}.`);
};

/** `/dictionary remove word` (Manage Server). */
const remove: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Changing the dictionary');
  const word = interaction.options.getString('word', true);
  const removed = await app.narration.dictionary.remove(interaction.guildId, word);
  if (!removed)
    throw new UserError('not_found', `${shown(word)} is not in this server’s dictionary. See /dictionary list.`);
  await respond(interaction, `Removed ${shown(removed.word)} (it was read as ${shown(removed.reading)}).`);
};

/** `/dictionary list`: every entry, ten per page, with Previous/Next buttons. */
const list: Handler = async (interaction, app) => {
  await respond(interaction, await listPage(app, interaction.guildId, 0));
};

/** Previous / Next under a `/dictionary list`. `args`: `page`, the page to show. */
export const onDictionaryButton: ButtonHandler = async (click, app, [, page]) => {
  await click.update(await listPage(app, click.guildId, Number(page) || 0));
};

async function listPage(app: App, guildId: string, requested: number) {
  const entries = await app.narration.dictionary.list(guildId);
  if (entries.length === 0)
    return {
      content: 'The dictionary is empty. Add a word with /dictionary add.',
      components: [],
      allowedMentions: NO_MENTIONS,
    };
  const pages = Math.ceil(entries.length / PAGE_SIZE);
  const page = Math.min(pages - 1, Math.max(0, requested));
  const lines = entries
    .slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
    .map((e) => `• ${shown(e.word)} → ${shown(e.reading)}`);
  const header =
    `**Pronunciation dictionary** ` +
    `(${entries.length}/${DICTIONARY_MAX_ENTRIES})${pages > 1 ? ` — page ${page + 1}/${pages}` : ''}`;
  return {
    content: [header, ...lines].join('\n'),
    components: pages > 1 ? [pager('dictionary', page, pages)] : [],
    allowedMentions: NO_MENTIONS,
  };
}

/** Autocomplete for `/dictionary remove word`: words containing what was typed, those starting with it first. */
export async function autocompleteDictionary(interaction: AutocompleteInteraction<'cached'>, app: App): Promise<void> {
  const words = (await app.narration.dictionary.list(interaction.guildId)).map((e) => e.word);
  await interaction.respond(rankChoices(words, String(interaction.options.getFocused()), dictionaryKey));
}

/** `/dictionary …`: dispatches to the subcommand. */
export const dictionary = bySubcommand('dictionary', { add, remove, list });
