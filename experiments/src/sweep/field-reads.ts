import { Scenario } from "@clustersim/scenarios";
import { strategy } from "@clustersim/schedulers";
import type { z } from "zod";
import { nearest } from "./nearest.js";

/**
 * Whether a scenario reads a field path that a sweep sets (as `--set` takes it): walked through the
 * scenario's data as written and the scenario schema together. A scenario reads PATH when every step
 * but the last reaches a section it has (a map in the file, or one the schema fills with a default:
 * `outputs`, `scheduler.preemption`; a list item at an index the list has), and the last key is a field
 * of that section's kind: of the kind its `type` (or `dist`) names, of the parameters the named
 * strategy declares under `scheduler.params`. Only what is sure not to be read is reported: where the
 * kind cannot be told (a `type` the schema does not know, a plug-in's parameters, a field of any
 * value), the path counts as read and validation has the last word.
 */

type Schema = z.core.$ZodType;

/** The parts of zod's definitions walked here (zod 4's `_zod.def`). */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  getter?: () => Schema;
  defaultValue?: unknown;
  shape?: Record<string, Schema>;
  element?: Schema;
  items?: Schema[];
  valueType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const def = (s: Schema) => s._zod.def as unknown as Def;
const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
const own = (x: unknown, k: string) => (isMap(x) && Object.hasOwn(x, k) ? x[k] : undefined);

/** Wrappers looked through: the section's own schema, with its default when the file leaves it out. */
function unwrap(schema: Schema, node: unknown): { schema: Schema; node: unknown } {
  for (;;) {
    const d = def(schema);
    if (d.type === "default" || d.type === "prefault") {
      if (node === undefined) {
        const v = typeof d.defaultValue === "function" ? (d.defaultValue as () => unknown)() : d.defaultValue;
        node = structuredClone(v);
      }
      schema = d.innerType!;
    } else if (["optional", "nullable", "readonly", "nonoptional", "catch"].includes(d.type)) schema = d.innerType!;
    // A preprocess (a transform in front) is written as its output; a transform after, as its input.
    else if (d.type === "pipe") schema = def(d.in!).type === "transform" ? d.out! : d.in!;
    else if (d.type === "lazy") schema = d.getter!();
    else return { schema, node };
  }
}

/** The values a literal or enum field takes; undefined for any other field. */
function literalValues(schema: Schema): unknown[] | undefined {
  const d = def(unwrap(schema, undefined).schema);
  if (d.type === "literal") return d.values;
  if (d.type === "enum") return Object.values(d.entries ?? {});
  return undefined;
}

/** A union's alternatives, nested unions flattened, each with the discriminator that chose it. */
function alternatives(schema: Schema, by?: string): { schema: Schema; by?: string }[] {
  const s = unwrap(schema, undefined).schema;
  const d = def(s);
  if (d.type !== "union") return [{ schema: s, by }];
  return d.options!.flatMap((o) => alternatives(o, d.discriminator ?? by));
}

/**
 * The alternative of a union a map is: the map alternatives whose required literal fields (`type:
 * poisson`) it matches. Its kind names the discriminator (`type: poisson`); "unknown" when none
 * matches (validation names the bad value).
 */
function pick(
  schema: Schema,
  node: unknown,
): { schema: Schema; kind?: string; others?: Other[] } | "unknown" | "value" {
  const alts = alternatives(schema);
  if (!isMap(node)) {
    const list = alts.find((a) => ["array", "tuple"].includes(def(a.schema).type));
    if (Array.isArray(node) && list) return { schema: list.schema };
    return node === undefined && alts.some((a) => def(a.schema).type === "object")
      ? { schema: alts[0].schema }
      : "value";
  }
  const record = alts.find((a) => def(a.schema).type === "record");
  const fits = alts.filter((a) => {
    const shape = def(a.schema).shape;
    if (!shape) return false;
    return Object.entries(shape).every(([k, f]) => {
      const values = literalValues(f);
      const required = !["optional", "default"].includes(def(f).type);
      return !values || !required || values.includes(own(node, k));
    });
  });
  if (fits.length === 0) return record ? { schema: record.schema } : "unknown";
  const a = fits[0];
  const by = a.by ?? Object.keys(def(a.schema).shape!).find((k) => def(def(a.schema).shape![k]).type === "literal");
  if (by === undefined) return { schema: a.schema };
  // The other kinds, to name the one a field belongs to (a rate on a trace workload is a poisson one's).
  const others = alts.flatMap((o) => {
    const shape = def(o.schema).shape;
    const value = shape?.[by] && literalValues(shape[by])?.[0];
    return o === a || value === undefined ? [] : [{ by, value: String(value), keys: Object.keys(shape!) }];
  });
  return { schema: a.schema, kind: `${by}: ${String(own(node, by))}`, others };
}

/** Another kind of a union's section: its discriminator and value (`type`, `poisson`), and its fields. */
interface Other {
  by: string;
  value: string;
  keys: string[];
}

const describe = (v: unknown) => (isMap(v) ? "a map" : Array.isArray(v) ? "a list" : JSON.stringify(v));
const list = (keys: readonly string[]) =>
  keys.length <= 8 ? keys.join(", ") : `${keys.slice(0, 8).join(", ")} and ${keys.length - 8} more`;

/** Where a walk is: the section's schema and data, and its kind when a union's field named it. */
interface Place {
  schema: Schema;
  node: unknown;
  kind?: string;
}

/**
 * Why a scenario (its data as written, with the overrides before this one applied) does not read
 * `path`, naming where the path leaves it and the nearest path it has; undefined when it reads it.
 */
export function unreadReason(data: unknown, path: readonly string[]): string | undefined {
  let here: Place | string | undefined = { schema: Scenario, node: data };
  for (let i = 0; i < path.length && typeof here === "object"; i++) here = step(here, data, path, i);
  return typeof here === "string" ? here : undefined;
}

/**
 * One key of the path from a section: the place it reaches, the reason it reaches none, or undefined
 * when what lies beyond cannot be told here (it counts as read).
 */
function step(from: Place, data: unknown, path: readonly string[], i: number): Place | string | undefined {
  const key = path[i];
  const at = path.slice(0, i).join(".");
  const guessed = (k: string) => [...path.slice(0, i), k, ...path.slice(i + 1)].join(".");
  let { schema, node } = unwrap(from.schema, from.node);
  let { kind } = from;
  let others: Other[] = [];
  if (def(schema).type === "union") {
    const p = pick(schema, node);
    if (p === "unknown") return undefined;
    if (p !== "value") {
      ({ schema, node } = unwrap(p.schema, node));
      kind = p.kind ?? kind;
      others = p.others ?? [];
    }
  }
  const d = def(schema);
  if (d.type === "unknown" || d.type === "any") return undefined;
  if (node === undefined) return `the scenario has no ${at} (give ${at} whole to add it)`;
  if (d.type === "object" && isMap(node)) {
    const keys = Object.keys(d.shape!);
    if (!Object.hasOwn(d.shape!, key)) {
      const guess = nearest(key, keys);
      const of = others.filter((o) => o.keys.includes(key));
      const hint = guess
        ? ` (did you mean ${guessed(guess)}?)`
        : of.length > 0
          ? ` (a field of ${of[0].by}: ${of.map((o) => o.value).join(", ")})`
          : keys.length > 0
            ? ` (its fields: ${list(keys)})`
            : " (it has none)";
      return `${i === 0 ? "the scenario" : `${at}${kind ? ` (${kind})` : ""}`} has no field "${key}"${hint}`;
    }
    // A registered strategy's parameters are those it declares; a plug-in's are its own code's to check.
    if (i === 1 && path[0] === "scheduler" && key === "params") {
      const scheduler = own(data, "scheduler");
      const entry = own(scheduler, "plugin") === undefined ? strategy(String(own(scheduler, "name"))) : undefined;
      if (!entry) return undefined;
      // Left out, they default to none.
      return { schema: entry.params as Schema, node: own(node, key) ?? {}, kind: `${entry.name}'s parameters` };
    }
    return { schema: d.shape![key], node: own(node, key) };
  }
  if ((d.type === "array" || d.type === "tuple") && Array.isArray(node)) {
    const n = node.length;
    if (!/^(0|[1-9]\d*)$/.test(key)) return `${at} is a list, indexed by number (${at}.0), not by "${key}"`;
    if (Number(key) >= n) {
      const items = n === 0 ? "no items" : `${n} item${n === 1 ? "" : "s"}`;
      return `${at} has ${items}, no ${at}.${key}${n > 0 ? ` (did you mean ${guessed(String(n - 1))}?)` : ""}`;
    }
    return { schema: d.type === "array" ? d.element! : d.items![Number(key)], node: node[Number(key)] };
  }
  if (d.type === "record" && isMap(node)) return { schema: d.valueType!, node: own(node, key) };
  return `${at} is ${describe(node)}, not a section`;
}

/** The parameters a registered strategy declares; undefined for a name the registry does not know. */
export function declaredParams(name: string): string[] | undefined {
  const entry = strategy(name);
  if (!entry) return undefined;
  return Object.keys(def(unwrap(entry.params as Schema, undefined).schema).shape ?? {});
}
