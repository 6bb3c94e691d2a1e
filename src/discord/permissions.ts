/** The one Manage Server check: who may change a server's settings, dictionary and voices. */
import { PermissionFlagsBits, type PermissionsBitField } from 'discord.js';
import { UserError } from '../errors.ts';

/** An interaction in a server, as far as the check needs it. */
interface InServer {
  memberPermissions: Readonly<PermissionsBitField>;
}

/** Whether the member who acted has Manage Server. */
export function managesServer(interaction: InServer): boolean {
  return interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild);
}

/** Throws a `forbidden` UserError saying that `what` needs Manage Server, unless the member has it. */
export function assertManagesServer(interaction: InServer, what: string): void {
  if (!managesServer(interaction)) throw new UserError('forbidden', `${what} needs the Manage Server permission.`);
}
