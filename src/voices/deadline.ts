import { StoreUnavailableError } from './storeFault.ts';

/**
 * `work`, or a {@link StoreUnavailableError} once `ms` have passed without an answer.
 * @remarks node-redis's own command timeout only covers a command still waiting to be sent: once written,
 * it waits for the reply forever (redis/node-redis#3008), so a Redis that accepts connections but answers
 * nothing (frozen, overloaded, a half-open link) would hang every command. This bounds the wait; the command
 * itself may still run later, so a caller must not assume it did nothing.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`the store did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `target` with each of `methods` answering within `ms` ({@link withDeadline}); everything else passes through. */
export function deadlined<T extends object>(target: T, methods: ReadonlyArray<keyof T & string>, ms: number): T {
  const bounded = new Set<string | symbol>(methods);
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      if (!bounded.has(property)) return value.bind(object);
      return (...args: unknown[]) => withDeadline(Promise.resolve(value.apply(object, args)), ms);
    },
    set: (object, property, value) => Reflect.set(object, property, value, object),
  });
}
