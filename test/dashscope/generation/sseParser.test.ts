import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from '../../../src/dashscope/generation/sseParser.ts';

function parseAll(pieces: Array<string | Uint8Array>): SseEvent[] {
  const parser = new SseParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

const event = (data: string, extra: Partial<SseEvent> = {}): SseEvent => ({
  event: 'message',
  data,
  id: undefined,
  status: undefined,
  ...extra,
});

describe('SseParser', () => {
  it.each<[string, string, SseEvent[]]>([
    [
      'DashScope result event',
      'id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"a":1}\n\n',
      [event('{"a":1}', { event: 'result', id: '1', status: 200 })],
    ],
    ['several data lines joined with LF', 'data:{"a":\ndata: 1}\n\n', [event('{"a":\n1}')]],
    ['one leading space removed, not two', 'data:  x\n\n', [event(' x')]],
    ['CRLF line ends', 'event:result\r\ndata:x\r\n\r\n', [event('x', { event: 'result' })]],
    ['CR line ends', 'data:x\rdata:y\r\r', [event('x\ny')]],
    ['comments ignored', ': heartbeat\ndata:x\n\n', [event('x')]],
    ['status field', 'event:error\nstatus:500\ndata:{}\n\n', [event('{}', { event: 'error', status: 500 })]],
    ['field without colon', 'data\n\n', [event('')]],
    ['no data: nothing dispatched', 'event:result\nid:3\n\n', []],
    ['last event without its blank line', 'data:a\n\ndata:b', [event('a'), event('b')]],
    ['unknown fields ignored', 'retry:100\nfoo:bar\ndata:x\n\n', [event('x')]],
    ['two events', 'data:1\n\ndata:2\n\n', [event('1'), event('2')]],
  ])('%s', (_name, text, expected) => {
    expect(parseAll([text])).toEqual(expected);
  });

  it('gives the same events however the stream is cut', () => {
    const text = 'id:1\r\nevent:result\r\n:HTTP_STATUS/200\r\ndata:{"x":"é你"}\r\ndata:more\r\n\r\nid:2\rdata:b\r\r';
    const whole = parseAll([text]);
    const bytes = Buffer.from(text, 'utf8');
    for (let size = 1; size <= 7; size++) {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(parseAll(pieces)).toEqual(whole);
    }
    expect(whole.map((e) => e.data)).toEqual(['{"x":"é你"}\nmore', 'b']);
  });
});
