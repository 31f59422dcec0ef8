/**
 * A refusal the user should see, privately, as it is. Anything else thrown is a bug: the
 * dispatcher logs it with an id and answers "something went wrong (ref …)".
 *
 * `denied` marks refusals of access (not vetted, wrong role, a case the caller may not see):
 * those leave an audit entry even though everything else about the attempt is rolled back.
 */
export type ErrorCode =
  | "syntax"
  | "unknown_command"
  | "invalid_option"
  | "missing_option"
  | "not_found"
  | "conflict"
  | "not_vetted"
  | "forbidden"
  | "invalid_state"
  | "rate_limited";

/** What a refused access attempt was about, for its audit entry. */
export interface Denial {
  /** What was asked for: `case:REF`, `link-code`. */
  target?: string;
  /** Whether the thing exists (a hidden case and a missing one are answered alike). */
  exists?: boolean;
}

export interface UserErrorOptions {
  /** The option the refusal is about (forms show the error next to it). */
  field?: string;
  /** Set for refusals of access: they leave an audit entry. */
  denial?: Denial;
}

export class UserError extends Error {
  override readonly name = "UserError";
  readonly code: ErrorCode;
  /** The option the refusal is about, when there is one (forms show the error next to it). */
  readonly field: string | undefined;
  readonly denial: Denial | undefined;

  constructor(code: ErrorCode, message: string, options: UserErrorOptions = {}) {
    super(message);
    this.code = code;
    this.field = options.field;
    this.denial = options.denial;
  }

  /** A refusal of access (audited). */
  get denied(): boolean {
    return this.denial !== undefined;
  }

  /** For refusals of access: what was asked for, for the audit entry (`case:REF`). */
  get deniedTarget(): string | undefined {
    return this.denial?.target;
  }

  /** A refusal about one option, named by the option itself. */
  static about(field: string, code: ErrorCode, message: string): UserError {
    return new UserError(code, message, { field });
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
