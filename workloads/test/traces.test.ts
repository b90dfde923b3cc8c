import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  headerInt,
  type LoadOptions,
  loadAzureFunctions,
  loadK8sManifests,
  loadOpenbPods,
  loadSwf,
  newLoadReport,
  readSwfHeader,
  TRACE_FORMATS,
  TraceError,
  traceStats,
} from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

// The real traces, used in place (../shared/traces relative to the project root).
const TRACES = new URL("../../../shared/traces/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "clustersim-traces-"));
let n = 0;
function file(content: string | Buffer, name = `t${n++}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function collect<R>(gen: AsyncGenerator<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

/** Load `content` as `format`: it must fail naming the line and field, and in skip mode drop exactly `dropped` lines. */
async function expectBad(format: string, content: string, message: RegExp, dropped = 1, name?: string) {
  const path = file(content, name);
  const load = (options: LoadOptions) => collect(TRACE_FORMATS[format].load(path, options));
  await expect(load({})).rejects.toThrow(TraceError);
  await expect(load({})).rejects.toThrow(message);
  const report = newLoadReport();
  await load({ onBadLine: "skip", report });
  expect(report.dropped).toBe(dropped);
  expect(report.examples[0]).toMatch(message);
}

describe("Standard Workload Format", () => {
  it("reads the Lublin-1 log and its header", async () => {
    const path = `${TRACES}swf/lublin_256.swf`;
    const header = await readSwfHeader(path);
    expect(headerInt(header, "MaxNodes")).toBe(256);
    expect(headerInt(header, "MaxProcs")).toBeUndefined();
    const jobs = await collect(loadSwf(path));
    expect(jobs).toHaveLength(10_000);
    expect(jobs[0]).toMatchObject({ id: 1, submitS: 5094, runS: 12072, procs: 16, reqTimeS: NaN, status: 1 });
  });

  it("streams the gzip-compressed RICC log (447,794 jobs) and honours MaxNodes and MaxProcs", async () => {
    const path = `${TRACES}swf/RICC-2010-2.swf.gz`;
    const header = await readSwfHeader(path);
    expect([headerInt(header, "MaxNodes"), headerInt(header, "MaxProcs")]).toEqual([1024, 8192]);
    const stats = await traceStats("swf", path);
    expect(stats.records).toBe(447_794);
    expect(stats.resources.procs.max).toBe(8192);
  });

  it("names the line and field of a bad job", async () => {
    const ok = "1 0 -1 10 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n";
    await expectBad("swf", `${ok}2 5 -1 10 1 -1 -1\n`, /:2: line: expected at least 18 fields, found 7/);
    await expectBad(
      "swf",
      `${ok}2 5 -1 ten 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n`,
      /:2: run time: expected a number, found "ten"/,
    );
    await expectBad(
      "swf",
      `${ok}2 5 -1 -7 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1\n`,
      /:2: run time: expected a number >= 0 or -1 \(unknown\), found -7/,
    );
    await expectBad(
      "swf",
      `; MaxNodes: 4\n${ok.replace(" 0 ", " 9 ")}${ok}${ok}`,
      /:3: submit time: expected a time >= the previous job's \(9\), found 0/,
      2,
    );
    await expectBad(
      "swf",
      gzipSync(`${ok}x\n`) as unknown as string,
      /:2: line: expected at least 18 fields/,
      1,
      "bad.swf.gz",
    );
  });
});

describe("Alibaba GPU v2023 (openb)", () => {
  it("reads the GPU node list: 1,213 nodes with 6,212 GPUs", async () => {
    const s = await traceStats("openb-nodes", `${TRACES}alibaba-gpu-v2023/openb_node_list_gpu_node.csv`);
    expect(s.records).toBe(1213);
    expect(s.resources.gpus.total).toBe(6212);
  });

  it("reads every pod list, 8,152 pods in the default one, with GPU sharing and GPU-model constraints", async () => {
    const s = await traceStats("openb-pods", `${TRACES}alibaba-gpu-v2023/openb_pod_list_default.csv`);
    expect(s.records).toBe(8152);
    const pods = await collect(
      TRACE_FORMATS["openb-pods"].load(`${TRACES}alibaba-gpu-v2023/openb_pod_list_gpuspec33.csv`),
    );
    expect(pods.some((p) => p.gpuSpec.length > 1)).toBe(true);
    expect(pods.every((p) => p.gpuMilli <= 1000)).toBe(true);
  });

  // Records per file, counted with awk (non-empty lines after the header); multi-GPU pods (num_gpu > 1)
  // likewise. The multigpu lists have only the five resource columns.
  const LISTS: Record<string, { format: "openb-nodes" | "openb-pods"; records: number; multiGpu?: number }> = {
    "openb_node_list_all_node.csv": { format: "openb-nodes", records: 1523 },
    "openb_node_list_gpu_node.csv": { format: "openb-nodes", records: 1213 },
    "openb_pod_list_cpu0.csv": { format: "openb-pods", records: 7064 },
    "openb_pod_list_cpu037.csv": { format: "openb-pods", records: 7336 },
    "openb_pod_list_cpu050.csv": { format: "openb-pods", records: 7439 },
    "openb_pod_list_cpu072.csv": { format: "openb-pods", records: 7608 },
    "openb_pod_list_cpu100.csv": { format: "openb-pods", records: 7853 },
    "openb_pod_list_cpu200.csv": { format: "openb-pods", records: 8832 },
    "openb_pod_list_cpu235.csv": { format: "openb-pods", records: 9240 },
    "openb_pod_list_cpu250.csv": { format: "openb-pods", records: 9420 },
    "openb_pod_list_cpu300.csv": { format: "openb-pods", records: 10094 },
    "openb_pod_list_default.csv": { format: "openb-pods", records: 8152, multiGpu: 75 },
    "openb_pod_list_gpushare100.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpushare20.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpushare40.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpushare60.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpushare80.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpuspec05.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpuspec10.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpuspec20.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpuspec25.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_gpuspec33.csv": { format: "openb-pods", records: 8152 },
    "openb_pod_list_multigpu20.csv": { format: "openb-pods", records: 8324, multiGpu: 247 },
    "openb_pod_list_multigpu30.csv": { format: "openb-pods", records: 8508, multiGpu: 431 },
    "openb_pod_list_multigpu40.csv": { format: "openb-pods", records: 8746, multiGpu: 669 },
    "openb_pod_list_multigpu50.csv": { format: "openb-pods", records: 9061, multiGpu: 984 },
  };

  it("the table names every CSV file of the folder", () => {
    const csv = readdirSync(`${TRACES}alibaba-gpu-v2023/`).filter((f) => f.endsWith(".csv"));
    expect(csv.sort()).toEqual(Object.keys(LISTS).sort());
  });

  it.each(Object.entries(LISTS))("loads %s whole", async (name, want) => {
    const path = `${TRACES}alibaba-gpu-v2023/${name}`;
    expect((await traceStats(want.format, path)).records).toBe(want.records);
    if (want.multiGpu === undefined) return;
    const pods = await collect(loadOpenbPods(path));
    expect(pods.filter((p) => p.numGpu > 1).length).toBe(want.multiGpu);
    if (name.includes("multigpu")) {
      // No constraint, QoS, phase or times in the five-column lists.
      expect(pods.every((p) => p.gpuSpec.length === 0 && p.qos === "" && Number.isNaN(p.creationS))).toBe(true);
    }
  });

  it("holds a five-column list to five columns", async () => {
    await expectBad(
      "openb-pods",
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1000,2048,1,500\np,1000,2048\n",
      /:3: line: expected at least 5 fields, found 3/,
    );
    await expect(
      collect(TRACE_FORMATS["openb-pods"].load(file("name,cpu_milli,memory_mib,gpus,gpu_milli\n"))),
    ).rejects.toThrow(/:1: header column 4: expected "num_gpu", found "gpus"/);
  });

  it("rejects bad pod and node lines", async () => {
    const h =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
    await expectBad(
      "openb-pods",
      `${h}p,1000,2048,1,500,,LS,Running,0,10,0\np,1000,2048\n`,
      /:3: line: expected at least 11 fields, found 3/,
    );
    await expectBad(
      "openb-pods",
      `${h}p,-5,2048,1,500,,LS,Running,0,10,0\n`,
      /:2: cpu_milli: expected a number >= 0, found -5/,
    );
    await expectBad(
      "openb-pods",
      `${h}p,1000,2048,1,1500,,LS,Running,0,10,0\n`,
      /gpu_milli: expected thousandths of a GPU, 0 to 1000, found 1500/,
    );
    await expectBad(
      "openb-nodes",
      "sn,cpu_milli,memory_mib,gpu,model\nn,64000,lots,2,P100\n",
      /:2: memory_mib: expected a number, found "lots"/,
    );
    await expect(collect(TRACE_FORMATS["openb-nodes"].load(file("name,cpu\n")))).rejects.toThrow(
      /:1: header column 1: expected "sn", found "name"/,
    );
  });
});

describe("Alibaba v2017 jobs", () => {
  it("counts 5,216 jobs, 31,756 tasks and 2,551,075 task instances", async () => {
    const s = await traceStats("alibaba-v2017-jobs", `${TRACES}alibaba-v2017-jobs/jobs.csv`);
    expect({ jobs: s.jobs, tasks: s.tasks, instances: s.instances }).toEqual({
      jobs: 5216,
      tasks: 31756,
      instances: 2_551_075,
    });
  });

  it("rejects bad task lines", async () => {
    const h = ",submit_time,duration,cpu,memory,job_id,task_id,instances_num,disk\n";
    await expectBad(
      "alibaba-v2017-jobs",
      `${h}0,1,2,1,0.1,1,1,3.5,0\n`,
      /:2: instances_num: expected a whole number >= 0, found 3.5/,
    );
    await expectBad("alibaba-v2017-jobs", `${h}0,1,2,1\n`, /:2: line: expected at least 9 fields, found 4/);
  });
});

describe("Alibaba GPU v2025 DLRM", () => {
  it("reads 23,871 instances: 16,485 CN and 7,386 HN", async () => {
    const all = await collect(
      TRACE_FORMATS["alibaba-dlrm"].load(`${TRACES}alibaba-gpu-v2025/disaggregated_DLRM_trace.csv`),
    );
    expect(all).toHaveLength(23_871);
    expect(all.filter((i) => i.role === "CN")).toHaveLength(16_485);
    expect(all.filter((i) => i.role === "HN")).toHaveLength(7_386);
    expect(all.some((i) => i.maxInstancePerNode === Infinity)).toBe(true);
  });

  it("rejects a non-number", async () => {
    const h =
      "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n";
    await expectBad(
      "alibaba-dlrm",
      `${h}i,CN,a,12,12,x,1,25,25,120,120,640,800,8,,,\n`,
      /:2: gpu_request: expected a number, found "x"/,
    );
  });
});

describe("Azure Functions 2019", () => {
  it("reads the original schema (1..1440 columns, per-function memory)", async () => {
    const fns = await collect(loadAzureFunctions(`${TRACES}azure-functions-2019/10`));
    expect(fns).toHaveLength(10);
    expect(fns.every((f) => f.perMinute.length === 1440 && f.duration && f.memory && f.trigger !== "")).toBe(true);
  });

  it("reads the minute_N schema with separate run-time and per-application memory files", async () => {
    const fns = await collect(loadAzureFunctions(`${TRACES}azure-functions-2019/sample-1000/1000_inv.csv`));
    expect(fns).toHaveLength(1000);
    expect(fns.filter((f) => f.duration).length).toBe(1000);
    expect(fns.filter((f) => f.memory).length).toBeGreaterThan(900);
  });

  it("rejects a bad invocation count, naming the minute column", async () => {
    const d = join(dir, "az");
    mkdirSync(d);
    writeFileSync(
      join(d, "invocations.csv"),
      "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2,3\no,a,g,http,1,-2,3\n",
    );
    await expect(collect(loadAzureFunctions(d))).rejects.toThrow(
      /invocations.csv:3: 2: expected a number >= 0, found -2/,
    );
    const report = newLoadReport();
    expect(await collect(loadAzureFunctions(d, { onBadLine: "skip", report }))).toHaveLength(1);
    expect(report.dropped).toBe(1);
  });
});

describe("Azure LLM inference 2023", () => {
  it("reads both request logs, with times in seconds from the first request", async () => {
    const code = await traceStats("azure-llm", `${TRACES}azure-llm-2023/AzureLLMInferenceTrace_code.csv`);
    const conv = await traceStats("azure-llm", `${TRACES}azure-llm-2023/AzureLLMInferenceTrace_conv.csv`);
    // Every line after the header is a request (neither file ends in a newline).
    expect([code.records, conv.records]).toEqual([8819, 19366]);
    expect(code.firstS).toBe(0);
    expect(code.lastS).toBeGreaterThan(3000);
  });

  it("rejects a timestamp going backwards and a malformed one", async () => {
    const h = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
    await expectBad(
      "azure-llm",
      `${h}2023-11-16 18:17:03.9,10,2\n2023-11-16 18:17:01.0,10,2\n`,
      /:3: TIMESTAMP: expected a time not before the previous request's \(2023-11-16 18:17:03\.9\), found 2023-11-16 18:17:01\.0/,
    );
    await expectBad("azure-llm", `${h}yesterday,10,2\n`, /:2: TIMESTAMP: expected a time like/);
    // Times that do not exist (Date.UTC rolled them over into others).
    for (const stamp of ["2023-13-45 99:17:03.9", "2023-02-29 10:00:00.0", "2023-11-16 24:00:00.0"])
      await expectBad("azure-llm", `${h}${stamp},10,2\n`, /:2: TIMESTAMP: expected a time like/);
  });
});

describe("Google 2011 task events", () => {
  it("reads the sample (header comment skipped)", async () => {
    const s = await traceStats("google-2011-task-events", `${TRACES}google-2011-samples/task-events-sample-1.csv`);
    expect(s.records).toBe(32);
  });

  it("rejects too few fields and a bad event type", async () => {
    await expectBad(
      "google-2011-task-events",
      "0,,1,0,0,0,u,3,9,0.1,0.1,0.1,0\n5,,1\n",
      /:2: line: expected at least 13 fields, found 3/,
    );
    await expectBad(
      "google-2011-task-events",
      "0,,1,0,0,12,u,3,9,0.1,0.1,0.1,0\n",
      /:1: event type: expected 0 to 8, found 12/,
    );
  });
});

describe("Kubernetes manifests", () => {
  const manifest = `
apiVersion: v1
kind: Node
metadata: { name: n1, labels: { zone: a } }
spec: { taints: [ { key: isolation, value: vm, effect: NoSchedule } ] }
status: { allocatable: { cpu: "64", memory: 256Gi, nvidia.com/gpu: 8 } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  template:
    metadata: { labels: { app: web } }
    spec:
      runtimeClassName: gvisor
      priorityClassName: online
      initContainers: [ { name: init, resources: { requests: { cpu: "2", memory: 1Gi } } } ]
      containers:
        - { name: a, resources: { requests: { cpu: 500m, memory: 512Mi }, limits: { cpu: "1" } } }
        - { name: b, resources: { requests: { cpu: 250m, memory: 256Mi, nvidia.com/gpu: 1 } } }
---
kind: Service
metadata: { name: ignored }
---
apiVersion: v1
kind: Pod
metadata: { name: solo, namespace: batch }
spec: { containers: [ { name: c, resources: { requests: { cpu: "0.1", memory: 100M } } } ] }
`;

  it("expands replicas, sums containers and takes the larger init container, per resource", async () => {
    const objects = await collect(loadK8sManifests(file(manifest, "m.yaml")));
    expect(objects.map((o) => `${o.kind}/${o.name}`)).toEqual([
      "Node/n1",
      "Pod/web-0",
      "Pod/web-1",
      "Pod/web-2",
      "Pod/solo",
    ]);
    const [node, web] = objects;
    expect(node).toMatchObject({
      allocatable: { cpuMilli: 64000, memoryMiB: 262144, gpus: 8 },
      taints: [{ key: "isolation", value: "vm", effect: "NoSchedule" }],
    });
    expect(web).toMatchObject({
      owner: "Deployment/web",
      requests: { cpuMilli: 2000, memoryMiB: 1024, gpus: 1 }, // init container's cpu and memory exceed the sum
      limits: { cpuMilli: 1000 },
      runtimeClassName: "gvisor",
      priorityClassName: "online",
      labels: { app: "web" },
    });
    expect(objects[4]).toMatchObject({ namespace: "batch", requests: { cpuMilli: 100 } });
    expect((objects[4] as { requests: { memoryMiB: number } }).requests.memoryMiB).toBeCloseTo(95.367, 3);
  });

  it("names the line and field of a bad quantity, a bad replica count and an unknown kind", async () => {
    await expectBad(
      "k8s",
      manifest.replace("cpu: 500m", "cpu: lots"),
      /m\d*\.yaml:20: spec\.template\.spec\.containers\.0\.resources\.requests\.cpu: expected a non-negative quantity/,
      1,
      "m2.yaml",
    );
    await expectBad(
      "k8s",
      manifest.replace("replicas: 3", "replicas: -1"),
      /:12: spec\.replicas: expected a whole number from 0 to 10,000,000, found -1/,
      1,
      "m3.yaml",
    );
    await expectBad(
      "k8s",
      "kind: Gadget\nmetadata: { name: g }\n",
      /:1: kind: expected Node, Pod, Deployment/,
      1,
      "m4.yaml",
    );
    await expectBad("k8s", "kind: Pod\nmetadata: { name: p\n", /:\d+: YAML: expected valid YAML/, 1, "m5.yaml");
  });
});

describe("trace-stats", () => {
  it("reports an unreadable file without a line number", async () => {
    await expect(traceStats("swf", join(dir, "missing.swf"))).rejects.toThrow(
      /missing\.swf: file: expected a readable file, found no such file/,
    );
  });
});

describe("values past what a trace's fields can mean, found by hostile inputs", () => {
  const OPENB =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
  const DLRM =
    "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n";

  it("refuses a pod or instance deleted before it was created or scheduled (a run stopped with an internal error)", async () => {
    await expectBad(
      "openb-pods",
      `${OPENB}a,1000,1024,1,500,,LS,Running,100,50,100\n`,
      /:2: deletion_time: expected a time at or after scheduled_time \(100\), found 50/,
    );
    await expectBad(
      "openb-pods",
      `${OPENB}a,1000,1024,1,500,,LS,Running,100,,50\n`,
      /:2: scheduled_time: expected a time at or after creation_time \(100\), found 50/,
    );
    await expectBad(
      "alibaba-dlrm",
      `${DLRM}i,CN,a,12,12,1,1,25,25,120,120,640,800,8,500,,50\n`,
      /:2: deletion_time: expected a time at or after creation_time \(500\), found 50/,
    );
  });

  it("refuses fields that disagree or leave their range: openb GPU shares, Google shares above 1, DLRM roles", async () => {
    const POD = "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n";
    await expectBad("openb-pods", `${POD}a,1000,1024,0,500\n`, /:2: gpu_milli: expected 0 with num_gpu 0, found 500/);
    await expectBad(
      "openb-pods",
      `${POD}a,1000,1024,3,500\n`,
      /:2: gpu_milli: expected 1000 with num_gpu 3 \(whole GPUs\), found 500/,
    );
    await expectBad(
      "google-2011-task-events",
      "0,,1,0,,0,u,0,0,5,0.1,0,0\n",
      /:1: CPU request: expected a share of the largest machine, 0 to 1, found 5/,
    );
    await expectBad(
      "alibaba-dlrm",
      `${DLRM}i,XX,a,12,12,1,1,25,25,120,120,640,800,8,,,\n`,
      /:2: role: expected CN or HN, found "XX"/,
    );
  });

  it("refuses an Azure Functions count past a run's tasks (2^32 was read as 0: it was kept in 32 bits)", async () => {
    const d = join(dir, "az-huge");
    mkdirSync(d);
    writeFileSync(join(d, "invocations.csv"), "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,4294967296,2\n");
    await expect(collect(loadAzureFunctions(d))).rejects.toThrow(
      /invocations.csv:2: 1: expected a whole number from 0 to 100,000,000, found 4294967296/,
    );
  });

  it("refuses an Alibaba v2017 task of more instances than a run holds (1e11 hung the run)", async () => {
    const h = ",submit_time,duration,cpu,memory,job_id,task_id,instances_num,disk\n";
    await expectBad(
      "alibaba-v2017-jobs",
      `${h}0,1,2,1,0.1,1,1,100000000000,0\n`,
      /:2: instances_num: expected a whole number from 0 to 10,000,000, found 100000000000/,
    );
  });

  it("bounds a manifest's replicas and aliases, and runs a Job's pods at most its completions at once", async () => {
    const deployment = (replicas: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: a }\nspec:\n  replicas: ${replicas}\n  template: { spec: { containers: [{ name: c }] } }\n`;
    await expect(collect(loadK8sManifests(file(deployment("200000000"), "big.yaml")))).rejects.toThrow(
      /big\.yaml:5: spec\.replicas: expected a whole number from 0 to 10,000,000, found 200000000/,
    );
    const bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"];
    for (let k = 1; k < 30; k++)
      bomb.push(
        `a${k}: &a${k} [${Array(9)
          .fill(`*a${k - 1}`)
          .join(", ")}]`,
      );
    await expect(collect(loadK8sManifests(file(`${bomb.join("\n")}\n`, "bomb.yaml")))).rejects.toThrow(
      /bomb\.yaml: YAML: expected at most 100 uses of aliases/,
    );
    const job = (fields: string) =>
      `apiVersion: batch/v1\nkind: Job\nmetadata: { name: j }\nspec:\n${fields}  template: { spec: { containers: [{ name: c }] } }\n`;
    const pods = async (text: string) => (await collect(loadK8sManifests(file(text, "job.yaml")))).length;
    expect(await pods(job("  parallelism: 3\n  completions: 2\n"))).toBe(2);
    expect(await pods(job("  parallelism: 3\n"))).toBe(3);
    expect(await pods(job("  parallelism: 2\n  completions: 5\n"))).toBe(2);
  });
});
