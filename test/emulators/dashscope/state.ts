/**
 * Shared state of the loopback DashScope emulator: options, voices, fault switches and the request log.
 * @remarks Every handler (customization HTTP, realtime WebSocket, SSE generation) reads and writes this one object,
 * so a voice designed over HTTP is usable over the realtime socket, and a test can flip a fault at any time.
 */

import type { SessionLimit } from './session-limit.ts';

/** A designed voice as the emulated account holds it. */
export interface EmulatedVoice {
  voice: string;
  targetModel: string;
  language: string;
  voicePrompt: string;
  previewText: string;
  /** `yyyy-MM-dd HH:mm:ss`, as the list/query actions return it. */
  gmtCreate: string;
  gmtModified: string;
}

export interface EmulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The one key the emulator accepts (`Authorization: Bearer <key>`, scheme case-insensitive). */
  apiKey: string;
  /** Voices per account (spec: 1000). */
  voiceQuota: number;
  /** Shortest accepted `preview_text` (third-party observation: 15); 0 disables the check. */
  previewTextMinChars: number;
  /** Largest accepted `page_size` for `list` (UNKNOWN in the spec, so configurable). */
  pageSizeMax: number;
  /** Realtime synthesis pacing. */
  realtime: RealtimePacing;
  /** New realtime sessions allowed per API key (off by default). */
  sessionLimit: SessionLimit;
}

export interface RealtimePacing {
  /** Wall time per second of audio: 0.5 sends audio twice as fast as it plays; 0 sends as fast as possible. */
  realTimeFactor: number;
  /** Audio per `response.audio.delta`, in milliseconds. */
  chunkMs: number;
  /** Delay before the first delta of each response, in milliseconds. */
  firstPacketDelayMs: number;
  /** Delay before the WebSocket upgrade is answered, in milliseconds. */
  handshakeDelayMs: number;
  /**
   * Server-side idle timeout: a session with no client event and no response running for this long is closed
   * (code 1000, no `session.finished`), in milliseconds. DashScope does not document its own; absent or 0: never.
   */
  sessionIdleTimeoutMs?: number;
}

/** Faults for the customization and generation HTTP endpoints. Counters decrement as they fire. */
export interface HttpFaults {
  /** When set, the counted faults below fire only for this action (`create`, `list`, …, `generation`). */
  onlyAction: string | null;
  /** Added to every HTTP response, in milliseconds. */
  latencyMs: number;
  /** The next N requests get 429 `Throttling.RateQuota`. */
  throttleNext: number;
  /** The next N requests get 500 `InternalError`. */
  serverErrorNext: number;
  /** The next N requests have their connection destroyed before any processing. */
  dropNext: number;
  /** The next N requests are processed (a create makes the voice) and then the connection is destroyed. */
  dropAfterProcessingNext: number;
  /** The next N requests are processed and the response is held back this many ms (for client timeouts). */
  stallAfterProcessingMs: number;
  stallAfterProcessingNext: number;
  /** A code (e.g. `Arrearage`, `AllocationQuota.FreeTierOnly`, `DataInspectionFailed`) the next request fails with. */
  failNextWith: { status: number; code: string; message: string } | null;
}

/** Faults for the realtime WebSocket. Each applies to the next session only, then resets. */
export interface RealtimeFaults {
  /** Refuse the next upgrade with this HTTP status (401 or 429). */
  handshakeStatus: 401 | 429 | null;
  /** Send an `error` event after this many deltas of the next response. */
  errorAfterDeltas: number | null;
  /** Destroy the socket (no close frame) after this many deltas. */
  dropAfterDeltas: number | null;
  /** Stop sending (keep the socket open) after this many deltas. */
  stallAfterDeltas: number | null;
  /** Close right after `session.created`, sending nothing else (the unknown-model behaviour). */
  silentClose: boolean;
  /** Send `content_part.done` / `output_item.done` before `audio.done`. */
  reorderDoneEvents: boolean;
  /** Interleave binary frames between events. */
  binaryFrames: boolean;
  /** Split deltas at odd byte counts (the samples stay whole across deltas). */
  oddLengthDeltas: boolean;
}

/** Faults for the SSE generation endpoint (the non-realtime model). */
export interface SseFaults {
  /** Send `event:error` after this many result events. */
  errorAfterEvents: number | null;
  /** Split each event's JSON across several `data:` lines. */
  multiLineData: boolean;
}

/** What the emulator received, for tests to assert on (the API key is never recorded). */
export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  /** `input.action` for the customization endpoint, the event type for realtime, `generation` for SSE. */
  action: string;
  body: unknown;
}

export interface EmulatorContext {
  options: EmulatorOptions;
  voices: Map<string, EmulatedVoice>;
  faults: { http: HttpFaults; realtime: RealtimeFaults; sse: SseFaults };
  requests: RecordedRequest[];
  /** Counters the benchmarks and tests read. */
  stats: { realtimeSessions: number; voicesCreated: number };
}
