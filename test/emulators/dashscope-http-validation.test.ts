import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DashScopeEmulator, startDashScopeEmulator } from './dashscope/server.ts';
import { actionBody, createBody, createVoice, post } from './dashscope-http.helpers.ts';

const PAGE_SIZE_MAX = 50;
let emu: DashScopeEmulator;
beforeAll(async () => {
  emu = await startDashScopeEmulator({ pageSizeMax: PAGE_SIZE_MAX });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  emu.ctx.options.previewTextMinChars = 15;
  emu.ctx.options.voiceQuota = 1000;
});

const x = (n: number): string => 'x'.repeat(n);

const rejected: [string, unknown, string, string | RegExp][] = [
  ['a body that is not an object', [1, 2], 'InvalidParameter', /object/],
  ['a missing model', { input: { action: 'list' } }, 'BadRequest.EmptyModel', /model/],
  ['a wrong model', { model: 'qwen3-tts-flash', input: { action: 'list' } }, 'InvalidParameter', 'Model not exist.'],
  ['a missing input', { model: 'qwen-voice-design' }, 'BadRequest.EmptyInput', /input/],
  ['a missing action', actionBody(undefined as never), 'InvalidParameter', /action/],
  ['an unknown action', actionBody('rename'), 'InvalidParameter', /rename/],
  ['a missing target_model', createBody({ target_model: undefined }), 'InvalidParameter', /target_model/],
  [
    'a non-VD target_model',
    createBody({ target_model: 'qwen3-tts-flash-realtime' }),
    'InvalidParameter',
    /target_model/,
  ],
  ['a missing voice_prompt', createBody({ voice_prompt: undefined }), 'InvalidParameter', /voice_prompt/],
  ['a voice_prompt of 2049 chars', createBody({ voice_prompt: x(2049) }), 'InvalidParameter', /voice_prompt/],
  ['a missing preview_text', createBody({ preview_text: undefined }), 'InvalidParameter', /preview_text/],
  ['a preview_text of 1025 chars', createBody({ preview_text: x(1025) }), 'InvalidParameter', /preview_text/],
  [
    'a preview_text of 14 chars',
    createBody({ preview_text: x(14) }),
    'InvalidParameter',
    'preview_text should not be shorter than 15 characters',
  ],
  [
    '14 emoji (28 UTF-16 units) as preview_text',
    createBody({ preview_text: '😀'.repeat(14) }),
    'InvalidParameter',
    'preview_text should not be shorter than 15 characters',
  ],
  ['a missing preferred_name', createBody({ preferred_name: undefined }), 'InvalidParameter', /preferred_name/],
  ['a preferred_name of 17 chars', createBody({ preferred_name: x(17) }), 'InvalidParameter', /preferred_name/],
  ['a preferred_name with a dash', createBody({ preferred_name: 'old-man' }), 'InvalidParameter', /preferred_name/],
  ['an unknown language', createBody({ language: 'nl' }), 'InvalidParameter', /language/],
  ['a sample_rate of 44100', createBody({}, { sample_rate: 44100 }), 'InvalidParameter', /sample_rate/],
  ['a response_format flac', createBody({}, { response_format: 'flac' }), 'InvalidParameter', /response_format/],
  ['a page_index of -1', actionBody('list', { page_index: -1 }), 'InvalidParameter', /page_index/],
  ['a page_index of 201', actionBody('list', { page_index: 201 }), 'InvalidParameter', /page_index/],
  ['a fractional page_index', actionBody('list', { page_index: 1.5 }), 'InvalidParameter', /page_index/],
  ['a string page_index', actionBody('list', { page_index: '1' }), 'InvalidParameter', /page_index/],
  ['a page_size of 0', actionBody('list', { page_size: 0 }), 'InvalidParameter', /page_size/],
  [
    'a page_size over the maximum',
    actionBody('list', { page_size: PAGE_SIZE_MAX + 1 }),
    'InvalidParameter',
    /page_size/,
  ],
  ['a query without voice', actionBody('query'), 'InvalidParameter', /voice/],
  ['a delete without voice', actionBody('delete'), 'InvalidParameter', /voice/],
];

describe('validation', () => {
  it.each(rejected)('rejects %s with 400', async (_name, body, code, message) => {
    const answer = await post(emu, body);
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.json).sort()).toEqual(['code', 'message', 'request_id']);
    expect(answer.json.code).toBe(code);
    expect(answer.json.message).toMatch(message);
    expect(emu.voices.size).toBe(0);
  });

  it('rejects malformed JSON with 400 InvalidParameter', async () => {
    const answer = await post(emu, null, { raw: '{"model":"qwen-voice-design",' });
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('InvalidParameter');
  });

  it('rejects a body over 1 MiB with 413 BadRequest.TooLarge', async () => {
    const answer = await post(emu, createBody({ voice_prompt: x(1_100_000) }));
    expect(answer.status).toBe(413);
    expect(answer.json.code).toBe('BadRequest.TooLarge');
  });

  it('accepts every limit at its edge', async () => {
    const input = { voice_prompt: x(2048), preview_text: x(1024), preferred_name: 'A_1234567890abcd' };
    const create = await post(emu, createBody(input, { sample_rate: 8000, response_format: 'pcm' }));
    expect(create.status).toBe(200);
    expect((await post(emu, createBody({ preview_text: x(15) }))).status).toBe(200);
    const list = await post(emu, actionBody('list', { page_index: 200, page_size: PAGE_SIZE_MAX }));
    expect(list.json.output).toMatchObject({ page_index: 200, page_size: PAGE_SIZE_MAX, voice_list: [] });
  });

  it('counts characters, not UTF-16 units or bytes', async () => {
    expect(
      (await post(emu, createBody({ preview_text: '你好，世界，这是一个测试句子。', language: 'zh' }))).status,
    ).toBe(200);
    expect(
      (await post(emu, createBody({ preview_text: '😀'.repeat(1024) }, { sample_rate: 8000, response_format: 'pcm' })))
        .status,
    ).toBe(200);
  });

  it('accepts every target model and language in the spec', async () => {
    const models = ['qwen3-tts-vd-realtime-2026-01-15', 'qwen3-tts-vd-realtime-2025-12-16', 'qwen3-tts-vd-2026-01-26'];
    for (const target_model of models) expect((await post(emu, createBody({ target_model }))).status).toBe(200);
    for (const language of ['zh', 'en', 'de', 'it', 'pt', 'es', 'ja', 'ko', 'fr', 'ru']) {
      expect((await post(emu, createBody({ language }))).status).toBe(200);
    }
  });

  it('drops the preview_text minimum when previewTextMinChars is 0', async () => {
    emu.ctx.options.previewTextMinChars = 0;
    expect((await post(emu, createBody({ preview_text: 'Hi.' }))).status).toBe(200);
  });
});

describe('quota', () => {
  it('refuses the create past voiceQuota, and allows it again after a delete', async () => {
    emu.ctx.options.voiceQuota = 2;
    const first = await createVoice(emu);
    await createVoice(emu);
    const refused = await post(emu, createBody());
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'Throttling.AllocationQuota', message: expect.stringContaining('2') });
    expect(emu.voices.size).toBe(2);
    await post(emu, actionBody('delete', { voice: first }));
    expect((await post(emu, createBody())).status).toBe(200);
  });

  it('reports a quota-full account through total_count', async () => {
    emu.ctx.options.voiceQuota = 3;
    for (let i = 0; i < 3; i += 1) await createVoice(emu);
    expect((await post(emu, actionBody('list'))).json.output.total_count).toBe(3);
  });
});
