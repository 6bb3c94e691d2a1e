/**
 * A second process for the cross-process test: opens the services as the bot and the CLI do (STORE_URL from the
 * environment) and registers `count` voices in one guild, one after another. Prints `{"added":n,"failed":m}`.
 * Usage: node registryAdds.child.ts <guildId> <tag> <count>
 */
import { loadConfig } from '../../src/config.ts';
import { openServices } from '../../src/services.ts';

const [guildId = '', tag = '', countText = '0'] = process.argv.slice(2);
const services = await openServices(loadConfig(process.env, { discord: false, dashscope: false }));
let added = 0;
const failures: string[] = [];
for (let i = 0; i < Number(countText); i += 1) {
  const n = String(i).padStart(4, '0');
  try {
    await services.registry.add(guildId, {
      name: `${tag} ${n}`,
      voiceId: `qwen-tts-vd-${tag}-voice-20260101120000${n}-a1b2`,
      targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
      description: 'A voice registered by the cross-process test.',
      language: 'en',
      createdBy: tag,
      createdAt: Date.UTC(2026, 0, 1) + i,
    });
    added += 1;
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
}
await services.close();
process.stdout.write(`${JSON.stringify({ added, failed: failures.length, first: failures[0] })}\n`);
