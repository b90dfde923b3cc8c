import { dirname, resolve } from "node:path";
import { applyOverride, readScenarioData, SpecError } from "@clustersim/scenarios";
import { declaredParams, unreadReason } from "./field-reads.js";
import { nearest } from "./nearest.js";
import type { Omission, SweepSpec } from "./sweep-spec.js";

/**
 * The fields a sweep sets, checked against what its scenarios read before anything runs: a field that
 * no run of the sweep would read is a mistake (a misspelt path, a workload the scenario does not
 * have, a parameter the strategy does not declare), refused with exit 2; one that some runs read is
 * left out of the others' runs, and said so.
 */

/**
 * The omissions of a sweep: each (field, scenario, label) whose runs leave the field out. Throws a
 * SpecError naming every field that no scenario of the sweep reads, under any variant, and every
 * scheduler parameter its strategy does not declare. A parameter is walked through each scenario as
 * its variant changes it (the scheduler, then the `set` fields, in order); parameters are walked
 * apart from one another. A scenario file that cannot be read here is left to validation, which names
 * its problem: it counts as reading every field.
 */
export function checkSweepFields(spec: SweepSpec, file: string): Omission[] {
  const problems = schedulerParamProblems(spec, file);
  const labels = spec.schedulers.map((s) => s.label);
  const fields = [
    ...spec.schedulers.flatMap((v, i) => Object.keys(v.set).map((p) => ({ field: `variants.${i}.set.${p}`, p }))),
    ...Object.keys(spec.parameters).map((p) => ({ field: `parameters.${p}`, p })),
  ];
  const unread = new Map<string, Omission[]>(fields.map((f) => [f.field, []]));
  const base = dirname(resolve(file));
  for (const scenario of spec.scenarios) {
    let raw: Record<string, unknown>;
    try {
      raw = readScenarioData(resolve(base, scenario));
    } catch (err) {
      if (err instanceof SpecError) continue;
      throw err;
    }
    for (const [i, v] of spec.schedulers.entries()) {
      const data = structuredClone(raw);
      const reads = (field: string, path: string) => {
        const reason = unreadReason(data, path.split("."));
        if (reason !== undefined) unread.get(field)!.push({ field, scenario, label: v.label, reason });
        return reason === undefined;
      };
      try {
        if (v.name !== undefined) {
          const scheduler = { name: v.name, params: v.params, ...(v.plugin && { plugin: v.plugin }) };
          applyOverride(data, `scheduler=${JSON.stringify(scheduler)}`);
        }
        for (const [p, value] of Object.entries(v.set))
          if (reads(`variants.${i}.set.${p}`, p)) applyOverride(data, `${p}=${JSON.stringify(value)}`);
      } catch (err) {
        // An override the scenario cannot take: validation names it, and the fields after it go unchecked.
        if (err instanceof SpecError) continue;
        throw err;
      }
      for (const p of Object.keys(spec.parameters)) reads(`parameters.${p}`, p);
    }
  }
  const omitted: Omission[] = [];
  for (const { field } of fields) {
    const list = unread.get(field)!;
    // A variant's own field is set in its runs only; a parameter in every variant's.
    const runs = spec.scenarios.length * (field.startsWith("variants.") ? 1 : labels.length);
    if (list.length < runs) omitted.push(...list);
    else {
      const found = byReason(list, field, spec)
        .map((g) => `${g.where}: ${g.reason}`)
        .join("; ");
      problems.push(
        `${file}: ${field}: expected a field that a scenario of the sweep reads, found none that does: ${found}`,
      );
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
  return omitted;
}

/** A line per field and reason: which scenarios' runs leave the field out, and why. */
export function omissionNotes(spec: SweepSpec, omitted: readonly Omission[]): string[] {
  const fields = [...new Set(omitted.map((o) => o.field))];
  return fields.flatMap((field) =>
    byReason(
      omitted.filter((o) => o.field === field),
      field,
      spec,
    ).map((g) => `${field}: not read by ${g.where}, so left out of ${g.one ? "its" : "their"} runs: ${g.reason}`),
  );
}

/**
 * Omissions of one field grouped by reason, each with where it holds: the scenarios, each with the
 * labels it holds under unless it holds under every label that sets the field.
 */
function byReason(
  list: readonly Omission[],
  field: string,
  spec: SweepSpec,
): { reason: string; where: string; one: boolean }[] {
  const labels = field.startsWith("variants.") ? 1 : spec.schedulers.length;
  const groups = new Map<string, Map<string, string[]>>();
  for (const o of list) {
    const scenarios = groups.get(o.reason) ?? groups.set(o.reason, new Map()).get(o.reason)!;
    (scenarios.get(o.scenario) ?? scenarios.set(o.scenario, []).get(o.scenario)!).push(o.label);
  }
  return [...groups].map(([reason, scenarios]) => ({
    reason,
    where: [...scenarios].map(([s, ls]) => (ls.length === labels ? s : `${s} with ${andList(ls)}`)).join(", "),
    one: scenarios.size === 1,
  }));
}

const andList = (xs: readonly string[]) =>
  xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;

/** Each scheduler parameter of the sweep file that its registered strategy does not declare. */
function schedulerParamProblems(spec: SweepSpec, file: string): string[] {
  return spec.schedulers.flatMap((s, i) => {
    // A plug-in's parameters are checked by its own code when it loads; an unknown name by validation.
    const declared = s.name === undefined || s.plugin !== undefined ? undefined : declaredParams(s.name);
    if (!declared) return [];
    const field = spec.axis === "variant" ? `variants.${i}.scheduler.params` : `schedulers.${i}.params`;
    const expected =
      declared.length === 0
        ? `no parameters (${s.name} declares none)`
        : `a parameter ${s.name} declares (${declared.join(", ")})`;
    return Object.keys(s.params)
      .filter((k) => !declared.includes(k))
      .map((k) => {
        const guess = nearest(k, declared);
        return `${file}: ${field}.${k}: expected ${expected}, found "${k}"${guess ? ` (did you mean ${field}.${guess}?)` : ""}`;
      });
  });
}
