/**
 * Read-only REST routes: gateway discovery, users, the application, guilds, channels and members.
 */
import type { EmulatorContext } from './context.ts';
import type { GuildModel } from './guildModel.ts';
import {
  channelPayload,
  guildCreatePayload,
  memberPayload,
  rolePayload,
  userPayload,
  voiceStatePayload,
} from './guildPayloads.ts';
import { apiError, ok, type RestReply, type Route, route } from './restRoute.ts';

/** The routes. */
export function metaRoutes(): Route[] {
  return [
    route('GET', '/gateway/bot', ({ ctx }) =>
      ok({
        url: ctx.gatewayUrl,
        shards: ctx.options.recommendedShards,
        session_start_limit: { total: 1_000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      }),
    ),
    route('GET', '/gateway', ({ ctx }) => ok({ url: ctx.gatewayUrl }), false),
    route('GET', '/users/:userId', ({ ctx, params }) => {
      const user = ctx.users.get(params.userId === '@me' ? ctx.bot.id : params.userId!);
      return user ? ok(userPayload(user)) : apiError(404, 10_013, 'Unknown User');
    }),
    route('GET', '/applications/@me', ({ ctx }) => ok(applicationPayload(ctx))),
    route('GET', '/oauth2/applications/@me', ({ ctx }) => ok(applicationPayload(ctx))),
    route('GET', '/guilds/:guildId', ({ ctx, params }) => withGuild(ctx, params, (g) => ok(guildPayload(ctx, g)))),
    route('GET', '/guilds/:guildId/channels', ({ ctx, params }) =>
      withGuild(ctx, params, (g) => ok([...g.channels.values()].map((c) => channelPayload(g, c)))),
    ),
    route('GET', '/guilds/:guildId/roles', ({ ctx, params }) =>
      withGuild(ctx, params, (g) => ok([...g.roles.values()].map(rolePayload))),
    ),
    route('GET', '/guilds/:guildId/members', ({ ctx, params }) =>
      withGuild(ctx, params, (g) => ok([...g.members.keys()].map((id) => memberPayload(g, id, ctx.users)))),
    ),
    route('GET', '/guilds/:guildId/members/:userId', ({ ctx, params }) =>
      withGuild(ctx, params, (g) => {
        const userId = params.userId === '@me' ? ctx.bot.id : params.userId!;
        return g.members.has(userId)
          ? ok(memberPayload(g, userId, ctx.users))
          : apiError(404, 10_007, 'Unknown Member');
      }),
    ),
    route('GET', '/guilds/:guildId/voice-states/:userId', ({ ctx, params }) =>
      withGuild(ctx, params, (g) => {
        const userId = params.userId === '@me' ? ctx.bot.id : params.userId!;
        return g.voiceStates.has(userId)
          ? ok(voiceStatePayload(g, userId, ctx.users))
          : apiError(404, 10_065, 'Unknown Voice State');
      }),
    ),
    route('GET', '/channels/:channelId', ({ ctx, params }) => {
      for (const guild of ctx.guilds.values()) {
        const channel = guild.channels.get(params.channelId!);
        if (channel) return ok(channelPayload(guild, channel));
      }
      return apiError(404, 10_003, 'Unknown Channel');
    }),
  ];
}

function withGuild(
  ctx: EmulatorContext,
  params: Record<string, string>,
  answer: (guild: GuildModel) => RestReply,
): RestReply {
  const guild = ctx.guilds.get(params.guildId ?? '');
  return guild ? answer(guild) : apiError(404, 10_004, 'Unknown Guild');
}

function guildPayload(ctx: EmulatorContext, guild: GuildModel): Record<string, unknown> {
  const {
    channels: _c,
    members: _m,
    voice_states: _v,
    threads: _t,
    presences: _p,
    ...rest
  } = guildCreatePayload(guild, ctx.users);
  return { ...rest, approximate_member_count: guild.members.size };
}

function applicationPayload(ctx: EmulatorContext): Record<string, unknown> {
  return {
    id: ctx.bot.id,
    name: ctx.bot.username,
    icon: null,
    description: '',
    summary: '',
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    bot: userPayload(ctx.bot),
    owner: { id: '1', username: 'owner', discriminator: '0', avatar: null, global_name: null },
    team: null,
    approximate_guild_count: ctx.guilds.size,
    install_params: null,
    integration_types_config: {},
  };
}
