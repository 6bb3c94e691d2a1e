import { describe, expect, it } from 'vitest';
import { voiceCloseAction } from '../../src/playback/voiceCloseCodes.ts';

describe('voiceCloseAction', () => {
  it('resumes below 4000 and on 4015', () => {
    for (const code of [1000, 1006, 4015]) expect(voiceCloseAction(code)).toEqual({ kind: 'resume' });
  });

  it('rejoins once on 4006 and 4009', () => {
    expect(voiceCloseAction(4006)).toMatchObject({ kind: 'rejoin', reason: expect.stringMatching(/no longer valid/) });
    expect(voiceCloseAction(4009)).toMatchObject({ kind: 'rejoin', reason: expect.stringMatching(/timed out/) });
  });

  it('gives up on codes a retry cannot fix, saying DAVE is required on 4017', () => {
    for (const code of [4004, 4014, 4016, 4017, 4021, 4022]) expect(voiceCloseAction(code).kind).toBe('give-up');
    expect(voiceCloseAction(4017)).toMatchObject({
      level: 'error',
      reason: expect.stringMatching(/requires end-to-end encryption \(DAVE\).*Not retrying/),
    });
  });

  it('leaves other codes to the library', () => {
    expect(voiceCloseAction(4011)).toEqual({ kind: 'default' });
  });
});
