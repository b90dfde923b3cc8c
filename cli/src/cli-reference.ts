/**
 * docs/cli.md: every command's help, generated from the command tree itself (`npm run docs:cli`), so
 * that the reference cannot drift from what the command accepts (a test compares them).
 */
import type { Command } from "commander";
import { buildProgram } from "./main.js";

function all(cmd: Command, path: string[] = []): { path: string[]; help: string }[] {
  // A fixed width: the same text whatever terminal (or none) regenerates it.
  cmd.configureHelp({ helpWidth: 110 });
  const here = { path, help: cmd.helpInformation().trimEnd() };
  return [here, ...cmd.commands.flatMap((c) => all(c, [...path, c.name()]))];
}

export function cliReference(): string {
  const program = buildProgram(() => undefined);
  const sections = all(program).map(
    ({ path, help }) => `## \`clustersim${path.length ? ` ${path.join(" ")}` : ""}\`\n\n\`\`\`text\n${help}\n\`\`\`\n`,
  );
  return `# clustersim command reference\n\nGenerated from the command's own help by \`npm run docs:cli\`; \`clustersim COMMAND --help\` prints the same.\n\n${sections.join("\n")}`;
}
