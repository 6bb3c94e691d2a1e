/**
 * The voice-design API (`POST /api/v1/services/audio/tts/customization`): create, list, query, delete.
 * @remarks Handlers compute a reply without touching the socket, so the server can apply
 * after-processing faults (drop, stall) to a voice that really was created or deleted.
 */
import { randomBytes } from 'node:crypto';
import { type CreateRequest, checkCreate, checkEnvelope, checkList, checkVoiceName } from './customization-validate.ts';
import { errorReply, type JsonReply } from './http-io.ts';
import { requestId } from './ids.ts';
import { encodePreview } from './preview.ts';
import type { EmulatedVoice, EmulatorContext } from './state.ts';

/**
 * Code, status and message for a create past the account's voice quota.
 * @remarks INFERRED: the spec gives the limit (1000) but not the error. `Throttling.AllocationQuota` is
 * the closest documented code; 400 (not its usual 429) so that clients do not retry it. Change here.
 */
export const QUOTA_EXCEEDED = {
  status: 400,
  code: 'Throttling.AllocationQuota',
  message: (quota: number): string => `Voice quota exceeded: an account holds at most ${quota} voices.`,
};

/** Runs one customization request body against the emulator state. */
export function handleCustomization(ctx: EmulatorContext, body: unknown): JsonReply {
  const envelope = checkEnvelope(body);
  if (!envelope.ok) return envelope.reply;
  const { action, input, parameters } = envelope.value;
  switch (action) {
    case 'create': {
      const request = checkCreate(input, parameters, ctx.options.previewTextMinChars);
      return request.ok ? createVoice(ctx, request.value) : request.reply;
    }
    case 'list': {
      const paging = checkList(input, ctx.options.pageSizeMax);
      return paging.ok ? listVoices(ctx, paging.value.pageIndex, paging.value.pageSize) : paging.reply;
    }
    case 'query': {
      const voice = checkVoiceName(input);
      return voice.ok ? queryVoice(ctx, voice.value) : voice.reply;
    }
    case 'delete': {
      const voice = checkVoiceName(input);
      return voice.ok ? deleteVoice(ctx, voice.value) : voice.reply;
    }
  }
}

function createVoice(ctx: EmulatorContext, request: CreateRequest): JsonReply {
  const quota = ctx.options.voiceQuota;
  if (ctx.voices.size >= quota)
    return errorReply(QUOTA_EXCEEDED.status, QUOTA_EXCEEDED.code, QUOTA_EXCEEDED.message(quota));
  const now = new Date();
  const voice = uniqueVoiceId(ctx, request.preferredName, now);
  const gmt = gmtTimestamp(now);
  ctx.voices.set(voice, {
    voice,
    targetModel: request.targetModel,
    language: request.language,
    voicePrompt: request.voicePrompt,
    previewText: request.previewText,
    gmtCreate: gmt,
    gmtModified: gmt,
  });
  ctx.stats.voicesCreated += 1;
  const audio = encodePreview(request.previewText, voice, request.responseFormat, request.sampleRate);
  return ok({
    output: {
      preview_audio: {
        data: audio.toString('base64'),
        sample_rate: request.sampleRate,
        response_format: request.responseFormat,
      },
      target_model: request.targetModel,
      voice,
    },
    usage: { count: 1 },
  });
}

function listVoices(ctx: EmulatorContext, pageIndex: number, pageSize: number): JsonReply {
  const newestFirst = [...ctx.voices.values()].reverse();
  const page = newestFirst.slice(pageIndex * pageSize, (pageIndex + 1) * pageSize);
  return ok({
    output: {
      page_index: pageIndex,
      page_size: pageSize,
      total_count: newestFirst.length,
      voice_list: page.map(voiceFields),
    },
    usage: {},
  });
}

function queryVoice(ctx: EmulatorContext, name: string): JsonReply {
  const voice = ctx.voices.get(name);
  return voice ? ok({ output: voiceFields(voice), usage: {} }) : voiceNotFound(name);
}

function deleteVoice(ctx: EmulatorContext, name: string): JsonReply {
  if (!ctx.voices.delete(name)) return voiceNotFound(name);
  return ok({ output: { voice: name }, usage: {} });
}

/** A voice as `list` entries and `query` output show it. */
function voiceFields(voice: EmulatedVoice): Record<string, string> {
  return {
    voice: voice.voice,
    target_model: voice.targetModel,
    language: voice.language,
    voice_prompt: voice.voicePrompt,
    preview_text: voice.previewText,
    gmt_create: voice.gmtCreate,
    gmt_modified: voice.gmtModified,
  };
}

function ok(body: Record<string, unknown>): JsonReply {
  return { status: 200, body: { ...body, request_id: requestId() } };
}

function voiceNotFound(name: string): JsonReply {
  return errorReply(400, 'VoiceNotFound', `Voice not found: ${name}`);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `yyyy-MM-dd HH:mm:ss` in UTC (the service's time zone is UNKNOWN). */
export function gmtTimestamp(at: Date): string {
  const date = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
  return `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
}

/** `qwen-tts-vd-<name>-voice-<yyyyMMddHHmmssSSS>-<4 hex>`, not yet held by the account. */
function uniqueVoiceId(ctx: EmulatorContext, preferredName: string, at: Date): string {
  const stamp = gmtTimestamp(at).replace(/[- :]/g, '') + pad(at.getUTCMilliseconds(), 3);
  for (;;) {
    const voice = `qwen-tts-vd-${preferredName}-voice-${stamp}-${randomBytes(2).toString('hex')}`;
    if (!ctx.voices.has(voice)) return voice;
  }
}
