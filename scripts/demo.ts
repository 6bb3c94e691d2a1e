#!/usr/bin/env node
/**
 * `npm run demo`: the whole path with no key and no Discord. Starts the loopback DashScope emulator in
 * this process, designs a voice with the CLI, speaks a sentence into demo.ogg, and prints the metrics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processOutput } from '../src/cli/output.ts';
import { runCli } from '../src/cli.ts';
import { startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';

const SENTENCE = 'Ahoy! The tide is turning, friends, and the old ship is ready to sail.';

const emulator = await startDashScopeEmulator({
  realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 300, handshakeDelayMs: 50 },
});
const dir = await mkdtemp(join(tmpdir(), 'voicebot-demo-'));
const env = {
  DASHSCOPE_API_KEY: emulator.apiKey,
  DASHSCOPE_BASE_URL: emulator.baseUrl,
  DASHSCOPE_REALTIME_URL: emulator.realtimeUrl,
  STORE_URL: `sqlite://${join(dir, 'demo.sqlite')}`,
};
try {
  processOutput.out(
    `DashScope emulator on ${emulator.baseUrl} (first audio after 300 ms, synthesis at 2× real time)\n`,
  );
  const steps = [
    [
      'design',
      '--description',
      'A gravelly old sea captain, slow and warm, with a hint of a laugh.',
      '--preview-text',
      'Ahoy there, welcome aboard my ship.',
      '--as',
      'Captain Reed',
      '--out',
      'demo-preview.wav',
    ],
    ['voices', 'list'],
    ['say', '--voice', 'Captain Reed', '--out', 'demo.ogg', '--json', SENTENCE],
  ];
  for (const args of steps) {
    processOutput.out(`$ voicebot ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}`);
    const code = await runCli(args, env, processOutput);
    processOutput.out('');
    if (code !== 0) process.exitCode = code;
  }
  processOutput.out(
    'Play demo.ogg (48 kHz stereo Opus, what Discord receives) or demo-preview.wav. The emulator speaks tones, not ' +
      'words.',
  );
} finally {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
}
