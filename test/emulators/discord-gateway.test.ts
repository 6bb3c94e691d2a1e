import { once } from 'node:events';
import { type Client, GatewayIntentBits, type Interaction, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordEmulator } from './discord/server.ts';
import { connectClient, emulatorWithClient, sampleGuild } from './discord.helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof startDiscordEmulator>[0] = {}) {
  const result = await emulatorWithClient(() => startDiscordEmulator(options));
  cleanups.push(
    () => result.emu.close(),
    () => result.client.destroy(),
  );
  return result;
}

function nextInteraction(client: Client, handler: (interaction: Interaction) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('interactionCreate', (interaction) => void handler(interaction).then(resolve, reject));
  });
}

describe('gateway sessions', () => {
  it('resumes after a server-side close and replays what was missed', async () => {
    const { emu, client, guild } = await setup();
    const resumed = once(client, 'shardResume');
    emu.gateway.disconnect(4_000);
    emu.sendMessage({ guildId: guild.id, channelId: 'general', authorId: 'bob', content: 'while away' });
    const received = once(client, 'messageCreate');
    await resumed;
    const [message] = (await received) as [Message];
    expect(message.content).toBe('while away');
    expect(emu.gateway.resumes).toBe(1);
    expect(emu.gateway.identifies).toHaveLength(1);
  });

  it('blanks message content for a client without the MessageContent intent, unless it is mentioned', async () => {
    const emu = await startDiscordEmulator();
    cleanups.push(() => emu.close());
    const guild = emu.addGuild(sampleGuild());
    const client = await connectClient(emu, [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    cleanups.push(() => client.destroy());
    const plain = once(client, 'messageCreate');
    emu.sendMessage({ guildId: guild.id, channelId: 'general', authorId: 'bob', content: 'secret' });
    expect(((await plain) as [Message])[0].content).toBe('');
    const mentioned = once(client, 'messageCreate');
    emu.sendMessage({
      guildId: guild.id,
      channelId: 'general',
      authorId: 'bob',
      content: `<@${emu.applicationId}> hi`,
    });
    expect(((await mentioned) as [Message])[0].content).toBe(`<@${emu.applicationId}> hi`);
  });

  it('refuses to dispatch interactions before a bot connects', async () => {
    const emu = await startDiscordEmulator();
    cleanups.push(() => emu.close());
    const guild = emu.addGuild(sampleGuild());
    expect(() => emu.slashCommand({ guildId: guild.id, channelId: 'general', userId: 'bob', name: 'x' })).toThrow(
      /no bot is connected/,
    );
  });
});

describe('interaction rules and components', () => {
  it('answers Unknown interaction (10062) to a callback after the time limit', async () => {
    const { emu, client, guild } = await setup({ interactionTimeoutMs: 50 });
    const handled = nextInteraction(client, async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('not a command');
      await new Promise((resolve) => setTimeout(resolve, 120));
      await expect(interaction.reply('late')).rejects.toMatchObject({ code: 10_062 });
    });
    const handle = emu.slashCommand({ guildId: guild.id, channelId: 'general', userId: 'bob', name: 'slow' });
    await handled;
    expect(handle.events).toHaveLength(0);
    expect(emu.rest.calls.at(-1)?.status).toBe(404);
  });

  it('delivers string-select values and modal fields, and records a modal callback', async () => {
    const { emu, client, guild } = await setup();
    const chosen = nextInteraction(client, async (interaction) => {
      if (!interaction.isStringSelectMenu()) throw new Error('not a select');
      expect(interaction.values).toEqual(['narrator']);
      await interaction.showModal({
        title: 'Describe',
        custom_id: 'design',
        components: [{ type: 1, components: [{ type: 4, custom_id: 'prompt', label: 'Prompt', style: 1 }] }],
      });
    });
    const select = emu.selectMenu({
      guildId: guild.id,
      channelId: 'general',
      userId: 'alice',
      messageId: '1',
      customId: 'pick',
      values: ['narrator'],
    });
    await chosen;
    expect((await select.modal()).custom_id).toBe('design');
    const submitted = nextInteraction(client, async (interaction) => {
      if (!interaction.isModalSubmit()) throw new Error('not a modal');
      expect(interaction.fields.getTextInputValue('prompt')).toBe('a calm old sailor');
      await interaction.reply({ content: 'designing', flags: 64 });
    });
    const modal = emu.submitModal({
      guildId: guild.id,
      channelId: 'general',
      userId: 'alice',
      customId: 'design',
      fields: { prompt: 'a calm old sailor' },
    });
    await submitted;
    expect((await modal.reply()).content).toBe('designing');
  });

  it('scripts REST failures', async () => {
    const { emu, client, guild } = await setup();
    emu.rest.fail({
      method: 'POST',
      path: `/channels/${guild.channels.general}/messages`,
      status: 403,
      code: 50_001,
      message: 'Missing Access',
    });
    const channel = client.channels.cache.get(guild.channels.general!);
    if (!channel?.isSendable()) throw new Error('no channel');
    await expect(channel.send('x')).rejects.toMatchObject({ code: 50_001 });
    await expect(channel.send('y')).resolves.toBeDefined();
    expect(emu.channelMessages(guild.channels.general!).map((m) => m.content)).toEqual(['y']);
  });
});
