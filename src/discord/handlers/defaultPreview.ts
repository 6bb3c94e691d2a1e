import type { DesignLanguage } from '../../../commands/limits.ts';

/** What a preview says when the designer gives no text: a friendly line in the voice's language (≥ 15 characters). */
export const DEFAULT_PREVIEW_TEXT: Readonly<Record<DesignLanguage, string>> = {
  en: 'Hello there! This is how I sound. Shall we begin the story?',
  zh: '你好！这就是我的声音。我们开始讲故事吧，好吗？',
  de: 'Hallo! So klinge ich. Wollen wir mit der Geschichte beginnen?',
  it: 'Ciao! Questa è la mia voce. Cominciamo la storia?',
  pt: 'Olá! É assim que eu soo. Vamos começar a história?',
  es: '¡Hola! Así suena mi voz. ¿Empezamos la historia?',
  ja: 'こんにちは！これが私の声です。さあ、物語を始めましょうか？',
  ko: '안녕하세요! 제 목소리는 이렇습니다. 이야기를 시작해 볼까요?',
  fr: 'Bonjour ! Voici ma voix. On commence l’histoire ?',
  ru: 'Привет! Вот так звучит мой голос. Начнём историю?',
};
