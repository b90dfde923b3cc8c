/**
 * What code threw, as text, whatever it threw: an Error's message; a string; anything else shown with
 * "(not an Error)"; and for a value that cannot even be shown (an object whose toString throws), its
 * type. For messages about user code (plug-ins), which may throw anything: the message must not fail.
 */
export function thrownText(err: unknown): string {
  try {
    if (err instanceof Error) return err.message;
    return typeof err === "string" ? err : `${String(err)} (not an Error)`;
  } catch {
    return `a value that cannot be shown (${typeof err})`;
  }
}
