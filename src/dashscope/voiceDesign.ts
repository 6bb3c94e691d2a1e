import { setTimeout as delay } from 'node:timers/promises';
import type { AccountLimiter } from './accountLimiter.ts';
import { isRetryableCode } from './errors.ts';
import type { DesignLanguage } from './limits.ts';
import { type TargetModel, VOICE_DESIGN_MODEL } from './models.ts';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import { type CallFailure, type HttpTarget, postJson } from './transport.ts';
import { type ValidDesignRequest, validatePage, validateVoiceId } from './validate.ts';
import {
  type AccountVoice,
  type CreatedVoice,
  parseAccountVoice,
  parseCreated,
  parsePage,
  type VoicePage,
} from './voiceDesignWire.ts';

export type { AccountVoice, CreatedVoice, VoicePage } from './voiceDesignWire.ts';

const PATH = '/api/v1/services/audio/tts/customization';

/** Options for {@link VoiceDesignClient}. */
export interface VoiceDesignClientOptions extends HttpTarget {
  retry?: RetryPolicy;
  random?: () => number;
  /** DashScope's account-wide budget for voice-design calls, awaited before each request. */
  limiter?: AccountLimiter | undefined;
}

/**
 * DashScope's voice-design API: create (with preview audio), list, query, delete.
 * @remarks Retries throttling, 5xx and connection failures with jittered backoff. A create is billed, so it is
 * retried only when DashScope surely did not process it; otherwise the caller reconciles through `list`.
 */
export class VoiceDesignClient {
  readonly #target: HttpTarget;
  readonly #retry: RetryPolicy;
  readonly #random: () => number;
  readonly #limiter: AccountLimiter | undefined;

  constructor(options: VoiceDesignClientOptions) {
    this.#target = options;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#random = options.random ?? Math.random;
    this.#limiter = options.limiter;
  }

  /**
   * Designs a voice. `request` must come from `validateDesign`.
   * @throws DashScopeError; when its `outcomeUnknown` is set the voice may exist anyway: reconcile through `list`.
   */
  async create(request: ValidDesignRequest, signal?: AbortSignal): Promise<CreatedVoice> {
    const body = {
      model: VOICE_DESIGN_MODEL,
      input: {
        action: 'create',
        target_model: request.targetModel,
        voice_prompt: request.description,
        preview_text: request.previewText,
        preferred_name: request.preferredName,
        language: request.language,
      },
      parameters: { sample_rate: request.sampleRate, response_format: request.format },
    };
    return parseCreated(await this.#call(body, 'create', signal), request);
  }

  /** One page of the account's voices, with the account-wide `totalCount`. */
  async list(page: { pageIndex?: number; pageSize?: number } = {}, signal?: AbortSignal): Promise<VoicePage> {
    const pageIndex = page.pageIndex ?? 0;
    const pageSize = page.pageSize ?? 10;
    validatePage(pageIndex, pageSize);
    const body = { model: VOICE_DESIGN_MODEL, input: { action: 'list', page_index: pageIndex, page_size: pageSize } };
    return parsePage(await this.#call(body, 'list', signal));
  }

  /** Every voice of the account, page by page. */
  async *listAll(signal?: AbortSignal, pageSize = 100): AsyncIterable<AccountVoice> {
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await this.list({ pageIndex, pageSize }, signal);
      yield* page.voices;
      if (page.voices.length < pageSize || (pageIndex + 1) * pageSize >= page.totalCount) return;
    }
  }

  /** One voice's details. @throws DashScopeError `VoiceNotFound` when it does not exist. */
  async query(voiceId: string, signal?: AbortSignal): Promise<AccountVoice> {
    validateVoiceId(voiceId);
    const body = { model: VOICE_DESIGN_MODEL, input: { action: 'query', voice: voiceId } };
    return parseAccountVoice((await this.#call(body, 'query', signal)).output);
  }

  /**
   * Deletes a voice at DashScope.
   * @remarks Idempotent: `VoiceNotFound` on a retry after an unanswered attempt means the first attempt worked.
   */
  async delete(voiceId: string, signal?: AbortSignal): Promise<void> {
    validateVoiceId(voiceId);
    const body = { model: VOICE_DESIGN_MODEL, input: { action: 'delete', voice: voiceId } };
    await this.#call(body, 'delete', signal);
  }

  async #call(body: unknown, action: Action, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const started = Date.now();
    let unanswered = false;
    for (let attempt = 1; ; attempt++) {
      await this.#limiter?.admit('say', signal);
      const result = await postJson(this.#target, PATH, body, signal);
      if (result.ok) return result.body;
      if (action === 'delete' && unanswered && result.error.code === 'VoiceNotFound') return { output: {} };
      if (result.error.outcomeUnknown) unanswered = true;
      if (!this.#shouldRetry(result, action, attempt, started)) throw result.error;
      await delay(backoffMs(this.#retry, attempt, result.retryAfterMs, this.#random), undefined, { signal });
    }
  }

  #shouldRetry(failure: CallFailure, action: Action, attempt: number, started: number): boolean {
    if (attempt >= this.#retry.maxAttempts || Date.now() - started >= this.#retry.budgetMs) return false;
    if (!isRetryableCode(failure.error.status, failure.error.code)) return false;
    // A create is billed: repeat it only when DashScope surely made nothing.
    return action !== 'create' || !failure.error.outcomeUnknown;
  }
}

type Action = 'create' | 'list' | 'query' | 'delete';

export type { DesignLanguage, TargetModel };
