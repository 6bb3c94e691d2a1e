/**
 * Guild, message, interaction and REST helpers of the scripting API.
 */
import type { RegisteredCommand } from './commands.ts';
import type { EmulatorContext, RestFault } from './context.ts';
import type { Gateway } from './gateway.ts';
import { buildGuild } from './guildModel.ts';
import { guildCreatePayload } from './guildPayloads.ts';
import { InteractionHandle } from './interactionHandle.ts';
import type { InteractionRecord } from './interactionRecord.ts';
import {
  commandInteraction, componentInteraction, modalInteraction,
  type AutocompleteSpec, type ButtonSpec, type ModalSubmitSpec, type SelectMenuSpec, type SlashCommandSpec,
} from './interactions.ts';
import { deleteMessage, editUserMessage, postUserMessage, type MessageEditSpec, type UserMessageSpec } from './messageEvents.ts';
import type { AddedGuild, EmulatedMessage, GuildSpec, RestCall } from './types.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** A fault to script with {@link RestApi.fail}. */
export interface RestFaultSpec {
  method?: string;
  /** Exact decoded path after `/api/v10`, or a pattern. */
  path: string | RegExp;
  status: number;
  code?: number;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** Recorded REST traffic and scripted failures. */
export interface RestApi {
  readonly calls: readonly RestCall[];
  /** Calls with `method` whose path equals `path` or matches it. */
  find(method: string, path: string | RegExp): RestCall[];
  /** The first call (past or future) matching `predicate`. */
  waitFor(predicate: (call: RestCall) => boolean, timeoutMs?: number): Promise<RestCall>;
  /** Makes the next matching request(s) fail with a Discord error body. */
  fail(fault: RestFaultSpec): void;
}

/** Commands the bot registered. */
export interface CommandsApi {
  global(): RegisteredCommand[];
  guild(guildId: string): RegisteredCommand[];
  /** Resolves with the scope's commands once it has at least one (`null` = global). */
  waitFor(guildId: string | null, timeoutMs?: number): Promise<RegisteredCommand[]>;
}

/** Adds a guild; dispatches GUILD_CREATE at once when the bot is connected. */
export function addGuild(ctx: EmulatorContext, spec: GuildSpec): AddedGuild {
  if (spec.id !== undefined && ctx.guilds.has(spec.id)) throw new Error(`guild ${spec.id} exists already`);
  const { guild, added } = buildGuild(spec, ctx);
  ctx.guilds.set(guild.id, guild);
  ctx.dispatch('GUILD_CREATE', guildCreatePayload(guild, ctx.users));
  return added;
}

/** The interaction-dispatching methods. */
export function interactionApi(ctx: EmulatorContext) {
  const handle = (record: InteractionRecord): InteractionHandle => new InteractionHandle(ctx, record);
  return {
    /** Invokes a slash command as `userId`; option types come from the registered command. */
    slashCommand: (spec: SlashCommandSpec) => handle(commandInteraction(ctx, spec)),
    /** Sends an autocomplete request for the focused option. */
    autocomplete: (spec: AutocompleteSpec) => handle(commandInteraction(ctx, spec)),
    /** Clicks a button on a message. */
    clickButton: (spec: ButtonSpec) => handle(componentInteraction(ctx, spec)),
    /** Picks values in a string select menu. */
    selectMenu: (spec: SelectMenuSpec) => handle(componentInteraction(ctx, spec)),
    /** Submits a modal. */
    submitModal: (spec: ModalSubmitSpec) => handle(modalInteraction(ctx, spec)),
  };
}

/** The message-scripting methods and views of the bot's channel messages. */
export function messageApi(ctx: EmulatorContext) {
  const inChannel = (channelId: string): EmulatedMessage[] =>
    [...ctx.messages.values()].filter((m) => m.channelId === channelId && m.source === 'channel' && m.authorId === ctx.bot.id);
  return {
    /** Posts a message as a member or webhook (MESSAGE_CREATE). */
    sendMessage: (spec: UserMessageSpec) => postUserMessage(ctx, spec),
    /** Edits a message (MESSAGE_UPDATE). */
    editMessage: (spec: MessageEditSpec) => editUserMessage(ctx, spec),
    /** Deletes a message (MESSAGE_DELETE). */
    deleteMessage: (messageId: string) => deleteMessage(ctx, messageId),
    /** Any stored message by id. */
    message: (messageId: string) => ctx.messages.get(messageId),
    /** Messages the bot posted with `channel.send` in `channelId` (deleted ones flagged). */
    channelMessages: inChannel,
    /** The first bot channel message (past or future) matching `predicate`. */
    waitForChannelMessage: (channelId: string, predicate: (m: EmulatedMessage) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(() => inChannel(channelId).find(predicate), timeoutMs, `a bot message in channel ${channelId}`),
  };
}

/** The REST view. */
export function restApi(ctx: EmulatorContext): RestApi {
  const matches = (call: RestCall, path: string | RegExp): boolean => (typeof path === 'string' ? call.path === path : path.test(call.path));
  return {
    calls: ctx.restCalls,
    find: (method, path) => ctx.restCalls.filter((c) => c.method === method && matches(c, path)),
    waitFor: (predicate, timeoutMs = DEFAULT_WAIT_MS) => ctx.watch.until(() => ctx.restCalls.find(predicate), timeoutMs, 'a matching REST call'),
    fail: (spec) => {
      const fault: RestFault = {
        method: spec.method, path: spec.path, status: spec.status, remaining: spec.times ?? 1,
        body: { message: spec.message ?? 'Emulated failure', code: spec.code ?? 0 },
      };
      ctx.faults.push(fault);
    },
  };
}

/** The commands view. */
export function commandsApi(ctx: EmulatorContext): CommandsApi {
  const scope = (guildId: string | null): RegisteredCommand[] => (guildId === null ? ctx.commands.global : (ctx.commands.guilds.get(guildId) ?? []));
  return {
    global: () => scope(null),
    guild: (guildId) => scope(guildId),
    waitFor: (guildId, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(() => (scope(guildId).length > 0 ? scope(guildId) : undefined), timeoutMs, `commands registered for ${guildId ?? 'global'}`),
  };
}

/** The gateway view: what the bot sent and a way to wait for it. */
export function gatewayApi(ctx: EmulatorContext, gateway: Gateway) {
  const live = () => [...gateway.sessions.values()].find((s) => s.socket !== null);
  return {
    /** Every IDENTIFY payload. */
    identifies: gateway.identifies,
    presences: gateway.presences,
    /** Intents of the current session (null before IDENTIFY). */
    intents: () => live()?.intents ?? null,
    connected: () => live() !== undefined,
    /** Resolves once a bot has identified (READY and GUILD_CREATEs are sent). */
    waitForBot: (timeoutMs = DEFAULT_WAIT_MS) => ctx.watch.until(() => (live() ? true : undefined), timeoutMs, 'the bot to identify').then(() => {}),
    disconnect: (code?: number) => gateway.disconnect(code),
    requestReconnect: () => gateway.requestReconnect(),
    get resumes() {
      return gateway.resumes;
    },
  };
}
