/**
 * `npm run emulator`: runs the DashScope emulator in the foreground for manual testing.
 * @remarks Port from `--port <n>` / `--port=<n>`, else `PORT`, else 8790. Prints the env lines to paste
 * into the bot's environment; stops cleanly on SIGINT or SIGTERM.
 */
import { startDashScopeEmulator } from './server.ts';

const DEFAULT_PORT = 8790;

/** The port asked for on the command line or in `PORT`, or an error text. */
function portFrom(argv: readonly string[], env: NodeJS.ProcessEnv): number | string {
  const flag = argv.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  const arg = argv[flag];
  const text = arg === undefined ? env.PORT : arg.includes('=') ? arg.slice('--port='.length) : argv[flag + 1];
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : `invalid port: ${text}`;
}

async function main(): Promise<void> {
  const port = portFrom(process.argv.slice(2), process.env);
  if (typeof port === 'string') {
    console.error(port);
    process.exitCode = 2;
    return;
  }
  const emulator = await startDashScopeEmulator({ port });
  console.log(`DashScope emulator listening
  base URL:     ${emulator.baseUrl}
  realtime URL: ${emulator.realtimeUrl}
  API key:      ${emulator.apiKey}

Paste into the bot's environment:
DASHSCOPE_API_KEY=${emulator.apiKey}
DASHSCOPE_BASE_URL=${emulator.baseUrl}
DASHSCOPE_REALTIME_URL=${emulator.realtimeUrl}
`);
  const stop = (signal: string): void => {
    console.log(`${signal}: stopping`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('emulator failed to start:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
