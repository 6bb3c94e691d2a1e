/**
 * The bot explains a refused privileged intent: a minimal gateway that closes IDENTIFY with 4014,
 * as Discord does when Message Content is not enabled in the Developer Portal.
 */
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createDiscordClient, loginExplained, MESSAGE_CONTENT_HELP } from '../../src/discord/client.ts';
import { createLogger } from '../../src/log.ts';

let server: Server;
let restUrl: string;
const identifies: { intents: number }[] = [];

beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true });
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/gateway/bot')) {
      const { port } = server.address() as { port: number };
      return res.end(
        JSON.stringify({
          url: `ws://127.0.0.1:${port}`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        }),
      );
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ message: 'Unknown', code: 0 }));
  });
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
      ws.on('message', (raw) => {
        const packet = JSON.parse(raw.toString()) as { op: number; d: { intents: number } };
        if (packet.op !== 2) return;
        identifies.push(packet.d);
        ws.close(4014, 'Disallowed intent(s).');
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  restUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('asks for Message Content, and on close code 4014 says how to enable it in the Developer Portal', async () => {
  const lines: string[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write: (chunk: Buffer, _, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const client = createDiscordClient({ restUrl, devGuildId: undefined, shards: undefined });
  try {
    await expect(loginExplained(client, 'MTIz.fake.token', log)).rejects.toThrow(MESSAGE_CONTENT_HELP);
  } finally {
    await client.destroy();
  }
  expect(identifies[0]!.intents & (1 << 15)).not.toBe(0); // MessageContent
  expect(identifies[0]!.intents & (1 << 9)).not.toBe(0); // GuildMessages
  const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
  expect(logged.some((l) => l.level >= 50 && /Developer Portal .*MESSAGE CONTENT INTENT/.test(l.msg))).toBe(true);
}, 15_000);

it('connects only the shards it is configured for', () => {
  const client = createDiscordClient({ restUrl, devGuildId: undefined, shards: { ids: [1, 3], count: 4 } });
  expect([client.options.shards, client.options.shardCount]).toEqual([[1, 3], 4]);
  void client.destroy();
});
