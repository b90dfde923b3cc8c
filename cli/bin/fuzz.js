#!/usr/bin/env node
// npm run -s fuzz -- [--seconds N] [--seed S] [--parallel P] [--only NAME] [--json]: mutated inputs against every input path.
import { parseArgs } from "node:util";
import { fuzz } from "../dist/fuzz/fuzz.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    seed: { type: "string", default: "1" },
    parallel: { type: "string", default: "2" },
    timeout: { type: "string", default: "60" },
    save: { type: "string", default: "results/fuzz" },
    json: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const report = await fuzz({
  seconds: Number(values.seconds),
  seed: Number(values.seed),
  parallel: Number(values.parallel),
  timeoutMs: Number(values.timeout) * 1000,
  saveDir: values.save,
  only: values.only,
});
if (values.json)
  process.stdout.write(
    `${JSON.stringify({ ...report, findings: report.findings.map((f) => ({ target: f.target, why: f.why })) })}\n`,
  );
else {
  process.stdout.write(
    `fuzz: ${report.inputs} inputs over ${report.targets} input paths in ${report.seconds} s; exits ${JSON.stringify(report.exits)}; ${report.findings.length} findings${report.findings.length ? ` (saved in ${values.save})` : ""}\n`,
  );
  for (const f of report.findings) process.stdout.write(`  ${f.target}: ${f.why}\n`);
}
process.exit(report.findings.length > 0 ? 1 : 0);
