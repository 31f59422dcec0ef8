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

export class UserError extends Error {
  override readonly name = "UserError";
  /** For refusals of access: what was asked for, for the audit entry (`case:REF`). */
  readonly deniedTarget: string | undefined;
  readonly denied: boolean;
  readonly denial: Denial | undefined;

  constructor(code: ErrorCode, message: string, denied: boolean | Denial = false) {
    super(message);
    this.code = code;
    this.denied = denied !== false;
    this.denial = typeof denied === "object" ? denied : denied ? {} : undefined;
    this.deniedTarget = this.denial?.target;
  }

  readonly code: ErrorCode;
  /** The option the refusal is about, when there is one (forms show the error next to it). */
  field: string | undefined;

  static about(field: string, code: ErrorCode, message: string): UserError {
    const error = new UserError(code, message);
    error.field = field;
    return error;
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
