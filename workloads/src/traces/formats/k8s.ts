import { readFileSync } from "node:fs";
import { type Document, LineCounter, parseAllDocuments } from "yaml";
import { cpuMilli, memoryMiB, parseQuantity } from "../../units/quantity.js";
import { handleBadLine, type LoadOptions, TraceError } from "../trace-error.js";

/**
 * Kubernetes manifests (YAML, several documents per file, or `kind: List`): Nodes, Pods, and the pods
 * that Deployments, ReplicaSets, StatefulSets and Jobs ask for (replicas, or parallelism for a Job).
 * A pod's request is what the scheduler uses: the sum over its containers, or the largest init
 * container if that is more, per resource (Kubernetes "effective request"). Limits likewise.
 */
export interface K8sResources {
  cpuMilli: number;
  memoryMiB: number;
  /** nvidia.com/gpu (or amd.com/gpu) devices. */
  gpus: number;
}

export interface K8sPod {
  kind: "Pod";
  name: string;
  namespace: string;
  /** The workload it came from, e.g. "Deployment/web"; empty for a bare Pod. */
  owner: string;
  requests: K8sResources;
  limits: K8sResources;
  runtimeClassName: string;
  priorityClassName: string;
  labels: Record<string, string>;
  nodeSelector: Record<string, string>;
}

export interface K8sNode {
  kind: "Node";
  name: string;
  /** status.allocatable, else status.capacity. */
  allocatable: K8sResources;
  labels: Record<string, string>;
  taints: Array<{ key: string; value: string; effect: string }>;
}

export type K8sObject = K8sPod | K8sNode;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const REPLICATED = new Set(["Deployment", "ReplicaSet", "StatefulSet", "Job"]);
const IGNORED = new Set([
  "Service",
  "ConfigMap",
  "Secret",
  "Namespace",
  "PriorityClass",
  "RuntimeClass",
  "ServiceAccount",
  "Ingress",
  "PersistentVolumeClaim",
  "PersistentVolume",
  "StorageClass",
  "HorizontalPodAutoscaler",
]);

class ManifestReader {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** 1-based line of the value at `path` (or of the nearest parent that exists). */
  lineOf(path: Array<string | number>): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === "object" && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  fail(path: Array<string | number>, expected: string, found: unknown): never {
    throw new TraceError(this.file, this.lineOf(path), path.join("."), expected, JSON.stringify(found) ?? "nothing");
  }
}

function stringMap(r: ManifestReader, v: unknown, path: Array<string | number>): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) r.fail(path, "a map of strings", v);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function resources(r: ManifestReader, v: unknown, path: Array<string | number>): K8sResources {
  const out: K8sResources = { cpuMilli: 0, memoryMiB: 0, gpus: 0 };
  if (v === undefined || v === null) return out;
  if (!isObj(v)) r.fail(path, "a map of resource quantities", v);
  for (const [name, q] of Object.entries(v)) {
    const text = typeof q === "number" ? q : String(q);
    const at = [...path, name];
    if (Number.isNaN(parseQuantity(text)) || parseQuantity(text) < 0)
      r.fail(at, "a non-negative quantity like 500m, 2Gi or 4", q);
    if (name === "cpu") out.cpuMilli = cpuMilli(text);
    else if (name === "memory") out.memoryMiB = memoryMiB(text);
    else if (name === "nvidia.com/gpu" || name === "amd.com/gpu") out.gpus = parseQuantity(text);
  }
  return out;
}

function podFromSpec(
  r: ManifestReader,
  spec: unknown,
  path: Array<string | number>,
  meta: { name: string; namespace: string; owner: string; labels: Record<string, string> },
): K8sPod {
  if (!isObj(spec)) r.fail(path, "a pod spec (a map)", spec);
  const sum = (
    key: "requests" | "limits",
    list: unknown,
    listPath: Array<string | number>,
    combine: (a: number, b: number) => number,
  ) => {
    const total: K8sResources = { cpuMilli: 0, memoryMiB: 0, gpus: 0 };
    if (list === undefined) return total;
    if (!Array.isArray(list)) r.fail(listPath, "a list of containers", list);
    list.forEach((c, i) => {
      const res = isObj(c) && isObj(c.resources) ? c.resources[key] : undefined;
      const x = resources(r, res, [...listPath, i, "resources", key]);
      total.cpuMilli = combine(total.cpuMilli, x.cpuMilli);
      total.memoryMiB = combine(total.memoryMiB, x.memoryMiB);
      total.gpus = combine(total.gpus, x.gpus);
    });
    return total;
  };
  if (!Array.isArray(spec.containers) || spec.containers.length === 0)
    r.fail([...path, "containers"], "a non-empty list of containers", spec.containers);
  const effective = (key: "requests" | "limits") => {
    const main = sum(key, spec.containers, [...path, "containers"], (a, b) => a + b);
    const init = sum(key, spec.initContainers, [...path, "initContainers"], Math.max);
    return {
      cpuMilli: Math.max(main.cpuMilli, init.cpuMilli),
      memoryMiB: Math.max(main.memoryMiB, init.memoryMiB),
      gpus: Math.max(main.gpus, init.gpus),
    };
  };
  return {
    kind: "Pod",
    ...meta,
    requests: effective("requests"),
    limits: effective("limits"),
    runtimeClassName: typeof spec.runtimeClassName === "string" ? spec.runtimeClassName : "",
    priorityClassName: typeof spec.priorityClassName === "string" ? spec.priorityClassName : "",
    nodeSelector: stringMap(r, spec.nodeSelector, [...path, "nodeSelector"]),
  };
}

function* objectsOf(r: ManifestReader, o: unknown, path: Array<string | number>): Generator<K8sObject> {
  if (!isObj(o)) r.fail(path, "a Kubernetes object (a map with kind)", o);
  const kind = o.kind;
  if (kind === "List") {
    if (!Array.isArray(o.items)) r.fail([...path, "items"], "a list of objects", o.items);
    for (let i = 0; i < o.items.length; i++) yield* objectsOf(r, o.items[i], [...path, "items", i]);
    return;
  }
  if (typeof kind !== "string") r.fail([...path, "kind"], "a kind (Pod, Node, Deployment, …)", kind);
  const metadata = isObj(o.metadata) ? o.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "";
  if (!name && !IGNORED.has(kind)) r.fail([...path, "metadata", "name"], "a name", metadata.name);
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
  const labels = stringMap(r, metadata.labels, [...path, "metadata", "labels"]);
  const spec = isObj(o.spec) ? o.spec : {};
  if (kind === "Node") {
    const status = isObj(o.status) ? o.status : {};
    const alloc = status.allocatable ?? status.capacity;
    const at = [...path, "status", status.allocatable ? "allocatable" : "capacity"];
    if (alloc === undefined) r.fail([...path, "status"], "status.allocatable or status.capacity", undefined);
    const taints = Array.isArray(spec.taints)
      ? spec.taints
          .filter(isObj)
          .map((t) => ({ key: String(t.key ?? ""), value: String(t.value ?? ""), effect: String(t.effect ?? "") }))
      : [];
    yield { kind: "Node", name, allocatable: resources(r, alloc, at), labels, taints };
  } else if (kind === "Pod") {
    yield podFromSpec(r, o.spec, [...path, "spec"], { name, namespace, owner: "", labels });
  } else if (REPLICATED.has(kind)) {
    const countKey = kind === "Job" ? "parallelism" : "replicas";
    const whole = (key: string) => {
      const v = spec[key] ?? 1;
      if (!(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_PODS_PER_OBJECT))
        r.fail([...path, "spec", key], `a whole number from 0 to ${MAX_PODS_PER_OBJECT.toLocaleString("en")}`, v);
      return v as number;
    };
    // A Job runs at most its completions at once (batch/v1: active pods ≤ completions − succeeded).
    const count =
      kind === "Job" && spec.completions !== undefined && spec.completions !== null
        ? Math.min(whole(countKey), whole("completions"))
        : whole(countKey);
    const template = isObj(spec.template)
      ? spec.template
      : r.fail([...path, "spec", "template"], "a pod template", spec.template);
    const tmeta = isObj(template.metadata) ? template.metadata : {};
    const tlabels = stringMap(r, tmeta.labels, [...path, "spec", "template", "metadata", "labels"]);
    for (let i = 0; i < count; i++) {
      yield podFromSpec(r, template.spec, [...path, "spec", "template", "spec"], {
        name: `${name}-${i}`,
        namespace,
        owner: `${kind}/${name}`,
        labels: tlabels,
      });
    }
  } else if (!IGNORED.has(kind)) {
    r.fail([...path, "kind"], "Node, Pod, Deployment, ReplicaSet, StatefulSet, Job or List", kind);
  }
}

/** The most pods one Deployment, ReplicaSet, StatefulSet or Job may ask for (services' replica bound). */
const MAX_PODS_PER_OBJECT = 10_000_000;

/** Objects of one manifest file, documents in order. Manifests are small: the file is parsed whole. */
export async function* loadK8sManifests(file: string, options: LoadOptions = {}): AsyncGenerator<K8sObject> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TraceError(file, 0, "file", "a readable file", code === "ENOENT" ? "no such file" : String(code));
  }
  const lines = new LineCounter();
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    if (!("errors" in doc)) continue; // an empty trailing document
    try {
      if (doc.errors.length > 0) {
        const e = doc.errors[0];
        throw new TraceError(file, e.linePos?.[0].line ?? 0, "YAML", "valid YAML", e.message.split("\n")[0]);
      }
      let value: unknown;
      try {
        // Aliases expand as they are read: a few lines can stand for billions of nodes.
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (err) {
        throw new TraceError(file, 0, "YAML", "at most 100 uses of aliases", (err as Error).message.split("\n")[0]);
      }
      if (value === null || value === undefined) continue;
      // Parse the whole document first, so that a bad field drops the document, not half of it.
      const objects = [...objectsOf(new ManifestReader(file, doc, lines), value, [])];
      yield* objects;
    } catch (err) {
      handleBadLine(err, options);
    }
  }
}
