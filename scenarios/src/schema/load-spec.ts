import { readFileSync, statSync } from "node:fs";
import { type Document, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { Scenario, type ScenarioSpec } from "./schema.js";

/**
 * Reading a scenario file (YAML or JSON: JSON is YAML) into a validated spec. Every problem is reported
 * as `FILE:LINE: field.path: expected …, found …`, all of them at once, sorted by line.
 */
export class SpecError extends Error {
  override readonly name = "SpecError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  // JSON has no infinities or NaN (it would say null): YAML's .inf, .nan and 1e309 are named as such.
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** One zod issue as "expected …, found …". */
function explain(issue: z.core.$ZodIssue, input: unknown): string {
  const found = describe(valueAt(input, issue.path));
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}, found ${found}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, found ${found}`;
    case "invalid_union": {
      const listed = /^Invalid discriminator value\. Expected (.*)$/.exec(issue.message);
      if (listed) return `expected one of ${listed[1].replaceAll("'", '"').replaceAll(" | ", ", ")}, found ${found}`;
      return `expected ${issue.message.replace(/^Invalid input:?\s*/i, "") || "a valid value"}, found ${found}`;
    }
    case "too_small":
      return `expected ${issue.origin === "array" ? `at least ${issue.minimum} item(s)` : `${issue.inclusive ? ">=" : ">"} ${issue.minimum}`}, found ${issue.origin === "array" ? `${(valueAt(input, issue.path) as unknown[]).length}` : found}`;
    case "too_big":
      return `expected ${issue.origin === "array" ? `at most ${issue.maximum} item(s)` : `${issue.inclusive ? "<=" : "<"} ${issue.maximum}`}, found ${found}`;
    case "custom":
      return issue.message;
    default:
      return `${issue.message}, found ${found}`;
  }
}

function lineOf(doc: Document | undefined, lines: LineCounter, path: PropertyKey[]): number {
  if (!doc) return 0;
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as Array<string | number>, true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === "object" && node.range) return lines.linePos(node.range[0]).line;
  }
  return 0;
}

const pathText = (path: PropertyKey[]) =>
  path.length === 0
    ? "(top level)"
    : path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i > 0 ? "." : ""}${String(k)}`)).join("");

/**
 * A failed union says only "Invalid input"; report instead the issues of the alternative that came
 * closest (deepest, then fewest issues), so that `run: {dist: lognorm}` names the bad `dist`.
 */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
    const branches = issue.errors.map((branch) =>
      flatten(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue)),
    );
    const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));
    return [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
  });
}

/** Validate already-parsed data; `file` and `doc` only improve the messages. */
export function validateScenario(
  data: unknown,
  file = "scenario",
  doc?: Document,
  lines = new LineCounter(),
  overrides: readonly Override[] = [],
): ScenarioSpec {
  return validateWith(Scenario, data, file, doc, lines, overrides);
}

/** A `--set PATH=VALUE` applied to the data: problems at or under its path are blamed on it, not on a line. */
export interface Override {
  path: string[];
  text: string;
}

const within = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.every((k, i) => String(k) === String(b[i]));

/** Validate parsed YAML against a schema, every problem with file, line and field. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  doc?: Document,
  lines = new LineCounter(),
  overrides: readonly Override[] = [],
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = flatten(result.error.issues).map((issue) => {
    // For an unknown key, point at the key itself.
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    // The last override that set this field or a section holding it is the place to look.
    const by = [...overrides].reverse().find((o) => within(o.path, path) || within(path, o.path));
    if (by) return { line: -1, text: `--set ${by.text}: ${pathText(issue.path)}: ${explain(issue, data)}` };
    const line = lineOf(doc, lines, path);
    return { line, text: `${line > 0 ? `${file}:${line}` : file}: ${pathText(issue.path)}: ${explain(issue, data)}` };
  });
  problems.sort((a, b) => a.line - b.line);
  throw new SpecError(problems.map((p) => p.text));
}

/** Read a YAML (or JSON) file and validate it against a schema. */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, what = "file"): z.output<S> {
  const { doc, lines } = readYaml(file, what);
  return validateWith(schema, documentValue(doc, file), file, doc, lines);
}

/**
 * The largest scenario, sweep or environment file read: YAML of a few MiB already takes seconds and
 * gigabytes to parse, and nothing of ours needs more (traces are read as traces, streamed).
 */
const MAX_SPEC_BYTES = 2 ** 20;

/** A YAML (or JSON) file parsed with its line positions; an unreadable file or bad syntax names the line. */
function readYaml(file: string, what: string): { doc: Document; lines: LineCounter } {
  let text: string;
  try {
    // Only a regular file of bounded size: a device (/dev/zero), a FIFO or a huge file would hang the
    // read or exhaust memory before any message.
    const stat = statSync(file);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? "a directory" : stat.isFIFO() ? "a FIFO" : "a device or special file";
      throw new SpecError([`${file}: expected a readable ${what} (a regular file), found ${kind}`]);
    }
    if (stat.size > MAX_SPEC_BYTES) {
      throw new SpecError([
        `${file}: expected a ${what} of at most ${MAX_SPEC_BYTES / 2 ** 20} MiB (long lists belong in a trace file), found ${(stat.size / 2 ** 20).toFixed(1)} MiB`,
      ]);
    }
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new SpecError([`${file}: expected a readable ${what}, found ${code === "ENOENT" ? "no such file" : code}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map(
        (e) =>
          `${file}:${lines.linePos(e.pos[0]).line}: expected valid YAML or JSON, found ${e.message.split("\n")[0]}`,
      ),
    );
  }
  return { doc, lines };
}

/**
 * The document's value. Building it can still fail where parsing did not (an alias used before its
 * anchor, an alias expanding past the size limit): that is bad input too, named with its line.
 */
function documentValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    const pos = (err as { linePos?: [{ line: number }] }).linePos?.[0]?.line;
    throw new SpecError([`${file}${pos ? `:${pos}` : ""}: expected valid YAML or JSON, found ${message}`]);
  }
}

/**
 * Read and validate a scenario file. `overrides` set fields before validation, each a dotted path
 * (list items by index: `workloads.0.ratePerS`) and a YAML value (`0.9`, `2h`, `{ backfill: easy }`).
 */
export function loadScenarioFile(file: string, overrides: readonly string[] = []): ScenarioSpec {
  const { doc, lines } = readYaml(file, "scenario file");
  const data = documentValue(doc, file);
  if (overrides.length > 0) mappingToSet(data, file);
  const applied = overrides.map((o) => applyOverride(data, o));
  return validateScenario(data, file, doc, lines, applied);
}

/**
 * A scenario file's data as written, not validated: a mapping that `applyOverride` can set fields of
 * (a sweep walks it to tell which of its fields a scenario reads).
 */
export function readScenarioData(file: string): Record<string, unknown> {
  const data = documentValue(readYaml(file, "scenario file").doc, file);
  mappingToSet(data, file);
  return data as Record<string, unknown>;
}

function mappingToSet(data: unknown, file: string): void {
  if (data !== null && typeof data === "object" && !Array.isArray(data)) return;
  const found =
    data === null ? "an empty document" : Array.isArray(data) ? "a list" : `the value ${JSON.stringify(data)}`;
  throw new SpecError([`${file}: expected a scenario (a mapping of fields) to apply --set to, found ${found}`]);
}

/** Keys that would reach the object prototype instead of a field. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Set one `--set PATH=VALUE` in parsed (not yet validated) scenario data, in place. `null` removes the
 * field (its default applies) or the list item: no field of a scenario takes null as a value.
 */
export function applyOverride(data: unknown, assignment: string): Override {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new SpecError([`--set: expected path=value, found "${assignment}"`]);
  const path = assignment.slice(0, eq).split(".");
  const bad = path.find((k) => k === "" || UNSAFE_KEYS.has(k));
  if (bad !== undefined) {
    throw new SpecError([`--set ${assignment}: expected a field path like workloads.0.ratePerS, found "${bad}" in it`]);
  }
  const text = assignment.slice(eq + 1);
  const parsed = parseDocument(text, { prettyErrors: false });
  if (parsed.errors.length > 0) {
    throw new SpecError([
      `--set ${assignment}: expected a YAML value, found ${parsed.errors[0].message.split("\n")[0]}`,
    ]);
  }
  let value: unknown;
  try {
    value = parsed.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new SpecError([`--set ${assignment}: expected a YAML value, found ${message}`]);
  }
  let node = data as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    let next = node[path[i]];
    // A section the file leaves to its defaults is created; a value that is not a section is an error.
    if (next === undefined) next = node[path[i]] = {};
    if (next === null || typeof next !== "object") {
      throw new SpecError([
        `--set ${path.join(".")}: expected a path into the scenario, found a value at "${path.slice(0, i + 1).join(".")}"`,
      ]);
    }
    node = next as Record<string, unknown>;
  }
  const key = path[path.length - 1];
  if (value === null) removeField(node, key, assignment);
  else node[key] = value;
  return { path, text: assignment };
}

/** `--set PATH=null`: the field or list item removed; one the scenario does not set is an error. */
function removeField(node: Record<string, unknown>, key: string, assignment: string): void {
  const isItem = Array.isArray(node) && /^\d+$/.test(key);
  if (Array.isArray(node) ? !isItem || Number(key) >= node.length : !Object.hasOwn(node, key)) {
    throw new SpecError([`--set ${assignment}: expected a field the scenario sets to remove, found none there`]);
  }
  if (isItem) (node as unknown[]).splice(Number(key), 1);
  else delete node[key];
}
