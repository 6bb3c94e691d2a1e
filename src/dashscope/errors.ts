/**
 * A failed DashScope call: HTTP status, DashScope `code`, its `message` and `request_id`,
 * plus a plain-language explanation in `message` for the codes people actually hit.
 */
export class DashScopeError extends Error {
  override name = 'DashScopeError';
  /** HTTP status, or 0 when no response arrived (connection failure, timeout). */
  readonly status: number;
  /** DashScope's code, e.g. `Throttling.RateQuota`; `NetworkError` / `Timeout` when no response arrived. */
  readonly code: string;
  /** DashScope's own message, unchanged. */
  readonly serverMessage: string;
  readonly requestId: string | undefined;
  /**
   * The request may have been carried out although it failed here (no answer, or a 5xx):
   * after a create, the voice may exist and be billed.
   */
  readonly outcomeUnknown: boolean;
  constructor(init: DashScopeErrorInit, options?: ErrorOptions) {
    super(explain(init.code, init.serverMessage, init.urlSetting), options);
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.requestId = init.requestId;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
  }
}

export interface DashScopeErrorInit {
  status: number;
  code: string;
  serverMessage: string;
  requestId?: string | undefined;
  outcomeUnknown?: boolean;
  /** The setting holding the URL the request went to, named when it could not be reached. */
  urlSetting?: 'DASHSCOPE_BASE_URL' | 'DASHSCOPE_REALTIME_URL';
}

const PLAIN_LANGUAGE: Readonly<Record<string, string>> = {
  InvalidApiKey:
    'DashScope rejected the API key. Check DASHSCOPE_API_KEY, and that the key belongs to the region of ' +
    'DASHSCOPE_BASE_URL (Singapore keys do not work in Beijing and vice versa).',
  VoiceNotFound: 'DashScope has no voice with that id (it may have been deleted, or removed after a year unused).',
  DataInspectionFailed: 'DashScope’s content filter refused the text. Rephrase the description or the preview text.',
  Arrearage:
    'The DashScope account is not in good standing (overdue payment). ' +
    'The account owner must settle it in the Model Studio console.',
  'AllocationQuota.FreeTierOnly':
    'The DashScope free tier is used up and the key is limited to the free tier. ' +
    'Turn off “use free tier only” in the Model Studio console to continue (paid).',
  'Throttling.AllocationQuota':
    'The DashScope account’s allocated quota is used up. Raise the quota in the Model Studio console.',
  Throttling: 'DashScope is rate-limiting this account. Wait a moment and try again.',
  'Throttling.RateQuota': 'DashScope is rate-limiting this account. Wait a moment and try again.',
  'Throttling.BurstRate': 'Requests to DashScope rose too quickly. Wait a moment and try again.',
  AccessDenied: 'DashScope denied access. Check that the key may use voice design in this workspace.',
  'AccessDenied.Unpurchased': 'This DashScope account may not use the model. Activate it in the Model Studio console.',
  'Model.AccessDenied': 'This DashScope workspace may not use the model.',
  InternalError: 'DashScope had an internal error. Try again in a moment.',
  ModelUnavailable: 'The DashScope model is unavailable right now. Try again in a moment.',
  NetworkError: 'Could not reach DashScope. Check DASHSCOPE_BASE_URL and the network.',
  Timeout: 'DashScope did not answer in time.',
  ConnectionClosed: 'The connection to DashScope closed before the speech was finished. Try again.',
  NoAudio:
    'DashScope returned no audio for the text. ' +
    'Check that the voice still exists and is used with its own target model.',
};

function explain(code: string, serverMessage: string, urlSetting = 'DASHSCOPE_BASE_URL'): string {
  const known = PLAIN_LANGUAGE[code] ?? PLAIN_LANGUAGE[code.split('.')[0] ?? ''];
  const plain = code === 'NetworkError' ? known?.replace('DASHSCOPE_BASE_URL', urlSetting) : known;
  const detail = serverMessage ? `${code}: ${serverMessage}` : code;
  return plain ? `${plain} (${detail})` : `DashScope refused the request (${detail}).`;
}

/** Codes that mean "try again later" rather than "this will never work". */
export function isRetryableCode(status: number, code: string): boolean {
  if (code === 'Throttling.AllocationQuota') return false;
  // A 429 without a DashScope code (`HTTP429`) is throttling too.
  if (status === 429) {
    return code.startsWith('Throttling') || code === 'LimitRequests' || code === '' || code === 'HTTP429';
  }
  return status >= 500 || code === 'RequestTimeOut' || code === 'NetworkError' || code === 'Timeout';
}
