/**
 * Reading a replay's bytes into one string, refusing one too long to be a string. V8's longest string
 * is 2^29 − 24 UTF-16 units (64-bit); past it `Response.text()` and `File.text()` throw or give an empty
 * string (a 630 MB replay was "an empty file"). UTF-8 decodes to at most one unit per byte, so a file of
 * at most this many bytes always fits.
 */
export const MAX_REPLAY_BYTES = 2 ** 29 - 24;

const mb = (bytes: number) => (bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB` : `${bytes} bytes`);

/** Why a replay of `bytes` (undefined: more than `limit`, counted as it came) is not opened. */
export function tooLarge(name: string, bytes: number | undefined, limit: number): Error {
  return new Error(
    `${name} is ${bytes === undefined ? `over ${mb(limit)}` : mb(bytes)}; the viewer opens replays up to ` +
      `${mb(limit)} (V8's string limit): open a shorter run, or its start (head -n 1000000 replay.jsonl)`,
  );
}

/** A dropped file's text, its size checked first. */
export async function fileText(file: File, limit = MAX_REPLAY_BYTES): Promise<string> {
  if (file.size > limit) throw tooLarge(file.name, file.size, limit);
  return file.text();
}

/**
 * A fetched file's text: refused from its Content-Length before a byte is read, else counted as it
 * streams (a server may send none, or a compressed one) and refused once past the limit.
 */
export async function responseText(r: Response, name: string, limit = MAX_REPLAY_BYTES): Promise<string> {
  const declared = Number(r.headers.get("content-length") ?? Number.NaN);
  if (declared > limit || !r.body) {
    await r.body?.cancel();
    if (declared > limit) throw tooLarge(name, declared, limit);
    return "";
  }
  const reader = r.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(name, undefined, limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  // As Response.text() decodes: UTF-8, a byte-order mark dropped, bad bytes as U+FFFD.
  return new TextDecoder().decode(bytes);
}
