import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { AUTOCOMPLETE_MAX_CHOICES } from '../../commands/limits.ts';
import { invalidInput } from '../errors.ts';
import type { Handler } from './app.ts';

/** A command handler that dispatches to its subcommands. */
export function bySubcommand(command: string, subcommands: Readonly<Record<string, Handler>>): Handler {
  return async (interaction, app) => {
    const name = interaction.options.getSubcommand(true);
    const handler = subcommands[name];
    if (!handler) throw invalidInput(`Unknown subcommand /${command} ${name}.`);
    await handler(interaction, app);
  };
}

/** Autocomplete choices: the values containing what was typed, those starting with it first, at most 25. */
export function rankChoices(
  values: readonly string[],
  typed: string,
  key: (value: string) => string,
): { name: string; value: string }[] {
  const wanted = key(typed);
  const starts = (value: string): number => Number(!key(value).startsWith(wanted));
  return values
    .filter((value) => key(value).includes(wanted))
    .sort((a, b) => starts(a) - starts(b) || a.localeCompare(b))
    .slice(0, AUTOCOMPLETE_MAX_CHOICES)
    .map((value) => ({ name: value, value }));
}

/** Previous / Next buttons whose custom ids are `<prefix>:page:<n>`. */
export function pager(prefix: string, page: number, pages: number): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${prefix}:page:${page - 1}`)
      .setLabel('Previous')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page === 0),
    new ButtonBuilder()
      .setCustomId(`${prefix}:page:${page + 1}`)
      .setLabel('Next')
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(page === pages - 1),
  );
}
