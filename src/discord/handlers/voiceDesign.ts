import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, ComponentType, MessageFlags, type ButtonInteraction } from 'discord.js';
import { DESIGN_LANGUAGES, type DesignLanguage } from '../../../commands/limits.ts';
import { wavBytes } from '../../audio/files.ts';
import { preferredNameFrom, validateDesign } from '../../dashscope/validate.ts';
import { UserError } from '../../errors.ts';
import type { DesignInput, DesignResult } from '../../voices/voiceLibrary.ts';
import { nameProblem, normalizeName } from '../../voices/voiceRecord.ts';
import type { App, Handler } from '../app.ts';
import { NO_MENTIONS } from '../reply.ts';
import { DEFAULT_PREVIEW_TEXT } from './defaultPreview.ts';

/** How long the designer has to press Keep or Discard; silence keeps the voice, ms. */
export const KEEP_DECISION_MS = 5 * 60_000;

/** `/voice design name description [preview_text] [language]`. */
export const design: Handler = async (interaction, app) => {
  const cooldownKey = `${interaction.guildId}:${interaction.user.id}`;
  const input = readInput(interaction.options, interaction.user.id);
  assertCooldown(app, cooldownKey);
  // Pure checks first: a wrong option never spends a paid call, nor even defers.
  validateDesign(input, { targetModel: app.config.ttsModel });
  const problem = nameProblem(normalizeName(input.registryName ?? ''));
  if (problem) throw new UserError('invalid_input', problem);
  await interaction.deferReply();
  const result = await app.library.design(interaction.guildId, input);
  app.designCooldowns.set(cooldownKey, Date.now());
  app.log.info({ guildId: interaction.guildId, voice: result.voice.voiceId, recovered: result.recovered }, 'voice designed');
  const message = await interaction.editReply({ ...designedMessage(result, true), allowedMentions: NO_MENTIONS });
  const choice = await awaitDecision(message.createMessageComponentCollector<ComponentType.Button>({ time: KEEP_DECISION_MS }), interaction.user.id);
  if (choice?.customId === 'design:discard') {
    await app.library.remove(interaction.guildId, result.voice.voiceId);
    await choice.update({ content: `Discarded **${result.voice.name}**; it was deleted.`, components: [], attachments: [], allowedMentions: NO_MENTIONS });
    return;
  }
  const kept = { ...designedMessage(result, false), allowedMentions: NO_MENTIONS };
  if (choice) await choice.update(kept);
  else await interaction.editReply(kept);
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

function assertCooldown(app: App, key: string): void {
  const last = app.designCooldowns.get(key);
  const waitMs = last === undefined ? 0 : last + app.config.limits.designCooldownMs - Date.now();
  if (waitMs > 0) throw new UserError('quota_full', `You designed a voice a moment ago; try again in ${Math.ceil(waitMs / 1000)} s.`);
}

function designedMessage({ voice, preview, recovered }: DesignResult, deciding: boolean) {
  const language = DESIGN_LANGUAGES[voice.language];
  const lines = [
    `${deciding ? 'Designed' : 'Kept'} **${voice.name}** (${language}) — “${voice.description.slice(0, 200)}”`,
    recovered ? 'DashScope’s answer was lost, but the voice was found and saved; there is no preview this time.' : '',
    deciding ? `Listen to the preview, then keep or discard it (kept automatically in ${KEEP_DECISION_MS / 60_000} minutes).` : `Speak with it: \`/voice use ${voice.name}\` or \`/say voice:${voice.name}\`.`,
  ].filter(Boolean);
  const files = preview ? [new AttachmentBuilder(wavBytes(preview.audio, preview.sampleRate, 1), { name: `${voice.voiceId}.wav` })] : [];
  const buttons = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('design:keep').setLabel('Keep').setStyle(ButtonStyle.Success),
    new ButtonBuilder().setCustomId('design:discard').setLabel('Discard').setStyle(ButtonStyle.Danger),
  );
  return { content: lines.join('\n'), files: deciding ? files : undefined, components: deciding ? [buttons] : [] };
}

/** Waits for the designer's click; others are told the choice is not theirs. Resolves undefined on timeout. */
function awaitDecision(collector: { on(event: 'collect', fn: (i: ButtonInteraction) => void): unknown; once(event: 'end', fn: () => void): unknown; stop(): void }, authorId: string): Promise<ButtonInteraction | undefined> {
  return new Promise((resolve) => {
    collector.on('collect', (click) => {
      if (click.user.id !== authorId) {
        void click.reply({ content: 'Only the member who designed this voice can keep or discard it.', flags: MessageFlags.Ephemeral }).catch(() => undefined);
        return;
      }
      resolve(click);
      collector.stop();
    });
    collector.once('end', () => resolve(undefined));
  });
}

