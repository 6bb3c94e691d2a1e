/**
 * Interaction callback and webhook routes: reply, defer, update, autocomplete, modal, edits of
 * `@original`, follow-ups. Enforces Discord's rules: one callback, within the time limit, no
 * follow-up or edit before it.
 */
import type { EmulatorContext } from './context.ts';
import { CallbackType, EPHEMERAL_FLAG, type InteractionRecord, LOADING_FLAG } from './interactionRecord.ts';
import { messagePayload } from './messagePayload.ts';
import { applyBody, createMessage, markEdited } from './messageStore.ts';
import {
  apiError,
  bodyObject,
  NO_CONTENT,
  ok,
  type RestReply,
  type RestRequest,
  type Route,
  route,
} from './restRoute.ts';
import type { EmulatedMessage } from './types.ts';

const UNKNOWN_WEBHOOK = apiError(404, 10_015, 'Unknown Webhook');
const UNKNOWN_MESSAGE = apiError(404, 10_008, 'Unknown Message');
const INTERACTION_TYPE_NUMBERS = { command: 2, autocomplete: 4, component: 3, modal: 5 } as const;

/** The routes (all without bot authorization, as discord.js sends them). */
export function interactionRoutes(): Route[] {
  const message = '/webhooks/:appId/:token/messages/:messageId';
  return [
    route('POST', '/interactions/:interactionId/:token/callback', onCallback, false),
    route('POST', '/webhooks/:appId/:token', onFollowUp, false),
    route('GET', message, (req) => withMessage(req, (_r, msg) => ok(messagePayload(req.ctx, msg))), false),
    route('PATCH', message, (req) => withMessage(req, (record, msg) => onEdit(req, record, msg)), false),
    route(
      'DELETE',
      message,
      (req) =>
        withMessage(req, (record, msg) => {
          msg.deleted = true;
          const at = performance.now();
          record.events.push(
            msg.id === record.originalMessageId
              ? { kind: 'deleteOriginal', at }
              : { kind: 'deleteFollowUp', at, messageId: msg.id },
          );
          return NO_CONTENT;
        }),
      false,
    ),
  ];
}

function onCallback({ ctx, params, call }: RestRequest): RestReply {
  const record = ctx.interactions.get(params.token ?? '');
  const expired = record !== undefined && performance.now() - record.createdAt > ctx.options.interactionTimeoutMs;
  if (record === undefined || record.id !== params.interactionId || (expired && !record.acknowledged)) {
    return apiError(404, 10_062, 'Unknown interaction');
  }
  if (record.acknowledged) return apiError(400, 40_060, 'Interaction has already been acknowledged.');
  const body = bodyObject(call);
  const type = Number(body.type);
  const data = typeof body.data === 'object' && body.data !== null ? (body.data as Record<string, unknown>) : undefined;
  if ((record.kind === 'autocomplete') !== (type === CallbackType.AutocompleteResult))
    return apiError(400, 50_035, 'Invalid Form Body (callback type)');
  record.acknowledged = true;
  const message = applyCallback(ctx, record, type, data, call.files);
  const withResponse = call.query.with_response === 'true';
  record.events.push({ kind: 'callback', at: call.at, type, data, files: call.files, withResponse });
  if (!withResponse) return NO_CONTENT;
  return ok({
    interaction: {
      id: record.id,
      type: INTERACTION_TYPE_NUMBERS[record.kind],
      response_message_id: message?.id,
      response_message_loading: type === CallbackType.DeferredChannelMessage,
      response_message_ephemeral: message !== undefined && (message.flags & EPHEMERAL_FLAG) !== 0,
    },
    resource: { type, ...(message === undefined ? {} : { message: messagePayload(ctx, message) }) },
  });
}

function applyCallback(
  ctx: EmulatorContext,
  record: InteractionRecord,
  type: number,
  data: Record<string, unknown> | undefined,
  files: RequestFiles,
): EmulatedMessage | undefined {
  if (type === CallbackType.ChannelMessage || type === CallbackType.DeferredChannelMessage) {
    const message = createMessage(ctx, {
      channelId: record.channelId,
      guildId: record.guildId,
      authorId: ctx.bot.id,
      source: 'interaction',
      type: record.kind === 'command' ? 20 : 0,
      webhookId: ctx.bot.id,
      interactionId: record.id,
    });
    if (type === CallbackType.ChannelMessage) applyBody(ctx, message, data ?? {}, files);
    else message.flags = LOADING_FLAG | (Number(data?.flags ?? 0) & EPHEMERAL_FLAG);
    record.originalMessageId = message.id;
    return message;
  }
  if (type === CallbackType.UpdateMessage || type === CallbackType.DeferredUpdateMessage) {
    const message = sourceMessage(ctx, record);
    if (message === undefined) return undefined;
    if (type === CallbackType.UpdateMessage) {
      applyBody(ctx, message, data ?? {}, files);
      markEdited(message);
    }
    record.originalMessageId = message.id;
    return message;
  }
  return undefined;
}

type RequestFiles = RestRequest['call']['files'];

function onFollowUp({ ctx, params, call }: RestRequest): RestReply {
  const record = ctx.interactions.get(params.token ?? '');
  if (params.appId !== ctx.bot.id || record === undefined || !record.acknowledged) return UNKNOWN_WEBHOOK;
  const message = createMessage(ctx, {
    channelId: record.channelId,
    guildId: record.guildId,
    authorId: ctx.bot.id,
    source: 'followUp',
    webhookId: ctx.bot.id,
    interactionId: record.id,
  });
  applyBody(ctx, message, call.body, call.files);
  record.followUpIds.push(message.id);
  record.events.push({
    kind: 'followUp',
    at: call.at,
    messageId: message.id,
    data: bodyObject(call),
    files: call.files,
  });
  return call.query.wait === 'true' ? ok(messagePayload(ctx, message)) : NO_CONTENT;
}

function onEdit({ ctx, call }: RestRequest, record: InteractionRecord, message: EmulatedMessage): RestReply {
  applyBody(ctx, message, call.body, call.files);
  message.flags &= ~LOADING_FLAG;
  markEdited(message);
  const data = bodyObject(call);
  record.events.push(
    message.id === record.originalMessageId
      ? { kind: 'editOriginal', at: call.at, data, files: call.files }
      : { kind: 'editFollowUp', at: call.at, messageId: message.id, data, files: call.files },
  );
  return ok(messagePayload(ctx, message));
}

function withMessage(
  req: RestRequest,
  answer: (record: InteractionRecord, message: EmulatedMessage) => RestReply,
): RestReply {
  const record = req.ctx.interactions.get(req.params.token ?? '');
  if (req.params.appId !== req.ctx.bot.id || record === undefined) return UNKNOWN_WEBHOOK;
  const id = req.params.messageId === '@original' ? record.originalMessageId : req.params.messageId;
  const known = id !== null && (id === record.originalMessageId || record.followUpIds.includes(id!));
  const message = known ? req.ctx.messages.get(id!) : undefined;
  return message === undefined || message.deleted ? UNKNOWN_MESSAGE : answer(record, message);
}

function sourceMessage(ctx: EmulatorContext, record: InteractionRecord): EmulatedMessage | undefined {
  if (record.sourceMessageId === null) return undefined;
  return (
    ctx.messages.get(record.sourceMessageId) ??
    createMessage(ctx, {
      id: record.sourceMessageId,
      channelId: record.channelId,
      guildId: record.guildId,
      authorId: ctx.bot.id,
      source: 'channel',
    })
  );
}
