import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { DESIGN_LANGUAGES, type DesignLanguage } from '../../../commands/limits.ts';
import { wavBytes } from '../../audio/files.ts';
import { DashScopeError } from '../../dashscope/errors.ts';
import { preferredNameFrom } from '../../dashscope/validate.ts';
import { UserError } from '../../errors.ts';
import type { CharacterVoice } from '../../voices/characterVoice.ts';
import type { DesignInput, DesignResult } from '../../voices/voiceLibrary.ts';
import type { App, ButtonHandler, Handler } from '../app.ts';
import { NO_MENTIONS, plain } from '../reply.ts';
import { DEFAULT_PREVIEW_TEXT } from './defaultPreview.ts';

/** How long the designer has to press Keep or Discard; silence keeps the voice, ms. */
export const KEEP_DECISION_MS = 5 * 60_000;

/** `/voice design name description [preview_text] [language]`. */
export const design: Handler = async (interaction, app) => {
  const cooldownKey = `${interaction.guildId}:${interaction.user.id}`;
  const input = readInput(interaction.options, interaction.user.id);
  app.library.validate(input); // pure checks first: a wrong option never spends a paid call, nor even defers
  // Taken before any await, so designs sent at once see it: one paid create per cooldown, not one each.
  const release = takeCooldown(app, cooldownKey);
  let result: DesignResult;
  try {
    await interaction.deferReply();
    result = await app.library.design(interaction.guildId, input);
  } catch (error) {
    if (!(error instanceof DashScopeError && error.outcomeUnknown)) release(); // nothing was paid for
    throw error;
  }
  app.log.info(
    { guildId: interaction.guildId, voice: result.voice.voiceId, recovered: result.recovered },
    'voice designed',
  );
  await interaction.editReply({ ...deciding(result), allowedMentions: NO_MENTIONS });
  // Best effort: retire the buttons when the window closes (a click after it is refused anyway).
  setTimeout(
    () => void interaction.editReply({ content: keptText(result.voice), components: [] }).catch(() => undefined),
    KEEP_DECISION_MS,
  ).unref();
};

/**
 * Keep / Discard, pressed under a design preview. `args`: action, voice id (a designer id after it is ignored).
 * @remarks Who may choose comes from the stored record, never from the custom id, which a client can forge.
 */
export const onDesignButton: ButtonHandler = async (click, app, [action, voiceId]) => {
  const voice = await app.registry.get(click.guildId, voiceId ?? '');
  if (!voice) throw new UserError('not_found', 'That voice is no longer in this server.');
  if (click.user.id !== voice.createdBy)
    throw new UserError('forbidden', 'Only the member who designed this voice can keep or discard it.');
  if (Date.now() - click.message.createdTimestamp > KEEP_DECISION_MS) {
    await click.update({ components: [] });
    throw new UserError(
      'conflict',
      'That choice has expired: the voice was kept. Delete it with /voice delete if you don’t want it.',
    );
  }
  if (action === 'discard') {
    await click.deferUpdate();
    await app.library.remove(click.guildId, voice.voiceId);
    await click.editReply({
      content: `Discarded **${voice.name}**; it was deleted.`,
      components: [],
      attachments: [],
      allowedMentions: NO_MENTIONS,
    });
    return;
  }
  await click.update({ content: keptText(voice), components: [], allowedMentions: NO_MENTIONS });
};

function readInput(options: Parameters<Handler>[0]['options'], userId: string): DesignInput {
  const registryName = options.getString('name', true);
  const language = (options.getString('language') ?? 'en') as DesignLanguage;
  return {
    registryName,
    preferredName: preferredNameFrom(registryName),
    description: options.getString('description', true),
    previewText: options.getString('preview_text') ?? DEFAULT_PREVIEW_TEXT[language] ?? DEFAULT_PREVIEW_TEXT.en,
    language,
    format: 'pcm',
    createdBy: userId,
  };
}

/** Starts the member's cooldown now, or refuses while one runs; returns how to give it back. */
function takeCooldown(app: App, key: string): () => void {
  const last = app.designCooldowns.get(key);
  const now = Date.now();
  const waitMs = last === undefined ? 0 : last + app.config.limits.designCooldownMs - now;
  if (waitMs > 0)
    throw new UserError('quota_full', `You designed a voice a moment ago; try again in ${Math.ceil(waitMs / 1000)} s.`);
  app.designCooldowns.set(key, now);
  return () => {
    if (app.designCooldowns.get(key) === now) app.designCooldowns.delete(key);
  };
}

const keptText = (voice: CharacterVoice): string =>
  `Kept **${voice.name}**. Speak with it: \`/voice use ${voice.name}\` or \`/say voice:${voice.name}\`.`;

function deciding({ voice, preview, recovered }: DesignResult) {
  const lines = [
    `Designed **${plain(voice.name)}** (${DESIGN_LANGUAGES[voice.language]}) — ` +
      `“${plain(voice.description.slice(0, 200))}”`,
    recovered ? 'DashScope’s answer was lost, but the voice was found and saved; there is no preview this time.' : '',
    `Listen to the preview, then keep or discard it (kept automatically in ${KEEP_DECISION_MS / 60_000} minutes).`,
  ].filter(Boolean);
  const files = preview
    ? [new AttachmentBuilder(wavBytes(preview.audio, preview.sampleRate, 1), { name: `${voice.voiceId}.wav` })]
    : [];
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`design:keep:${voice.voiceId}:${voice.createdBy}`)
      .setLabel('Keep')
      .setStyle(ButtonStyle.Success),
    new ButtonBuilder()
      .setCustomId(`design:discard:${voice.voiceId}:${voice.createdBy}`)
      .setLabel('Discard')
      .setStyle(ButtonStyle.Danger),
  );
  return { content: lines.join('\n'), files, components: [buttons] };
}
