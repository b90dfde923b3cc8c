/**
 * @clustersim/files: result files written so that a reader never sees a half-written one (temporary
 * names, renamed into place together), the output directory checked before any work, and the error for
 * bad input from the user. Imports nothing of ours: every part that writes results uses it.
 */
export {
  commitAll,
  commitFiles,
  makeDirs,
  PROCESS_TAG,
  prepareOutputDir,
  recoverOutputDir,
  StreamingFile,
  stableJson,
  stageFiles,
  TEMP_SUFFIX,
  writeFilesAtomically,
} from "./atomic-files.js";
export { InputError } from "./input-error.js";
