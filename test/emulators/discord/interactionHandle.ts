/**
 * What a test holds after dispatching an interaction: awaitable views of the bot's answers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorContext } from './context.ts';
import {
  type CallbackEvent,
  CallbackType,
  EPHEMERAL_FLAG,
  type InteractionEvent,
  type InteractionRecord,
  LOADING_FLAG,
} from './interactionRecord.ts';
import type { EmulatedMessage, RestFile } from './types.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** An autocomplete choice as the bot sent it. */
export interface Choice {
  name: string;
  value: string | number;
  [key: string]: unknown;
}

/** Handle of one dispatched interaction; every wait rejects after `timeoutMs` (default 5 s). */
export class InteractionHandle {
  readonly #ctx: EmulatorContext;
  readonly #record: InteractionRecord;

  constructor(ctx: EmulatorContext, record: InteractionRecord) {
    this.#ctx = ctx;
    this.#record = record;
  }

  get id(): string {
    return this.#record.id;
  }

  get token(): string {
    return this.#record.token;
  }

  /** `performance.now()` when INTERACTION_CREATE was dispatched (compare with `VoicePacket.receivedAt`). */
  get dispatchedAt(): number {
    return this.#record.createdAt;
  }

  /** The INTERACTION_CREATE `d` sent to the bot. */
  get payload(): Readonly<Record<string, unknown>> {
    return this.#record.payload;
  }

  /** Every answer so far, in arrival order. */
  get events(): readonly InteractionEvent[] {
    return this.#record.events;
  }

  /** The callback (reply, defer, update, autocomplete result or modal). */
  callback(timeoutMs = DEFAULT_WAIT_MS): Promise<CallbackEvent> {
    return this.#until(() => this.#callback(), timeoutMs, 'the interaction callback');
  }

  /** Milliseconds from dispatch to the callback, once it came. */
  async callbackDelayMs(timeoutMs = DEFAULT_WAIT_MS): Promise<number> {
    return (await this.callback(timeoutMs)).at - this.#record.createdAt;
  }

  /**
   * The first reply the user can see: a type 4/7 callback, or the first edit after a defer.
   * @remarks For component interactions answered with type 6/7 this is the updated source message.
   */
  reply(timeoutMs = DEFAULT_WAIT_MS): Promise<EmulatedMessage> {
    return this.#until(
      () => {
        const message = this.original();
        return message !== undefined && (message.flags & LOADING_FLAG) === 0 && this.#visible() ? message : undefined;
      },
      timeoutMs,
      'a visible interaction reply',
    );
  }

  /** The reply once no new answer arrived for `quietMs` (default 250 ms). */
  async final(options: { quietMs?: number; timeoutMs?: number } = {}): Promise<EmulatedMessage> {
    const { quietMs = 250, timeoutMs = DEFAULT_WAIT_MS } = options;
    const deadline = performance.now() + timeoutMs;
    let message = await this.reply(timeoutMs);
    for (;;) {
      const seen = this.#record.events.length;
      await sleep(quietMs);
      message = this.original() ?? message;
      if (this.#record.events.length === seen) return message;
      if (performance.now() > deadline) throw new Error(`interaction reply still changing after ${timeoutMs} ms`);
    }
  }

  /** The current `@original` message (undefined before a reply or defer). */
  original(): EmulatedMessage | undefined {
    const id = this.#record.originalMessageId ?? (this.#callback() === undefined ? null : this.#record.sourceMessageId);
    return id === null ? undefined : this.#ctx.messages.get(id);
  }

  /** Follow-up messages so far. */
  followUps(): EmulatedMessage[] {
    return this.#record.followUpIds.flatMap((id) => this.#ctx.messages.get(id) ?? []);
  }

  /** The `index`-th follow-up (0-based), once it arrives. */
  followUp(index = 0, timeoutMs = DEFAULT_WAIT_MS): Promise<EmulatedMessage> {
    return this.#until(() => this.followUps()[index], timeoutMs, `follow-up #${index}`);
  }

  /** The choices of the autocomplete result. */
  async choices(timeoutMs = DEFAULT_WAIT_MS): Promise<Choice[]> {
    const callback = await this.callback(timeoutMs);
    if (callback.type !== CallbackType.AutocompleteResult)
      throw new Error(`callback type ${callback.type} is not an autocomplete result`);
    return (callback.data?.choices ?? []) as Choice[];
  }

  /** The modal the bot showed (callback type 9): its data. */
  async modal(timeoutMs = DEFAULT_WAIT_MS): Promise<Record<string, unknown>> {
    const callback = await this.callback(timeoutMs);
    if (callback.type !== CallbackType.Modal) throw new Error(`callback type ${callback.type} is not a modal`);
    return callback.data ?? {};
  }

  /** True when the callback asked for an ephemeral message. */
  ephemeral(): boolean {
    const flags = this.#callback()?.data?.flags;
    return typeof flags === 'number' && (flags & EPHEMERAL_FLAG) !== 0;
  }

  /** Every file the bot uploaded for this interaction, in order. */
  files(): RestFile[] {
    return this.#record.events.flatMap((e) => ('files' in e ? e.files : []));
  }

  /** The first answer (past or future) matching `predicate`. */
  waitFor(predicate: (event: InteractionEvent) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<InteractionEvent> {
    return this.#until(() => this.#record.events.find(predicate), timeoutMs, 'a matching interaction answer');
  }

  #callback(): CallbackEvent | undefined {
    return this.#record.events.find((e): e is CallbackEvent => e.kind === 'callback');
  }

  #visible(): boolean {
    const callback = this.#callback();
    if (callback === undefined) return false;
    if (callback.type === CallbackType.ChannelMessage || callback.type === CallbackType.UpdateMessage) return true;
    return this.#record.events.some((e) => e.kind === 'editOriginal');
  }

  #until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return this.#ctx.watch.until(probe, timeoutMs, `${what} of interaction ${this.#record.kind} ${this.#record.id}`);
  }
}
