/**
 * An incremental Server-Sent Events parser, as DashScope's streaming HTTP answers need it (spec §2).
 * @remarks Follows the WHATWG event-stream rules: lines end in LF, CRLF or CR; several `data:` lines of one
 * event are joined with LF; lines starting with `:` are comments. DashScope's `:HTTP_STATUS/<code>` comment
 * (and the SDK's `status:` field) is kept as the event's `status`. UTF-8 split across chunks is handled.
 */

/** One dispatched event. */
export interface SseEvent {
  /** `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  id: string | undefined;
  /** From `:HTTP_STATUS/<code>` or `status:<code>`. */
  status: number | undefined;
}

interface Pending {
  event: string | undefined;
  data: string[];
  id: string | undefined;
  status: number | undefined;
}

const HTTP_STATUS_COMMENT = /^:\s*HTTP_STATUS\/(\d{3})/u;

function emptyPending(): Pending {
  return { event: undefined, data: [], id: undefined, status: undefined };
}

/** Feed bytes with `push`, then `end`; each returns the events completed so far. */
export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  #pending: Pending = emptyPending();

  push(bytes: Uint8Array | string): SseEvent[] {
    this.#buffer += typeof bytes === 'string' ? bytes : this.#decoder.decode(bytes, { stream: true });
    return this.#drain(false);
  }

  /** Flushes the last line and dispatches an event left without its blank line. */
  end(): SseEvent[] {
    this.#buffer += this.#decoder.decode();
    const events = this.#drain(true);
    const last = this.#dispatch();
    return last === undefined ? events : [...events, last];
  }

  #drain(final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    const lines = this.#buffer.split(/\r\n|\r|\n/u);
    // The last piece has no line end yet (or ends in a CR whose LF may follow): keep it.
    let rest = lines.pop() ?? '';
    if (!final && this.#buffer.endsWith('\r')) rest = `${lines.pop() ?? ''}\r`;
    if (final) {
      if (rest !== '') lines.push(rest);
      rest = '';
    }
    this.#buffer = rest;
    for (const line of lines) {
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) {
      const status = HTTP_STATUS_COMMENT.exec(line)?.[1];
      if (status !== undefined) this.#pending.status = Number(status);
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    const value = raw.startsWith(' ') ? raw.slice(1) : raw;
    if (field === 'data') this.#pending.data.push(value);
    else if (field === 'event') this.#pending.event = value;
    else if (field === 'id') this.#pending.id = value;
    else if (field === 'status' && /^\d{3}$/u.test(value)) this.#pending.status = Number(value);
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const pending = this.#pending;
    this.#pending = emptyPending();
    if (pending.data.length === 0) return undefined;
    return { event: pending.event || 'message', data: pending.data.join('\n'), id: pending.id, status: pending.status };
  }
}
