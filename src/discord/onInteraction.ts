import type { Interaction } from 'discord.js';
import type { CommandName } from '../../commands/index.ts';
import { DashScopeError } from '../dashscope/errors.ts';
import { UserError } from '../errors.ts';
import type { App, ButtonHandler, Handler } from './app.ts';
import { autocompleteDictionary, dictionary, onDictionaryButton } from './handlers/dictionary.ts';
import { narrate } from './handlers/narrate.ts';
import { join, leave, say, skip, stop } from './handlers/playback.ts';
import { voice } from './handlers/voice.ts';
import { onDesignButton } from './handlers/voiceDesign.ts';
import { autocompleteVoice, onDeleteButton, onListButton } from './handlers/voiceManage.ts';
import { memberMessage } from './memberMessage.ts';
import { respond } from './reply.ts';

/** Every command's handler; a command without one is a compile error. */
const HANDLERS = { voice, join, leave, say, skip, stop, narrate, dictionary } satisfies Record<CommandName, Handler>;

/** Button handlers by the first part of the custom id. */
const BUTTONS: Readonly<Record<string, ButtonHandler>> = {
  design: onDesignButton,
  delete: onDeleteButton,
  list: onListButton,
  dictionary: onDictionaryButton,
};

const GENERIC_FAILURE = 'Something went wrong on my side. It has been logged; please try again.';

/**
 * Routes an interaction to its handler: the one error boundary.
 * @remarks A `UserError` is shown to the member as is, a DashScope failure as a sentence meant for members
 * (the operator's advice goes to the log); anything else is a bug: logged in full, answered with a generic
 * message, never a crash.
 */
export async function onInteraction(interaction: Interaction, app: App): Promise<void> {
  if (!interaction.inCachedGuild()) return;
  try {
    if (interaction.isAutocomplete()) {
      return await (interaction.commandName === 'dictionary' ? autocompleteDictionary : autocompleteVoice)(
        interaction,
        app,
      );
    }
    if (interaction.isButton()) {
      const [prefix = '', ...args] = interaction.customId.split(':');
      return await BUTTONS[prefix]?.(interaction, app, args);
    }
    if (!interaction.isChatInputCommand()) return;
    const handler = (HANDLERS as Record<string, Handler>)[interaction.commandName];
    if (!handler) return await respond(interaction, 'That command is not known to this version of the bot.');
    await handler(interaction, app);
  } catch (error) {
    const message = memberMessage(error);
    app.metrics?.dashscopeFailed('voices', error);
    const context = {
      guildId: interaction.guildId,
      command: interaction.isCommand() ? interaction.commandName : undefined,
    };
    if (message === undefined) app.log.error({ err: error, ...context }, 'interaction failed');
    else if (error instanceof UserError) app.log.info({ ...context, reason: error.reason }, 'interaction refused');
    else if (error instanceof DashScopeError)
      app.log.warn({ ...context, err: error }, 'interaction refused by DashScope');
    else app.log.warn({ ...context, err: error }, 'interaction refused: storage unavailable');
    if (interaction.isRepliable())
      await respond(interaction, message ?? GENERIC_FAILURE).catch((e: unknown) =>
        app.log.warn({ err: e }, 'could not answer'),
      );
  }
}
