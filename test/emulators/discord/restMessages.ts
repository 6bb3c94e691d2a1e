/**
 * Channel message routes (`channel.send`, edit, delete, fetch), typing and reactions, with
 * Discord's permission and validation errors.
 */
import type { EmulatorContext } from './context.ts';
import type { GuildModel } from './guildModel.ts';
import { permissionsIn } from './guildPayloads.ts';
import { deleteMessage, dispatchMessage } from './messageEvents.ts';
import { messagePayload } from './messagePayload.ts';
import { applyBody, createMessage, markEdited } from './messageStore.ts';
import { Perm } from './permissions.ts';
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

const MAX_CONTENT_CHARS = 2_000;
const MISSING_PERMISSIONS = apiError(403, 50_013, 'Missing Permissions');

/** The routes. */
export function messageRoutes(): Route[] {
  const one = '/channels/:channelId/messages/:messageId';
  return [
    route('POST', '/channels/:channelId/messages', (req) => inChannel(req, (guild) => onSend(req, guild))),
    route('GET', '/channels/:channelId/messages', (req) =>
      inChannel(req, () => {
        const limit = Number(req.call.query.limit ?? 50);
        const list = [...req.ctx.messages.values()].filter((m) => m.channelId === req.params.channelId && !m.deleted);
        return ok(
          list
            .reverse()
            .slice(0, limit)
            .map((m) => messagePayload(req.ctx, m)),
        );
      }),
    ),
    route('GET', one, (req) => withMessage(req, (m) => ok(messagePayload(req.ctx, m)))),
    route('PATCH', one, (req) =>
      withMessage(req, (m) => {
        if (m.authorId !== req.ctx.bot.id)
          return apiError(403, 50_005, 'Cannot edit a message authored by another user');
        applyBody(req.ctx, m, req.call.body, req.call.files);
        markEdited(m);
        dispatchMessage(req.ctx, 'MESSAGE_UPDATE', m);
        return ok(messagePayload(req.ctx, m));
      }),
    ),
    route('DELETE', one, (req) =>
      withMessage(req, (m, guild) => {
        if (m.authorId !== req.ctx.bot.id && !has(req.ctx, guild, m.channelId, Perm.ManageMessages))
          return MISSING_PERMISSIONS;
        deleteMessage(req.ctx, m.id);
        return NO_CONTENT;
      }),
    ),
    route('POST', '/channels/:channelId/typing', (req) => inChannel(req, () => NO_CONTENT)),
    route('PUT', `${one}/reactions/:emoji/@me`, (req) => withMessage(req, () => NO_CONTENT)),
    route('DELETE', `${one}/reactions/:emoji/@me`, (req) => withMessage(req, () => NO_CONTENT)),
  ];
}

function onSend({ ctx, params, call }: RestRequest, guild: GuildModel): RestReply {
  const channelId = params.channelId!;
  const needed = Perm.ViewChannel | Perm.SendMessages | (call.files.length > 0 ? Perm.AttachFiles : 0n);
  if (!has(ctx, guild, channelId, needed)) return MISSING_PERMISSIONS;
  const body = bodyObject(call);
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > MAX_CONTENT_CHARS)
    return apiError(400, 50_035, 'Invalid Form Body (content: Must be 2000 or fewer in length.)');
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  if (
    content === '' &&
    !hasEmbeds &&
    !hasComponents &&
    call.files.length === 0 &&
    body.sticker_ids === undefined &&
    body.poll === undefined
  ) {
    return apiError(400, 50_006, 'Cannot send an empty message');
  }
  const reference = body.message_reference as { message_id?: string } | undefined;
  const message = createMessage(ctx, {
    channelId,
    guildId: guild.id,
    authorId: ctx.bot.id,
    source: 'channel',
    type: reference ? 19 : 0,
  });
  applyBody(ctx, message, call.body, call.files);
  dispatchMessage(ctx, 'MESSAGE_CREATE', message, reference?.message_id);
  return ok(messagePayload(ctx, message));
}

function has(ctx: EmulatorContext, guild: GuildModel, channelId: string, bits: bigint): boolean {
  return (permissionsIn(guild, ctx.bot.id, channelId) & bits) === bits;
}

function inChannel(req: RestRequest, answer: (guild: GuildModel) => RestReply): RestReply {
  for (const guild of req.ctx.guilds.values()) {
    if (!guild.channels.has(req.params.channelId ?? '')) continue;
    return has(req.ctx, guild, req.params.channelId!, Perm.ViewChannel)
      ? answer(guild)
      : apiError(403, 50_001, 'Missing Access');
  }
  return apiError(404, 10_003, 'Unknown Channel');
}

function withMessage(req: RestRequest, answer: (message: EmulatedMessage, guild: GuildModel) => RestReply): RestReply {
  return inChannel(req, (guild) => {
    const message = req.ctx.messages.get(req.params.messageId ?? '');
    if (message === undefined || message.deleted || message.channelId !== req.params.channelId)
      return apiError(404, 10_008, 'Unknown Message');
    return answer(message, guild);
  });
}
