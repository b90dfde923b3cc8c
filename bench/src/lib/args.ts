import { type ParseArgsConfig, parseArgs } from "node:util";

/**
 * A bench's command-line options, parsed as node:util's parseArgs parses them; an unknown or malformed
 * option ends the bench with the reason and the options it takes (exit status 2), not a stack trace.
 */
export function benchArgs<T extends ParseArgsConfig>(bench: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const known = Object.keys(config.options ?? {})
      .map((o) => `--${o}`)
      .join(", ");
    process.stderr.write(`bench:${bench}: ${(e as Error).message}\n  options: ${known}\n`);
    process.exit(2);
  }
}
