import type { ChatAttachment } from './chatMessage.ts';

/** What an attachment is, as far as a listener cares. */
export type AttachmentKind = 'image' | 'video' | 'audio' | 'voice' | 'file' | 'sticker';

/** Singular (with article) and plural forms, in the order kinds are listed. */
const WORDS: Record<AttachmentKind, [one: string, many: string]> = {
  image: ['an image', 'images'],
  video: ['a video', 'videos'],
  audio: ['an audio file', 'audio files'],
  voice: ['a voice message', 'voice messages'],
  file: ['a file', 'files'],
  sticker: ['a sticker', 'stickers'],
};
const KIND_ORDER = Object.keys(WORDS) as AttachmentKind[];
const EXTENSIONS: Record<string, AttachmentKind> = Object.fromEntries([
  ...['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'heic', 'heif', 'bmp', 'svg', 'tif', 'tiff'].map((e) => [
    e,
    'image',
  ]),
  ...['mp4', 'mov', 'webm', 'mkv', 'avi', 'm4v', 'wmv'].map((e) => [e, 'video']),
  ...['mp3', 'wav', 'ogg', 'oga', 'flac', 'm4a', 'opus', 'aac', 'wma'].map((e) => [e, 'audio']),
]);
/** The file name Discord gives a recorded voice message. */
const VOICE_MESSAGE_NAME = 'voice-message.ogg';

/** Classifies an attachment by content type, else by file extension; anything else is a "file". */
export function attachmentKind(attachment: ChatAttachment): AttachmentKind {
  if (attachment.name.toLowerCase() === VOICE_MESSAGE_NAME) return 'voice';
  const type = attachment.contentType?.toLowerCase().split('/')[0];
  if (type === 'image' || type === 'video' || type === 'audio') return type;
  const extension = /\.([a-z0-9]{1,5})$/iu.exec(attachment.name)?.[1]?.toLowerCase();
  return (extension === undefined ? undefined : EXTENSIONS[extension]) ?? 'file';
}

/**
 * "sent an image", "sent 3 images and a file", "sent a sticker", or `undefined` for none.
 * @remarks Counted by kind in a fixed order, so ten screenshots are four words, not ten phrases.
 */
export function describeAttachments(
  attachments: readonly ChatAttachment[],
  stickers: readonly string[] = [],
): string | undefined {
  const counts = new Map<AttachmentKind, number>();
  const kinds = [...attachments.map(attachmentKind), ...stickers.map((): AttachmentKind => 'sticker')];
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const parts = KIND_ORDER.filter((kind) => counts.has(kind)).map((kind) => {
    const count = counts.get(kind) ?? 0;
    return count === 1 ? WORDS[kind][0] : `${count} ${WORDS[kind][1]}`;
  });
  return parts.length === 0 ? undefined : `sent ${joinList(parts)}`;
}

/** "a", "a and b", "a, b and c". */
function joinList(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`;
}
