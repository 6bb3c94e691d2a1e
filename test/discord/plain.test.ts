import { describe, expect, it } from 'vitest';
import { plain } from '../../src/discord/reply.ts';

describe('plain', () => {
  it.each([
    ['[FREE NITRO](https://free-nitro.example/claim)', '\\[FREE NITRO](https\\://free-nitro.example/claim)'],
    [
      '**bold** _it_ ~~s~~ ||spoiler|| `code`',
      '\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\`code\\`',
    ],
    ['<@123> <#456> @everyone @here', '\\<\\@123> \\<#456> \\@everyone \\@here'],
    ['# Heading\n- item\n> quote', '\\# Heading\n\\- item\n\\> quote'],
    ['Captain Nemo', 'Captain Nemo'],
  ])('makes %j inert', (raw, shown) => {
    expect(plain(raw)).toBe(shown);
  });
});
