import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type DashScopeEmulator, startDashScopeEmulator } from './server.ts';
import type { RealtimePacing } from './state.ts';

/** Pacing for tests that do not measure time: audio as fast as the socket takes it. */
export const FAST_PACING: Readonly<RealtimePacing> = {
  realTimeFactor: 0,
  chunkMs: 100,
  firstPacketDelayMs: 0,
  handshakeDelayMs: 0,
  sessionIdleTimeoutMs: 0,
};

/**
 * One DashScope emulator for a test file: started before its tests, closed after them, and reset with
 * `pacing` before each test. `use` receives it once started.
 */
export function useDashScopeEmulator(
  use: (emulator: DashScopeEmulator) => void,
  pacing: Partial<RealtimePacing> = {},
): void {
  let emulator: DashScopeEmulator | undefined;
  beforeAll(async () => {
    emulator = await startDashScopeEmulator();
    use(emulator);
  });
  afterAll(() => emulator?.close());
  beforeEach(() => {
    emulator?.reset();
    if (emulator) Object.assign(emulator.ctx.options.realtime, { ...FAST_PACING, ...pacing });
  });
}
