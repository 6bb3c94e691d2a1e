/**
 * Building and resetting the emulator's shared context: default options and fault switches.
 * @remarks `resetContext` works in place, so references a test holds (`emu.faults.http`, `emu.voices`) stay live.
 */

import { DEFAULT_SESSION_LIMIT, resetSessionLimit, type SessionLimit } from './session-limit.ts';
import type {
  EmulatorContext,
  EmulatorOptions,
  HttpFaults,
  RealtimeFaults,
  RealtimePacing,
  SseFaults,
} from './state.ts';

/** Options used when the caller gives none. */
export const DEFAULT_OPTIONS: Readonly<EmulatorOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  apiKey: 'sk-emulator-key',
  voiceQuota: 1000,
  previewTextMinChars: 15,
  pageSizeMax: 100,
  realtime: Object.freeze({ realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 0, handshakeDelayMs: 0 }),
  sessionLimit: DEFAULT_SESSION_LIMIT,
});

/** Every HTTP fault switched off. */
export function defaultHttpFaults(): HttpFaults {
  return {
    onlyAction: null,
    latencyMs: 0,
    throttleNext: 0,
    serverErrorNext: 0,
    dropNext: 0,
    dropAfterProcessingNext: 0,
    stallAfterProcessingMs: 0,
    stallAfterProcessingNext: 0,
    failNextWith: null,
  };
}

/** Every realtime fault switched off. */
export function defaultRealtimeFaults(): RealtimeFaults {
  return {
    handshakeStatus: null,
    errorAfterDeltas: null,
    dropAfterDeltas: null,
    stallAfterDeltas: null,
    silentClose: false,
    reorderDoneEvents: false,
    binaryFrames: false,
    oddLengthDeltas: false,
  };
}

/** Every SSE fault switched off. */
export function defaultSseFaults(): SseFaults {
  return { errorAfterEvents: null, multiLineData: false };
}

/** Options as `startDashScopeEmulator` accepts them: everything optional, pacing and faults partial. */
export type StartOptions = Partial<Omit<EmulatorOptions, 'realtime' | 'sessionLimit'>> & {
  realtime?: Partial<RealtimePacing>;
  sessionLimit?: Partial<SessionLimit>;
  faults?: { http?: Partial<HttpFaults>; realtime?: Partial<RealtimeFaults>; sse?: Partial<SseFaults> };
};

/** Fills the defaults into partial start options. */
export function resolveOptions(given: StartOptions): EmulatorOptions {
  const { faults: _faults, realtime, sessionLimit, ...rest } = given;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_OPTIONS,
    ...defined,
    realtime: { ...DEFAULT_OPTIONS.realtime, ...realtime },
    sessionLimit: { ...DEFAULT_OPTIONS.sessionLimit, ...sessionLimit },
  };
}

/** A fresh context: resolved options, no voices, the given faults over all-off defaults. */
export function createContext(given: StartOptions = {}): EmulatorContext {
  return {
    options: resolveOptions(given),
    voices: new Map(),
    faults: {
      http: { ...defaultHttpFaults(), ...given.faults?.http },
      realtime: { ...defaultRealtimeFaults(), ...given.faults?.realtime },
      sse: { ...defaultSseFaults(), ...given.faults?.sse },
    },
    requests: [],
    stats: { realtimeSessions: 0, voicesCreated: 0 },
  };
}

/** Clears voices, requests and stats and switches every fault off, keeping the objects. */
export function resetContext(ctx: EmulatorContext): void {
  ctx.voices.clear();
  ctx.requests.length = 0;
  Object.assign(ctx.faults.http, defaultHttpFaults());
  Object.assign(ctx.faults.realtime, defaultRealtimeFaults());
  Object.assign(ctx.faults.sse, defaultSseFaults());
  ctx.stats.realtimeSessions = 0;
  ctx.stats.voicesCreated = 0;
  resetSessionLimit(ctx);
}
