import { describe, expect, it } from 'vitest';
import { closedError, errorFromBody, networkError, serverError, timeoutError } from '../../src/dashscope/classify.ts';
import { type DashScopeError, isRetryableCode } from '../../src/dashscope/errors.ts';

/** The fields a caller reads, in one comparable row. */
const fields = (e: DashScopeError): unknown[] => [e.status, e.code, e.serverMessage, e.requestId, e.outcomeUnknown];

describe('errorFromBody', () => {
  it.each<[string, number, string, unknown[]]>([
    [
      'a DashScope error body',
      400,
      '{"code":"InvalidParameter","message":"bad","request_id":"r1"}',
      [400, 'InvalidParameter', 'bad', 'r1', false],
    ],
    [
      '`msg` instead of `message`',
      403,
      '{"code":"AccessDenied","msg":"no"}',
      [403, 'AccessDenied', 'no', undefined, false],
    ],
    ['a 5xx, whose outcome is unknown', 503, '{"code":"InternalError"}', [503, 'InternalError', '', undefined, true]],
    [
      'a body that is not JSON',
      502,
      '<html>bad gateway</html>',
      [502, 'HTTP502', '<html>bad gateway</html>', undefined, true],
    ],
    ['an empty code', 429, '{"code":"","message":"slow down"}', [429, 'HTTP429', 'slow down', undefined, false]],
    [
      'an SSE error event as the body',
      400,
      'event:error\ndata:{"code":"DataInspectionFailed","message":"no"}\n\n',
      [400, 'DataInspectionFailed', 'no', undefined, false],
    ],
    ['a 2xx that is not a JSON object', 200, '[1,2]', [200, 'InvalidResponse', '[1,2]', undefined, false]],
  ])('reads %s', (_, status, body, expected) => {
    expect(fields(errorFromBody(status, body))).toEqual(expected);
  });

  it('keeps at most 200 characters of an unparsable body', () => {
    expect(errorFromBody(500, 'x'.repeat(1000)).serverMessage).toHaveLength(200);
  });
});

describe('failures without a DashScope body', () => {
  it('says which phase timed out', () => {
    expect(timeoutError('idle', 200).serverMessage).toBe('no audio for 200 ms');
    expect(timeoutError('connect', 50).serverMessage).toBe('connect: nothing within 50 ms');
    expect(fields(timeoutError('answer', 10))).toEqual([0, 'Timeout', 'no answer within 10 ms', undefined, true]);
  });

  it('knows a refused connection never reached DashScope, and a reset one may have', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(fields(networkError(refused))).toEqual([0, 'NetworkError', 'ECONNREFUSED', undefined, false]);
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const reset = new Error('fetch failed', { cause: socket });
    expect(fields(networkError(reset))).toEqual([0, 'NetworkError', 'UND_ERR_SOCKET', undefined, true]);
    expect(networkError('?').serverMessage).toBe('connection failed');
  });

  it('turns a realtime error event and a closed socket into DashScopeErrors', () => {
    const event = serverError({ code: 'InvalidParameter', message: 'm' });
    expect(fields(event)).toEqual([0, 'InvalidParameter', 'm', undefined, false]);
    expect(serverError({}).code).toBe('UnknownError');
    expect(closedError('gone').code).toBe('ConnectionClosed');
  });
});

describe('isRetryableCode', () => {
  it.each<[number, string, boolean]>([
    [429, 'Throttling.RateQuota', true],
    [429, 'HTTP429', true],
    [429, 'Throttling.AllocationQuota', false],
    [400, 'InvalidParameter', false],
    [503, 'HTTP503', true],
    [0, 'NetworkError', true],
    [0, 'Timeout', true],
  ])('%i %s → %s', (status, code, retryable) => {
    expect(isRetryableCode(status, code)).toBe(retryable);
  });
});
