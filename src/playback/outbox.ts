/**
 * Messages for a thread, sent together: one `postMessage` carries everything queued since the last one.
 * @remarks A message wakes the thread that receives it, so a hundred streams must not each post their own. An
 * urgent message goes once the current turn of the event loop is done (with whatever that turn queued); others
 * wait up to `coalesceMs` for company.
 */
export class Outbox<T> {
  readonly #send: (messages: T[], transfer: ArrayBuffer[]) => void;
  readonly #coalesceMs: number;
  #queued: T[] = [];
  #transfer: ArrayBuffer[] = [];
  #soon: NodeJS.Timeout | undefined;
  #now: NodeJS.Immediate | undefined;

  constructor(send: (messages: T[], transfer: ArrayBuffer[]) => void, coalesceMs: number) {
    this.#send = send;
    this.#coalesceMs = coalesceMs;
  }

  /** Queues `message`; `transfer` moves its buffer to the receiving thread instead of copying it. */
  post(message: T, urgent: boolean, transfer?: ArrayBuffer): void {
    this.#queued.push(message);
    if (transfer !== undefined) this.#transfer.push(transfer);
    if (urgent) this.#now ??= setImmediate(() => this.flush());
    else this.#soon ??= setTimeout(() => this.flush(), this.#coalesceMs);
  }

  /** Sends what is queued now. */
  flush(): void {
    this.#cancel();
    if (this.#queued.length === 0) return;
    const messages = this.#queued;
    const transfer = this.#transfer;
    this.#queued = [];
    this.#transfer = [];
    this.#send(messages, transfer);
  }

  /** Drops what is queued (the thread is gone). */
  discard(): void {
    this.#cancel();
    this.#queued = [];
    this.#transfer = [];
  }

  #cancel(): void {
    clearTimeout(this.#soon);
    clearImmediate(this.#now);
    this.#soon = undefined;
    this.#now = undefined;
  }
}
