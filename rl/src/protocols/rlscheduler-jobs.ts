import { InputError } from "@clustersim/files";
import type { CompatJob } from "@clustersim/schedulers";
import { headerInt, loadSwf, readSwfHeader, TraceError } from "@clustersim/workloads";

/**
 * The data of the RLScheduler paper's protocol (Zhang et al., SC'20; code: DIR-LAB/deep-batch-scheduler):
 * an SWF trace's jobs as its environment reads them, and the windows its tables evaluate on. The queue
 * environment trains on these jobs; experiments' `repro rlscheduler` reproduces the tables on them.
 */

/** The ten window starts the published tables used (numpy seed 1 in the original). */
export const PUBLISHED_STARTS = [1981, 2756, 4299, 8850, 3316, 2714, 5228, 7762, 4022, 7085];
export const WINDOW_JOBS = 1024;

/**
 * The trace's jobs as the original environment reads them (job.py: Workloads). A trace that cannot be
 * read or parsed (missing, a directory, a bad line, no machine size) is an InputError naming it.
 */
export async function readCompatJobs(
  trace: string,
): Promise<{ jobs: CompatJob[]; nodes: number; procsPerNode: number; droppedTooWide: number }> {
  try {
    return await compatJobs(trace);
  } catch (err) {
    if (err instanceof TraceError || typeof (err as NodeJS.ErrnoException).code === "string")
      throw new InputError((err as Error).message);
    throw err;
  }
}

async function compatJobs(
  trace: string,
): Promise<{ jobs: CompatJob[]; nodes: number; procsPerNode: number; droppedTooWide: number }> {
  const header = await readSwfHeader(trace);
  const nodes = headerInt(header, "MaxNodes") ?? headerInt(header, "MaxProcs");
  if (!(nodes !== undefined && nodes >= 1))
    throw new InputError(
      `${trace}: expected an SWF header with MaxNodes or MaxProcs (the machine size), found ${nodes ?? "neither"}`,
    );
  const procs = headerInt(header, "MaxProcs") ?? nodes;
  const procsPerNode = procs / nodes;
  const jobs: CompatJob[] = [];
  let droppedTooWide = 0;
  const known = (x: number) => (Number.isNaN(x) ? -1 : x);
  for await (const j of loadSwf(trace)) {
    let run = known(j.runS);
    const req = known(j.reqTimeS) === -1 ? run : j.reqTimeS; // request time absent: the run time
    if (run < 0) run = 10; // as the original: negative run times become 10 s
    if (run === 0) continue;
    const p = Math.max(known(j.procs), known(j.reqProcs));
    if (p <= 0) continue;
    if (Math.ceil(p / procsPerNode) > nodes) {
      droppedTooWide++;
      continue;
    }
    jobs.push({
      id: j.id,
      submitS: j.submitS,
      runS: run,
      reqTimeS: req > 0 ? req : run,
      procs: p,
      reqMemKiB: known(j.reqMemKiB),
      user: j.user,
      group: j.group,
      executable: j.executable,
    });
  }
  jobs.sort((a, b) => a.id - b.id);
  return { jobs, nodes, procsPerNode, droppedTooWide };
}
