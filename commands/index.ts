import { dictionaryCommand } from './dictionary.ts';
import { narrateCommand } from './narrate.ts';
import { joinCommand, leaveCommand, sayCommand, skipCommand, stopCommand } from './playback.ts';
import { voiceCommand } from './voice.ts';

/** Every slash command the bot registers. */
export const allCommands = [
  voiceCommand,
  joinCommand,
  leaveCommand,
  sayCommand,
  skipCommand,
  stopCommand,
  narrateCommand,
  dictionaryCommand,
] as const;

/** A registered command's name; the handler table is keyed by it. */
export type CommandName = (typeof allCommands)[number]['name'];
