/**
 * Errors that carry a message meant for the person at the keyboard.
 * @remarks Anything else that is thrown is a bug: logged in full, answered with a generic reply.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** A stable machine-readable reason, e.g. `invalid_input`, `not_found`, `quota_full`. */
  readonly reason: UserErrorReason;
  constructor(reason: UserErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

export type UserErrorReason = 'invalid_input' | 'not_found' | 'conflict' | 'quota_full' | 'forbidden';

/** Invalid input that was rejected before any request was sent. */
export function invalidInput(message: string): UserError {
  return new UserError('invalid_input', message);
}
