/**
 * An interaction the emulator dispatched and everything the bot answered for it.
 */
import type { RestFile } from './types.ts';

/** Interaction kinds the emulator can send. */
export type InteractionKind = 'command' | 'autocomplete' | 'component' | 'modal';

/** Interaction callback types (Discord's numbers). */
export const CallbackType = {
  ChannelMessage: 4,
  DeferredChannelMessage: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  AutocompleteResult: 8,
  Modal: 9,
} as const;

/** The message flag Discord sets on a deferred ("thinking…") reply. */
export const LOADING_FLAG = 1 << 7;
/** The ephemeral message flag. */
export const EPHEMERAL_FLAG = 1 << 6;

/** One answer of the bot to an interaction, in arrival order. */
export type InteractionEvent =
  | {
      kind: 'callback';
      at: number;
      type: number;
      data: Record<string, unknown> | undefined;
      files: RestFile[];
      withResponse: boolean;
    }
  | { kind: 'editOriginal'; at: number; data: Record<string, unknown>; files: RestFile[] }
  | { kind: 'deleteOriginal'; at: number }
  | { kind: 'followUp'; at: number; messageId: string; data: Record<string, unknown>; files: RestFile[] }
  | { kind: 'editFollowUp'; at: number; messageId: string; data: Record<string, unknown>; files: RestFile[] }
  | { kind: 'deleteFollowUp'; at: number; messageId: string };

/** The callback event. */
export type CallbackEvent = Extract<InteractionEvent, { kind: 'callback' }>;

/** The emulator's record of one interaction. */
export interface InteractionRecord {
  id: string;
  token: string;
  kind: InteractionKind;
  guildId: string;
  channelId: string;
  userId: string;
  /** `performance.now()` at dispatch. */
  createdAt: number;
  /** The INTERACTION_CREATE `d` that was dispatched. */
  payload: Record<string, unknown>;
  events: InteractionEvent[];
  acknowledged: boolean;
  /** Message of the reply (`@original`), once there is one. */
  originalMessageId: string | null;
  followUpIds: string[];
  /** For component and modal interactions: the message the component is on. */
  sourceMessageId: string | null;
}
