/**
 * @clustersim/replay: the replay format, its writer and its reader. No dependencies: the runs write it
 * and the web viewer reads it.
 */
export {
  EVENT_CODES,
  READABLE_VERSIONS,
  REPLAY_FORMAT,
  REPLAY_VERSION,
  type ReplayEvent,
  type ReplayHeader,
} from "./format.js";
export { ReplayFormatError, readEvent, readHeader, readReplay } from "./reader.js";
export { ReplayWriter } from "./writer.js";
