import { setTimeout as delay } from 'node:timers/promises';
import { DashScopeError } from '../dashscope/errors.ts';
import type { ValidDesignRequest } from '../dashscope/validate.ts';
import type { AccountVoice, CreatedVoice, VoiceDesignClient } from '../dashscope/voiceDesign.ts';
import type { PendingDesign } from './pendingDesigns.ts';

/** Where {@link createOrRecover} looks for a voice whose create went unanswered. */
export interface RecoverOptions {
  /** Voice ids the guild already holds (never a match). */
  known(): Promise<Set<string>>;
  listAccount(): Promise<AccountVoice[]>;
  /** How long to keep looking, ms. */
  windowMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * The paid create, once: when its outcome is unknown (answer lost, timeout, 5xx) the voice is looked for
 * through `list` instead of created (and paid for) twice.
 * @throws DashScopeError; an unknown outcome with no voice found is reported as safe to retry.
 */
export async function createOrRecover(
  client: VoiceDesignClient,
  request: ValidDesignRequest,
  options: RecoverOptions,
): Promise<{ created: CreatedVoice; recovered: boolean }> {
  try {
    return { created: await client.create(request, options.signal), recovered: false };
  } catch (error) {
    if (!(error instanceof DashScopeError && error.outcomeUnknown)) throw error;
    const found = await reconcile(request, options);
    if (!found)
      throw new DashScopeError(
        {
          ...error,
          outcomeUnknown: false,
          serverMessage: `${error.serverMessage}; no voice was created, so it is safe to try again`,
        },
        { cause: error },
      );
    return {
      created: { voiceId: found.voiceId, targetModel: found.targetModel, preview: undefined, requestId: undefined },
      recovered: true,
    };
  }
}

/**
 * Looks for the voice an unanswered create may have made.
 * @remarks Matches every field DashScope echoes (name prefix, model, language, description, preview text),
 * skips voices the guild already has, and polls for a while because the create may still be running.
 */
async function reconcile(request: ValidDesignRequest, options: RecoverOptions): Promise<AccountVoice | undefined> {
  const deadline = Date.now() + options.windowMs;
  const known = await options.known();
  for (;;) {
    const match = (await options.listAccount())
      .filter((v) => !known.has(v.voiceId) && matchesRequest(v, request))
      .sort((a, b) => b.voiceId.localeCompare(a.voiceId))[0];
    if (match || Date.now() >= deadline) return match;
    await delay(Math.min(2_000, options.windowMs / 3), undefined, { signal: options.signal });
  }
}

/** Whether an account voice is the one `request` designs (every field DashScope echoes). */
export function matchesRequest(voice: AccountVoice, request: PendingDesign['request']): boolean {
  return (
    voice.voiceId.startsWith(`qwen-tts-vd-${request.preferredName}-voice-`) &&
    voice.targetModel === request.targetModel &&
    voice.description === request.description &&
    voice.previewText === request.previewText &&
    (voice.language === '' || voice.language === request.language)
  );
}
