/**
 * Bad input from the user (a file, an option, a value): the message names what was wrong, what was
 * expected and what was found, and is meant to be shown as it is, without a stack trace.
 */
export class InputError extends Error {
  override readonly name = "InputError";
}
