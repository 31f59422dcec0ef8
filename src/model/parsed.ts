/**
 * What a parser of user input returns: the value, or what is wrong with the input — in
 * words the user can act on. The caller decides how to refuse (usually a UserError naming
 * the option). Parsers never throw for bad input.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export const accept = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const refuse = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });
