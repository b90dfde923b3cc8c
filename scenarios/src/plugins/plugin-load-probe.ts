/**
 * Worker thread that loads one plug-in file and says whether it loaded (./plugin-module.ts, probeLoad):
 * it says first that it is about to, so that the time limit counts the plug-in's loading and not the
 * thread's own start; the thread that asked terminates it if it does not answer in time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importPlugin, loadErrorMessage } from "./plugin-module.js";

const { file } = workerData as { file: string };
parentPort!.postMessage({ starting: true });
try {
  await importPlugin(file);
  parentPort!.postMessage({ ok: true });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: loadErrorMessage(err, file) });
}
