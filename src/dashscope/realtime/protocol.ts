/**
 * The realtime TTS wire events this client sends and the ones it acts on (spec §1.4–1.5).
 * @remarks Tolerant reader: extra fields are ignored, unknown or malformed events become `other`,
 * and missing optional fields get neutral values. Only the event types below change behaviour.
 */
import { randomUUID } from 'node:crypto';
import { TTS_SAMPLE_RATE_HZ } from '../../audio/formats.ts';
import { asObject, numberField, parseObject, stringField } from '../json.ts';

/** A server event, reduced to what the client acts on. */
export type ServerEvent =
  | { type: 'session.created' }
  | { type: 'session.updated' }
  | { type: 'error'; code: string; message: string }
  | { type: 'response.audio.delta'; audio: Buffer }
  | { type: 'response.done'; status: string | undefined; characters: number | undefined }
  | { type: 'session.finished' }
  | { type: 'other'; name: string };

/** Parses one text frame; never throws. */
export function parseServerEvent(raw: string): ServerEvent {
  const event = parseObject(raw);
  const type = stringField(event, 'type') ?? '';
  switch (type) {
    case 'session.created':
    case 'session.updated':
    case 'session.finished':
      return { type };
    case 'error':
      return errorEvent(event?.error);
    case 'response.audio.delta':
      return { type, audio: Buffer.from(stringField(event, 'delta') ?? '', 'base64') };
    case 'response.done':
      return doneEvent(event?.response);
    default:
      return { type: 'other', name: type };
  }
}

function errorEvent(error: unknown): ServerEvent {
  const fields = asObject(error);
  return { type: 'error', code: stringField(fields, 'code') ?? '', message: stringField(fields, 'message') ?? '' };
}

function doneEvent(response: unknown): ServerEvent {
  const fields = asObject(response);
  const characters = numberField(asObject(fields?.usage), 'characters');
  return { type: 'response.done', status: stringField(fields, 'status'), characters };
}

/** A client event as a JSON text frame, with a fresh `event_id` (`event_` + 32 hex, as the SDKs send). */
export function clientEvent(type: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ event_id: `event_${randomUUID().replaceAll('-', '')}`, type, ...fields });
}

/** Speech settings of a session; an absent field is left to DashScope's default (1.0, 1.0, 50). */
export interface SpeechTuning {
  /** `speech_rate`: 0.5–2.0, a factor of the voice's own pace. */
  speechRate?: number;
  /** `pitch_rate`: 0.5–2.0. */
  pitchRate?: number;
  /** `volume`: an integer 0–100. */
  volume?: number;
}

/**
 * `session.update` for commit mode, 24 kHz PCM, in `voice` and `languageType`, with the speech settings given.
 * @remarks `language_type` is always sent: the docs say an explicit language sounds better than `Auto`. Unset
 * speech settings are left out rather than sent as defaults, so the server's own defaults apply.
 */
export function sessionUpdate(voice: string, languageType: string, tuning: SpeechTuning = {}): string {
  return clientEvent('session.update', {
    session: {
      voice,
      mode: 'commit',
      response_format: 'pcm',
      sample_rate: TTS_SAMPLE_RATE_HZ,
      language_type: languageType,
      ...(tuning.speechRate === undefined ? {} : { speech_rate: tuning.speechRate }),
      ...(tuning.pitchRate === undefined ? {} : { pitch_rate: tuning.pitchRate }),
      ...(tuning.volume === undefined ? {} : { volume: tuning.volume }),
    },
  });
}
