import { DashScopeError } from './errors.ts';
import { asObject, numberField, stringField } from './json.ts';
import type { PreviewFormat, PreviewSampleRate } from './limits.ts';
import type { ValidDesignRequest } from './validate.ts';

/** A designed voice as DashScope reports it in `list` and `query`. */
export interface AccountVoice {
  voiceId: string;
  targetModel: string;
  language: string;
  description: string;
  previewText: string;
  /** As DashScope formats it (`yyyy-MM-dd HH:mm:ss`, time zone unstated). */
  createdAt: string;
}

/** A newly designed voice with its decoded preview audio. */
export interface CreatedVoice {
  voiceId: string;
  targetModel: string;
  preview: { audio: Buffer; sampleRate: PreviewSampleRate; format: PreviewFormat } | undefined;
  requestId: string | undefined;
}

export interface VoicePage {
  pageIndex: number;
  pageSize: number;
  /** Voices in the whole account. */
  totalCount: number;
  voices: AccountVoice[];
}

type Json = Record<string, unknown>;

/** A string field, `''` when absent. */
const str = (o: Json | undefined, key: string): string => stringField(o, key) ?? '';

function malformed(what: string, body: Json): DashScopeError {
  return new DashScopeError({
    status: 200,
    code: 'InvalidResponse',
    serverMessage: `unexpected ${what} response`,
    requestId: str(body, 'request_id') || undefined,
  });
}

/** Reads a create response; the preview is decoded from base64. */
export function parseCreated(body: Json, request: ValidDesignRequest): CreatedVoice {
  const output = asObject(body.output);
  const voiceId = str(output, 'voice');
  if (!voiceId) throw malformed('create', body);
  const preview = asObject(output?.preview_audio);
  const data = str(preview, 'data');
  return {
    voiceId,
    targetModel: str(output, 'target_model') || request.targetModel,
    preview: data
      ? {
          audio: Buffer.from(data, 'base64'),
          sampleRate: (numberField(preview, 'sample_rate') ?? request.sampleRate) as PreviewSampleRate,
          format: (str(preview, 'response_format') || request.format) as PreviewFormat,
        }
      : undefined,
    requestId: str(body, 'request_id') || undefined,
  };
}

/** Reads one voice of a `list` page or a `query` output. */
export function parseAccountVoice(value: unknown): AccountVoice {
  const o = asObject(value);
  const voiceId = str(o, 'voice');
  if (!voiceId) throw malformed('voice', o ?? {});
  return {
    voiceId,
    targetModel: str(o, 'target_model'),
    language: str(o, 'language'),
    description: str(o, 'voice_prompt'),
    previewText: str(o, 'preview_text'),
    createdAt: str(o, 'gmt_create'),
  };
}

/** Reads a `list` response. */
export function parsePage(body: Json): VoicePage {
  const output = asObject(body.output);
  const list = output?.voice_list;
  if (!output || (list !== undefined && !Array.isArray(list))) throw malformed('list', body);
  const voices = ((list as unknown[] | undefined) ?? []).map(parseAccountVoice);
  return {
    pageIndex: numberField(output, 'page_index') ?? 0,
    pageSize: numberField(output, 'page_size') ?? voices.length,
    totalCount: numberField(output, 'total_count') ?? voices.length,
    voices,
  };
}
