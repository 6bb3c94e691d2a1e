import { invalidInput } from '../../errors.ts';
import type { Handler } from '../app.ts';
import { design } from './voiceDesign.ts';
import { info, list, remove, setDefault, use } from './voiceManage.ts';

const SUBCOMMANDS: Readonly<Record<string, Handler>> = { design, list, info, delete: remove, use, default: setDefault };

/** `/voice …`: dispatches to the subcommand. */
export const voice: Handler = async (interaction, app) => {
  const name = interaction.options.getSubcommand(true);
  const handler = SUBCOMMANDS[name];
  if (!handler) throw invalidInput(`Unknown subcommand /voice ${name}.`);
  await handler(interaction, app);
};
