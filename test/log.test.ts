import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactTokens } from '../src/log.ts';

const TOKEN = 'aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMTpzZWNyZXQtdG9rZW4tMTIzNDU2';

/** A logger writing into an array of parsed lines. */
function captured() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger('debug', sink), lines };
}

describe('logs', () => {
  it('redact an interaction token in a failed callback’s err.url, message and stack', () => {
    const { log, lines } = captured();
    const err = Object.assign(new Error(`Request failed: POST /interactions/1300000000000000001/${TOKEN}/callback`), {
      url: `https://discord.com/api/v10/interactions/1300000000000000001/${TOKEN}/callback`,
      method: 'POST',
    });
    log.error({ err }, 'could not answer');
    log.warn({ url: `https://discord.com/api/v10/webhooks/1100000000000000001/${TOKEN}/messages/@original` }, 'x');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).toContain('[secret]');
    }
    expect(JSON.parse(lines[0]!).err.url).toBe(
      'https://discord.com/api/v10/interactions/1300000000000000001/[secret]/callback',
    );
  });

  it('redact token fields and authorization values wherever they are', () => {
    const { log, lines } = captured();
    log.info({ token: 'abc', headers: { authorization: 'Bot xyz' }, note: `sent Bearer sk-${'a'.repeat(32)}` }, 'm');
    expect(lines[0]).not.toContain('xyz');
    expect(lines[0]).not.toContain('a'.repeat(32));
    expect(redactTokens('plain text about interactions')).toBe('plain text about interactions');
  });
});
