/**
 * Bad input from the user (arguments, files, values). Reported as one line naming what was wrong,
 * what was expected and what was found; exit code 2; never a stack trace.
 */
export class UserError extends Error {
  override readonly name = "UserError";
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** A check the command ran did not pass; it has printed why. Exit code 1, nothing more on stderr. */
export class ChecksFailed extends Error {
  override readonly name = "ChecksFailed";
}
