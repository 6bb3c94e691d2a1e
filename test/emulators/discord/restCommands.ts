/**
 * Application command routes (global and per guild): bulk overwrite, create, edit, delete, list.
 */
import { commandsOf, putCommands, toRegistered } from './commands.ts';
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

/** The routes, once for `/applications/:appId/commands` and once under `/guilds/:guildId`. */
export function commandRoutes(): Route[] {
  return ['/applications/:appId/commands', '/applications/:appId/guilds/:guildId/commands'].flatMap((base) => [
    route('GET', base, (req) => scoped(req, (guildId) => ok(commandsOf(req.ctx.commands, guildId)))),
    route('PUT', base, (req) =>
      scoped(req, (guildId) => {
        if (!Array.isArray(req.call.body)) return apiError(400, 50_035, 'Invalid Form Body');
        return ok(putCommands(req.ctx.commands, req.call.body, req.ctx.bot.id, guildId, req.ctx.nextId));
      }),
    ),
    route('POST', base, (req) =>
      scoped(req, (guildId) => {
        const list = commandsOf(req.ctx.commands, guildId);
        const name = bodyObject(req.call).name;
        const previous = list.find((c) => c.name === name);
        const command = toRegistered(req.call.body, req.ctx.bot.id, guildId, previous, req.ctx.nextId);
        list.splice(previous ? list.indexOf(previous) : list.length, previous ? 1 : 0, command);
        return { status: previous ? 200 : 201, body: command };
      }),
    ),
    route('GET', `${base}/:commandId`, (req) => withCommand(req, (list, index) => ok(list[index]))),
    route('PATCH', `${base}/:commandId`, (req) =>
      withCommand(req, (list, index) => {
        const current = list[index]!;
        list[index] = {
          ...current,
          ...bodyObject(req.call),
          id: current.id,
          application_id: current.application_id,
          version: req.ctx.nextId(),
        };
        return ok(list[index]);
      }),
    ),
    route('DELETE', `${base}/:commandId`, (req) =>
      withCommand(req, (list, index) => {
        list.splice(index, 1);
        return NO_CONTENT;
      }),
    ),
  ]);
}

function scoped(req: RestRequest, answer: (guildId: string | null) => RestReply): RestReply {
  if (req.params.appId !== req.ctx.bot.id) return apiError(403, 50_001, 'Missing Access');
  const guildId = req.params.guildId ?? null;
  if (guildId !== null && !req.ctx.guilds.has(guildId)) return apiError(403, 50_001, 'Missing Access');
  return answer(guildId);
}

function withCommand(
  req: RestRequest,
  answer: (list: ReturnType<typeof commandsOf>, index: number) => RestReply,
): RestReply {
  return scoped(req, (guildId) => {
    const list = commandsOf(req.ctx.commands, guildId);
    const index = list.findIndex((c) => c.id === req.params.commandId);
    return index < 0 ? apiError(404, 10_063, 'Unknown application command') : answer(list, index);
  });
}
