/**
 * End to end: spend you can see and cap, and a paid call that is never lost — the real bot (`npm start`)
 * against the loopback Discord and DashScope, each abuse of issue 10 reproduced and shown refused.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore } from '../../src/voices/store.ts';
import { runCli } from '../cli/run.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, buttonId, eventually, standardGuild, startWorld, waitForLog } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;

const ENV = {
  DESIGN_COOLDOWN_SECONDS: '60',
  VOICES_PER_GUILD: '5',
  BUDGET_SERVER_DESIGNS_PER_MONTH: '4',
  BUDGET_MEMBER_CHARS_PER_DAY: '120',
};
const creates = () => world.dashscope.requests.filter((r) => r.action === 'create').length;
const command = (userId: string, name: string, subcommand?: string, options: Record<string, string | number> = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    ...(subcommand ? { subcommand } : {}),
    options,
  });
const design = (userId: string, name: string) =>
  command(userId, 'voice', 'design', { name, description: `The voice of ${name}, slow and warm.` });
const registered = async (): Promise<string> => (await command('ada', 'voice', 'list').reply()).content;

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour')], ENV);
  world = started;
  g = started.guilds[0]!;
}, 90_000);
afterAll(() => world?.close(), 60_000);

describe('paid designs', () => {
  let twin: { winner: string; loser: string; messageId: string; customId: string };
  let alicesVoice: string;

  it('six /voice design sent at once by one member make one paid create, not six', async () => {
    const before = creates();
    const handles = ['Ann', 'Bo', 'Cy', 'Di', 'Ed', 'Flo'].map((name) => design('alice', name));
    const replies = await Promise.all(handles.map((h) => h.reply(20_000)));
    expect(creates() - before).toBe(1);
    expect(replies.filter((r) => /^Designed/.test(r.content))).toHaveLength(1);
    alicesVoice = /^Designed \*\*(\w+)\*\*/.exec(replies.find((r) => /^Designed/.test(r.content))!.content)![1]!;
    expect(replies.filter((r) => /designed a voice a moment ago/.test(r.content))).toHaveLength(5);
  });

  it('two members designing the same name at once pay once', async () => {
    const before = creates();
    const handles = { ada: design('ada', 'Twin'), bob: design('bob', 'Twin') };
    const replies = { ada: await handles.ada.reply(20_000), bob: await handles.bob.reply(20_000) };
    expect(creates() - before).toBe(1);
    const winner = /^Designed/.test(replies.ada.content) ? 'ada' : 'bob';
    const loser = winner === 'ada' ? 'bob' : 'ada';
    expect(replies[loser].content).toMatch(/being designed right now|already has a voice named "Twin"/);
    const won = replies[winner];
    twin = { winner, loser, messageId: won.id, customId: buttonId(won, 'Discard') };
  });

  it('a forged Discard custom id naming the presser as designer is refused: the stored record decides', async () => {
    const [action, kind, voiceId] = twin.customId.split(':');
    const forged = `${action}:${kind}:${voiceId}:${g.members[twin.loser]!}`;
    const click = world.discord.clickButton({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members[twin.loser]!,
      messageId: twin.messageId,
      customId: forged,
    });
    expect((await click.reply()).content).toMatch(/Only the member who designed this voice/);
    expect(await registered()).toContain('Twin');
    expect(world.dashscope.voices.has(voiceId!)).toBe(true);
  });

  it('a forged Delete confirm custom id is refused: the stored creator decides, not the asker in the id', async () => {
    const prompt = `The voice of ${alicesVoice},`;
    const ann = [...world.dashscope.voices.values()].find((v) => v.voicePrompt.startsWith(prompt));
    const click = world.discord.clickButton({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.bob!,
      messageId: twin.messageId,
      customId: `delete:confirm:${ann!.voice}:${g.members.bob!}`,
    });
    expect((await click.reply()).content).toMatch(/Only <@\d+> or someone with Manage Server can delete \*\*\w+\*\*/);
    expect(await registered()).toContain(alicesVoice);
    expect(world.dashscope.voices.has(ann!.voice)).toBe(true);
  });

  it('SIGTERM during a design: the paid voice is adopted at the next start, not orphaned', async () => {
    world.dashscope.faults.http.onlyAction = 'create';
    world.dashscope.faults.http.stallAfterProcessingNext = 1;
    world.dashscope.faults.http.stallAfterProcessingMs = 30_000;
    const before = creates();
    void design(twin.loser, 'Late')
      .reply(40_000)
      .catch(() => undefined);
    await eventually(() => creates() > before, 20_000, 'the create to reach DashScope');
    const voice = await eventually(
      () => [...world.dashscope.voices.values()].find((v) => v.voicePrompt.startsWith('The voice of Late')),
      10_000,
      'the voice to exist at DashScope',
    );
    const mark = world.logs.length;
    await world.stopBot();
    expect(world.logs.slice(mark).join('\n')).toMatch(/paid designs in flight/);
    world.dashscope.faults.http.stallAfterProcessingNext = 0;
    await world.startBot();
    const line = await waitForLog(world.logs, /pending designs reconciled/, 20_000, mark);
    expect(line).toContain(voice.voice);
    expect(await registered()).toContain('Late');
  }, 90_000);

  it('SIGTERM waits for a paid design in flight and its writes: recorded, nothing left pending', async () => {
    world.dashscope.faults.http.onlyAction = 'create';
    world.dashscope.faults.http.stallAfterProcessingNext = 1;
    world.dashscope.faults.http.stallAfterProcessingMs = 2_000;
    const before = creates();
    const reply = design('alice', 'Quick').reply(20_000);
    await eventually(() => creates() > before, 20_000, 'the create to reach DashScope');
    const mark = world.logs.length;
    await world.stopBot();
    expect(world.logs.slice(mark).join('\n')).not.toMatch(/paid designs in flight/);
    expect((await reply).content).toMatch(/^Designed \*\*Quick\*\*/);
    const store = await openStore(world.env.STORE_URL!);
    try {
      const registry = new VoiceRegistry(store.keyv, { maxPerGuild: 5 });
      expect(await registry.get(g.id, 'Quick')).toBeDefined();
      expect(await registry.pending(g.id)).toEqual([]);
    } finally {
      await store.close();
    }
    await world.startBot();
  }, 60_000);

  it('a design past the server’s monthly budget is refused with the reason, before paying', async () => {
    const before = creates();
    const reply = await design(twin.winner, 'Over').reply(20_000);
    expect(reply.content).toMatch(/used its 4 voice designs for this month/);
    expect(creates()).toBe(before);
  });
});

describe('speech budgets and usage', () => {
  it('/say past a member’s daily characters answers why; the spoken characters are settled', async () => {
    await command('alice', 'voice', 'use', { name: 'Twin' }).reply();
    const text = 'The quick brown fox jumps over the lazy dog again.'; // 50 characters
    expect((await command('alice', 'say', undefined, { text: `${text}${text}` }).reply()).content).toMatch(/Speak/);
    const refused = await command('alice', 'say', undefined, { text }).reply();
    expect(refused.content).toMatch(/used your 120 characters of speech for today/);
    expect(await waitForLog(world.logs, /"msg":"spoken"/, 20_000)).toMatch(/"characters":100\b/);
  });

  it('narration pauses with one notice, not one per message', async () => {
    await command('ada', 'narrate', 'start').reply();
    const before = world.discord.channelMessages(g.channels.general!).length;
    const mark = world.logs.length;
    for (const n of [1, 2, 3])
      world.discord.sendMessage({
        guildId: g.id,
        channelId: g.channels.general!,
        authorId: g.members.alice!,
        content: `Message number ${n} that would be read aloud.`,
      });
    await eventually(
      () => world.logs.slice(mark).filter((l) => /narration paused by a budget/.test(l)).length >= 3,
      15_000,
      'all three messages to be refused by the budget',
    );
    const notices = await eventually(
      () => {
        const posted = world.discord
          .channelMessages(g.channels.general!)
          .slice(before)
          .filter((m) => /Narration is paused/.test(m.content));
        return posted.length > 0 && posted;
      },
      10_000,
      'the notice',
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]!.content).toMatch(/used your 120 characters/);
  });

  it('/voice usage: Manage Server sees the server, a member their own; /voice limits only lowers', async () => {
    const server = (await command('ada', 'voice', 'usage').reply()).content;
    expect(server).toMatch(/Voice designs: 4 of 4 \(0 left\)/);
    expect(server).toMatch(/estimated \$0\.8\d/);
    expect(server).toMatch(/Top members/);
    const own = (await command('bob', 'voice', 'usage').reply()).content;
    expect(own).toMatch(/Your spend this month/);
    expect(own).not.toMatch(/Top members/);
    expect((await command('bob', 'voice', 'limits').reply()).content).toMatch(/needs the Manage Server permission/);
    const tooHigh = await command('ada', 'voice', 'limits', { designs_per_month: 50 }).reply();
    expect(tooHigh.content).toMatch(/operator allows at most 4/);
    const lowered = await command('ada', 'voice', 'limits', { member_chars_per_day: 60 }).reply();
    expect(lowered.content).toMatch(/Characters per member per day: 60 \(120\)/);
  });

  it('voicebot usage --guild --json prints the same ledger', async () => {
    const { code, stdout } = await runCli(['usage', '--guild', g.id, '--json'], world.env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { designs: number; chars: number; usd: number };
    expect(report.designs).toBe(4);
    expect(report.chars).toBe(100);
    expect(report.usd).toBeCloseTo(0.8 + Math.ceil(100 * 14.3353) / 1e6, 6);
  });
});

describe('after the limits change', () => {
  it('narration resumes by itself once a budget leaves room again', async () => {
    await command('ada', 'voice', 'limits', { member_chars_per_day: 120 }).reply();
    const mark = world.logs.length;
    world.discord.sendMessage({
      guildId: g.id,
      channelId: g.channels.general!,
      authorId: g.members.alice!,
      content: 'Ahoy.',
    });
    const line = await waitForLog(world.logs, /"msg":"spoken"/, 20_000, mark);
    expect(line).toMatch(/"characters":\d+/);
    expect(world.logs.slice(mark).join('\n')).not.toMatch(/narration paused by a budget/);
  });
});

describe('an unwritable store', () => {
  it('fails start with one clear line, before any paid call', async (ctx) => {
    const dir = await mkdtemp(join(tmpdir(), 'voicebot-ro-'));
    const file = join(dir, 'ro.sqlite');
    await (await openStore(`sqlite://${file}`)).close();
    await chmod(file, 0o444);
    const root = process.getuid?.() === 0;
    try {
      if (root) execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    } catch {
      await rm(dir, { recursive: true, force: true });
      return ctx.skip('this file system cannot make a file read-only for root');
    }
    try {
      const child = spawn(process.execPath, ['src/main.ts'], {
        cwd: new URL('../..', import.meta.url),
        env: { ...process.env, ...world.env, STORE_URL: `sqlite://${file}`, LOG_LEVEL: 'info' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toEqual([expect.stringMatching(/^The store at .*ro\.sqlite cannot be written \(.*\); fix/)]);
    } finally {
      if (root) execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
      await rm(dir, { recursive: true, force: true });
    }
  });
});
