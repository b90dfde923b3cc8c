import { EVENT_CODES } from "@clustersim/replay";

/** Event codes as small integers, for the columns: a code's index in the replay format's own list. */
export const CODES = EVENT_CODES;
export type Code = (typeof CODES)[number];
