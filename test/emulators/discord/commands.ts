/**
 * Application commands the bot registered (global and per guild), as Discord stores them.
 */

/** A registered command: the body the bot sent plus the fields Discord adds. */
export interface RegisteredCommand {
  id: string;
  application_id: string;
  guild_id?: string;
  name: string;
  description: string;
  type: number;
  version: string;
  options?: CommandOption[];
  [key: string]: unknown;
}

/** An option of a registered command (recursive for subcommands and groups). */
export interface CommandOption {
  type: number;
  name: string;
  options?: CommandOption[];
  autocomplete?: boolean;
  [key: string]: unknown;
}

/** Commands by scope: `global` or a guild id. */
export interface CommandStore {
  global: RegisteredCommand[];
  guilds: Map<string, RegisteredCommand[]>;
}

/** An empty store. */
export function newCommandStore(): CommandStore {
  return { global: [], guilds: new Map() };
}

/** The list of one scope (`null` = global). */
export function commandsOf(store: CommandStore, guildId: string | null): RegisteredCommand[] {
  if (guildId === null) return store.global;
  let list = store.guilds.get(guildId);
  if (list === undefined) {
    list = [];
    store.guilds.set(guildId, list);
  }
  return list;
}

/** Turns a request body into a stored command, keeping the id of a same-named command. */
export function toRegistered(
  body: unknown,
  appId: string,
  guildId: string | null,
  previous: RegisteredCommand | undefined,
  nextId: () => string,
): RegisteredCommand {
  const data = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const command: RegisteredCommand = {
    default_member_permissions: null,
    dm_permission: true,
    nsfw: false,
    contexts: null,
    integration_types: [0],
    ...data,
    id: previous?.id ?? nextId(),
    application_id: appId,
    name: String(data.name ?? ''),
    description: String(data.description ?? ''),
    type: typeof data.type === 'number' ? data.type : 1,
    version: nextId(),
  };
  if (guildId !== null) command.guild_id = guildId;
  return command;
}

/** Replaces a scope's commands (bulk overwrite); returns the stored list. */
export function putCommands(
  store: CommandStore,
  bodies: unknown[],
  appId: string,
  guildId: string | null,
  nextId: () => string,
): RegisteredCommand[] {
  const old = commandsOf(store, guildId);
  const next = bodies.map((body) => {
    const name = (body as { name?: unknown } | null)?.name;
    return toRegistered(
      body,
      appId,
      guildId,
      old.find((c) => c.name === name),
      nextId,
    );
  });
  old.splice(0, old.length, ...next);
  return old;
}

/** Finds a command by name: the guild's first, then global. */
export function findCommand(store: CommandStore, name: string, guildId: string | null): RegisteredCommand | undefined {
  const local = guildId === null ? undefined : store.guilds.get(guildId)?.find((c) => c.name === name);
  return local ?? store.global.find((c) => c.name === name);
}
