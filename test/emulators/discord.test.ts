import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  type Client,
  type Guild,
  type Interaction,
  type Message,
  PermissionFlagsBits,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedGuild, type DiscordEmulator, startDiscordEmulator } from './discord/server.ts';
import { emulatorWithClient } from './discord.helpers.ts';

let emu: DiscordEmulator;
let client: Client;
let ids: AddedGuild;
let guild: Guild;

/** Runs `handler` for the next interaction the client receives. */
function onNextInteraction(handler: (interaction: Interaction) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('interactionCreate', (interaction) => void handler(interaction).then(resolve, reject));
  });
}

beforeAll(async () => {
  ({ emu, guild: ids, client } = await emulatorWithClient(() => startDiscordEmulator()));
  guild = client.guilds.cache.get(ids.id)!;
});

afterAll(async () => {
  await client?.destroy();
  await emu?.close();
});

describe('gateway: login and guild state', () => {
  it('logs in as the application and caches the guild, channels, roles, members and voice states', () => {
    expect(client.user?.id).toBe(emu.applicationId);
    expect(guild.available).toBe(true);
    expect(guild.channels.cache.get(ids.channels.general!)?.type).toBe(ChannelType.GuildText);
    expect(guild.channels.cache.get(ids.channels.Lounge!)?.parentId).toBe(ids.channels.Main);
    expect(guild.roles.everyone.id).toBe(ids.id);
    const alice = guild.members.cache.get(ids.members.alice!)!;
    expect(alice.roles.cache.has(ids.roles.DJ!)).toBe(true);
    expect(alice.voice.channelId).toBe(ids.channels.Lounge);
    expect(guild.members.me?.permissionsIn(ids.channels.Lounge!).has(PermissionFlagsBits.Connect)).toBe(true);
    expect(emu.gateway.intents()).toBe(1 | 128 | 512 | 32_768);
  });

  it('dispatches GUILD_CREATE at once for a guild added after login', async () => {
    const created = once(client, 'guildCreate');
    const later = emu.addGuild({
      name: 'Later',
      channels: [{ type: 'text', name: 'chat' }],
      members: [{ username: 'carol' }],
    });
    const [added] = (await created) as [Guild];
    expect(added.id).toBe(later.id);
    expect(added.channels.cache.has(later.channels.chat!)).toBe(true);
  });

  it('delivers MESSAGE_CREATE with content, and webhook messages with webhookId', async () => {
    const received = once(client, 'messageCreate');
    const sent = emu.sendMessage({
      guildId: ids.id,
      channelId: 'general',
      authorId: 'bob',
      content: `hello <@${ids.members.alice}>`,
    });
    const [message] = (await received) as [Message];
    expect(message.id).toBe(sent.id);
    expect(message.content).toBe(`hello <@${ids.members.alice}>`);
    expect(message.author.id).toBe(ids.members.bob);
    expect(message.mentions.users.has(ids.members.alice!)).toBe(true);
    const fromHook = once(client, 'messageCreate');
    emu.sendMessage({
      guildId: ids.id,
      channelId: ids.channels.general!,
      content: 'relayed',
      webhook: { username: 'Relay' },
    });
    const [hooked] = (await fromHook) as [Message];
    expect(hooked.webhookId).not.toBeNull();
    expect(hooked.author.username).toBe('Relay');
  });

  it('delivers MESSAGE_UPDATE and MESSAGE_DELETE', async () => {
    const sent = emu.sendMessage({ guildId: ids.id, channelId: 'general', authorId: 'bob', content: 'v1' });
    await once(client, 'messageCreate');
    const updated = once(client, 'messageUpdate');
    emu.editMessage({ messageId: sent.id, content: 'v2' });
    const [, after] = (await updated) as [Message, Message];
    expect(after.content).toBe('v2');
    const deleted = once(client, 'messageDelete');
    emu.deleteMessage(sent.id);
    const [gone] = (await deleted) as [Message];
    expect(gone.id).toBe(sent.id);
  });
});

describe('REST: commands, channel messages', () => {
  it('records global and guild command registration', async () => {
    await client.application!.commands.set([
      {
        name: 'say',
        description: 'Say something',
        options: [{ name: 'text', description: 't', type: 3, required: true }],
      },
    ]);
    await client.application!.commands.set(
      [
        {
          name: 'voice',
          description: 'Voices',
          options: [
            { name: 'name', description: 'n', type: 3, autocomplete: true },
            { name: 'who', description: 'w', type: 6 },
          ],
        },
      ],
      ids.id,
    );
    expect(emu.commands.global().map((c) => c.name)).toEqual(['say']);
    expect(emu.commands.guild(ids.id)[0]?.guild_id).toBe(ids.id);
    expect(emu.rest.find('PUT', `/applications/${emu.applicationId}/commands`)).toHaveLength(1);
    expect(emu.rest.find('PUT', `/applications/${emu.applicationId}/guilds/${ids.id}/commands`)[0]?.authorized).toBe(
      true,
    );
  });

  it('keeps channel.send messages with allowed_mentions, and echoes them as MESSAGE_CREATE', async () => {
    const channel = guild.channels.cache.get(ids.channels.general!);
    if (!channel?.isTextBased()) throw new Error('no text channel');
    const echoed = once(client, 'messageCreate');
    await channel.send({ content: `quiet <@${ids.members.alice}>`, allowedMentions: { parse: [] } });
    const [echo] = (await echoed) as [Message];
    expect(echo.author.id).toBe(emu.applicationId);
    const [stored] = emu.channelMessages(ids.channels.general!);
    expect(stored?.content).toBe(`quiet <@${ids.members.alice}>`);
    expect(stored?.allowedMentions).toEqual({ parse: [] });
  });

  it('answers Missing Permissions when the bot may not send in a channel', async () => {
    const later = emu.addGuild({
      channels: [
        { type: 'text', name: 'locked', permissionOverwrites: [{ id: 'emu-bot', type: 'member', deny: 1n << 11n }] },
      ],
      members: [{ username: 'dave' }],
    });
    await once(client, 'guildCreate');
    const channel = client.channels.cache.get(later.channels.locked!);
    if (!channel?.isSendable()) throw new Error('no text channel');
    await expect(channel.send('nope')).rejects.toMatchObject({ code: 50_013 });
  });
});

describe('interactions', () => {
  it('runs a slash command: defer, then editReply with a file the test can read', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('not a command');
      expect(interaction.channelId).toBe(ids.channels.general);
      expect(interaction.options.getString('name')).toBe('narrator');
      expect(interaction.options.getUser('who')?.id).toBe(ids.members.bob);
      expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
      expect(interaction.appPermissions.has(PermissionFlagsBits.AttachFiles)).toBe(true);
      await interaction.deferReply();
      await interaction.editReply({
        content: 'done',
        files: [{ attachment: Buffer.from('RIFFdata'), name: 'voice.wav' }],
      });
    });
    const handle = emu.slashCommand({
      guildId: ids.id,
      channelId: 'general',
      userId: 'alice',
      name: 'voice',
      options: { name: 'narrator', who: 'bob' },
    });
    await handled;
    const reply = await handle.reply();
    expect((await handle.callback()).type).toBe(5);
    expect(reply.content).toBe('done');
    expect(reply.attachments[0]?.filename).toBe('voice.wav');
    expect(reply.attachments[0]?.data.toString()).toBe('RIFFdata');
    expect(handle.files().map((f) => f.filename)).toEqual(['voice.wav']);
    expect(emu.rest.find('PATCH', `/webhooks/${emu.applicationId}/${handle.token}/messages/@original`)).toHaveLength(1);
    expect(await handle.callbackDelayMs()).toBeLessThan(3_000);
  });

  it('records an immediate ephemeral reply, a follow-up, and rejects a second callback', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('not a command');
      const response = await interaction.reply({ content: 'hi', flags: 64, withResponse: true });
      expect(response.resource?.message?.content).toBe('hi');
      await interaction.followUp({ content: 'more' });
      expect((await interaction.fetchReply()).content).toBe('hi');
      await expect(
        interaction.webhook.client.rest.post(`/interactions/${interaction.id}/${interaction.token}/callback`, {
          body: { type: 4, data: { content: 'x' } },
          auth: false,
        }),
      ).rejects.toMatchObject({ code: 40_060 });
    });
    const handle = emu.slashCommand({
      guildId: ids.id,
      channelId: 'general',
      userId: 'bob',
      name: 'say',
      options: { text: 'hi' },
    });
    await handled;
    expect((await handle.reply()).content).toBe('hi');
    expect(handle.ephemeral()).toBe(true);
    expect((await handle.followUp(0)).content).toBe('more');
    expect((await handle.final({ quietMs: 50 })).content).toBe('hi');
    expect(handle.original()?.deleted).toBe(false);
  });

  it('records deleteReply', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('not a command');
      await interaction.reply('temporary');
      await interaction.deleteReply();
    });
    const handle = emu.slashCommand({
      guildId: ids.id,
      channelId: 'general',
      userId: 'bob',
      name: 'say',
      options: { text: 'x' },
    });
    await handled;
    await handle.waitFor((event) => event.kind === 'deleteOriginal');
    expect(handle.original()?.deleted).toBe(true);
  });

  it('records autocomplete choices', async () => {
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isAutocomplete()) throw new Error('not autocomplete');
      expect(interaction.options.getFocused()).toBe('na');
      await interaction.respond([{ name: 'narrator', value: 'narrator' }]);
    });
    const handle = emu.autocomplete({
      guildId: ids.id,
      channelId: 'general',
      userId: 'bob',
      name: 'voice',
      focused: { name: 'name', value: 'na' },
    });
    await handled;
    expect(await handle.choices()).toEqual([{ name: 'narrator', value: 'narrator' }]);
  });

  it('delivers a button click on a bot message and records the update', async () => {
    const channel = guild.channels.cache.get(ids.channels.general!);
    if (!channel?.isSendable()) throw new Error('no text channel');
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('skip').setLabel('Skip').setStyle(ButtonStyle.Primary),
    );
    const sent = await channel.send({ content: 'now playing', components: [row] });
    const handled = onNextInteraction(async (interaction) => {
      if (!interaction.isButton()) throw new Error('not a button');
      expect(interaction.customId).toBe('skip');
      expect(interaction.message.id).toBe(sent.id);
      await interaction.update({ content: 'skipped', components: [] });
    });
    const handle = emu.clickButton({
      guildId: ids.id,
      channelId: 'general',
      userId: 'alice',
      messageId: sent.id,
      customId: 'skip',
    });
    await handled;
    const updated = await handle.reply();
    expect(updated.id).toBe(sent.id);
    expect(updated.content).toBe('skipped');
    expect(emu.message(sent.id)?.components).toEqual([]);
  });
});
