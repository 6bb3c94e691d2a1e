/**
 * End to end: the real bot (`npm start`) against the loopback Discord and DashScope — designing,
 * keeping, discarding and finding voices, and two servers that never see each other's voices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.ts';
import { parseWav } from '../../src/audio/files.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, buttonId, standardGuild, startWorld } from './harness.ts';

let world: BotWorld;
let harbour: AddedGuild;
let citadel: AddedGuild;

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour'), standardGuild('Citadel')]);
  world = started;
  [harbour, citadel] = started.guilds as [AddedGuild, AddedGuild];
}, 60_000);
afterAll(() => world?.close(), 30_000);

const voiceCommand = (guild: AddedGuild, userId: string, subcommand: string, options: Record<string, string> = {}) =>
  world.discord.slashCommand({
    guildId: guild.id,
    channelId: guild.channels.general!,
    userId: guild.members[userId]!,
    name: 'voice',
    subcommand,
    options,
  });

async function design(guild: AddedGuild, name: string, userId = 'alice') {
  const handle = voiceCommand(guild, userId, 'design', {
    name,
    description: `The voice of ${name}, slow and warm.`,
    language: 'en',
  });
  const message = await handle.reply(15_000);
  return { handle, message };
}

describe('/voice design', () => {
  it('deploy registered every command', () => {
    expect(
      world.discord.commands
        .global()
        .map((c) => c.name)
        .sort(),
    ).toEqual(allCommands.map((c) => c.name).sort());
    expect(allCommands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['voice', 'join', 'leave', 'say', 'skip', 'stop']),
    );
  });

  it('previews the designed voice as an attachment, offers Keep/Discard, and saves it to the server', async () => {
    const { message } = await design(harbour, 'Captain Reed');
    expect(message.content).toMatch(/Designed \*\*Captain Reed\*\*/);
    const wav = parseWav(message.attachments[0]!.data);
    expect([wav.sampleRate, wav.channels]).toEqual([24_000, 1]);
    expect(wav.data.length).toBeGreaterThan(24_000);
    expect(buttonId(message, 'Keep')).toMatch(/^design:keep:qwen-tts-vd-Captain_Reed-voice-/);
    expect(message.allowedMentions).toEqual({ parse: [] });
    expect([...world.dashscope.voices.values()].map((v) => v.voicePrompt)).toContain(
      'The voice of Captain Reed, slow and warm.',
    );
    const kept = world.discord.clickButton({
      guildId: harbour.id,
      channelId: harbour.channels.general!,
      userId: harbour.members.alice!,
      messageId: message.id,
      customId: buttonId(message, 'Keep'),
    });
    expect((await kept.reply()).content).toMatch(/Kept \*\*Captain Reed\*\*/);
    const listed = await voiceCommand(harbour, 'bob', 'list').reply();
    expect(listed.content).toMatch(/Captain Reed/);
  });

  it('only its designer may discard it; Discard deletes it at DashScope and from the server', async () => {
    const { message } = await design(harbour, 'Ghost');
    const voiceId = [...world.dashscope.voices.values()].find((v) => v.voicePrompt.includes('Ghost'))!.voice;
    const click = (userId: string) =>
      world.discord.clickButton({
        guildId: harbour.id,
        channelId: harbour.channels.general!,
        userId: harbour.members[userId]!,
        messageId: message.id,
        customId: buttonId(message, 'Discard'),
      });
    const refused = click('bob');
    expect((await refused.reply()).content).toMatch(/Only the member who designed/);
    expect(refused.ephemeral()).toBe(true);
    expect(world.dashscope.voices.has(voiceId)).toBe(true);
    const discarded = click('alice');
    expect((await discarded.reply()).content).toMatch(/Discarded \*\*Ghost\*\*/);
    expect(world.dashscope.voices.has(voiceId)).toBe(false);
    expect((await voiceCommand(harbour, 'alice', 'list').reply()).content).not.toMatch(/Ghost/);
  });

  it('refuses bad options before any paid call, with a specific message', async () => {
    const creates = () => world.dashscope.requests.filter((r) => r.action === 'create').length;
    const before = creates();
    const shortPreview = voiceCommand(harbour, 'alice', 'design', {
      name: 'Tiny',
      description: 'A small voice.',
      preview_text: 'Too short',
    });
    expect((await shortPreview.reply()).content).toMatch(/preview text is 9 characters; it must be 15 to 1024/);
    const badName = voiceCommand(harbour, 'alice', 'design', { name: '!!!', description: 'A voice.' });
    expect((await badName.reply()).content).toMatch(/must start with a letter or a digit/);
    const taken = voiceCommand(harbour, 'alice', 'design', { name: 'captain reed', description: 'Another captain.' });
    expect((await taken.reply(10_000)).content).toMatch(/already has a voice named/);
    expect(creates()).toBe(before);
  });

  it('autocompletes names from this server only, matches first', async () => {
    await design(citadel, 'Reed Warbler');
    const complete = (guild: AddedGuild, value: string) =>
      world.discord
        .autocomplete({
          guildId: guild.id,
          channelId: guild.channels.general!,
          userId: guild.members.bob!,
          name: 'voice',
          subcommand: 'info',
          focused: { name: 'name', value },
        })
        .choices();
    expect((await complete(harbour, 'reed')).map((c) => c.name)).toEqual(['Captain Reed']);
    expect((await complete(citadel, 'reed')).map((c) => c.name)).toEqual(['Reed Warbler']);
    expect((await complete(citadel, 'capt')).map((c) => c.name)).toEqual([]);
  });
});

describe('two servers share one DashScope account and nothing else', () => {
  it('neither can list, resolve, use or delete the other’s voice, by name or raw id', async () => {
    const harbourVoice = [...world.dashscope.voices.values()].find((v) =>
      v.voicePrompt.includes('Captain Reed'),
    )!.voice;
    expect((await voiceCommand(citadel, 'bob', 'list').reply()).content).not.toMatch(/Captain Reed/);
    for (const name of ['Captain Reed', harbourVoice]) {
      expect((await voiceCommand(citadel, 'ada', 'info', { name }).reply()).content).toMatch(/no voice called/);
      expect((await voiceCommand(citadel, 'ada', 'use', { name }).reply()).content).toMatch(/no voice called/);
      expect((await voiceCommand(citadel, 'ada', 'delete', { name }).reply()).content).toMatch(/no voice called/);
      const say = world.discord.slashCommand({
        guildId: citadel.id,
        channelId: citadel.channels.general!,
        userId: citadel.members.alice!,
        name: 'say',
        options: { text: 'hello', voice: name },
      });
      expect((await say.reply()).content).toMatch(/no voice called/);
    }
    expect(world.dashscope.voices.has(harbourVoice)).toBe(true);
  });

  it('delete needs the creator or Manage Server, confirms, and deletes at DashScope too', async () => {
    const voiceId = [...world.dashscope.voices.values()].find((v) => v.voicePrompt.includes('Reed Warbler'))!.voice;
    expect((await voiceCommand(citadel, 'bob', 'delete', { name: 'Reed Warbler' }).reply()).content).toMatch(
      /Only <@\d+> or someone with Manage Server/,
    );
    const asked = voiceCommand(citadel, 'ada', 'delete', { name: 'Reed Warbler' });
    const prompt = await asked.reply();
    expect(prompt.content).toMatch(/Delete \*\*Reed Warbler\*\* for good/);
    const confirm = world.discord.clickButton({
      guildId: citadel.id,
      channelId: citadel.channels.general!,
      userId: citadel.members.ada!,
      messageId: prompt.id,
      customId: buttonId(prompt, 'Delete Reed Warbler'),
    });
    await confirm.callback();
    expect((await asked.final({ timeoutMs: 10_000 })).content).toMatch(/Deleted \*\*Reed Warbler\*\*/);
    expect(world.dashscope.voices.has(voiceId)).toBe(false);
  });
});
