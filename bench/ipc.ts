/**
 * Request and reply with a forked bench process over IPC: one request, one reply, in order.
 */
import type { ChildProcess } from 'node:child_process';

/** A function that sends `message` to `child` and resolves with its next reply. */
export function channelTo<To, From>(child: ChildProcess): (message: To) => Promise<From> {
  const waiting: ((m: From) => void)[] = [];
  child.on('message', (m: From) => waiting.shift()?.(m));
  return (message) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      child.send(message as object);
    });
}

/** Resolves with the child's first message (its "ready"). */
export const firstMessage = <From>(child: ChildProcess): Promise<From> =>
  new Promise((resolve) => child.once('message', (m: From) => resolve(m)));
