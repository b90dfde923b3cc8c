import { describe, expect, it } from "vitest";
import { clock, midnights } from "../src/views/text.js";

describe("the viewer's clock", () => {
  it("counts from the run's start, or shows the scenario's time of day, wrapping at midnight", () => {
    expect(clock(0)).toBe("0:00:00");
    expect(clock(3725.9)).toBe("1:02:05");
    // t = 0 at 23:00: an hour and 90 s later it is 00:01:30 the next day.
    expect(clock(3690, 82_800)).toBe("00:01:30");
    expect(clock(0, 82_800)).toBe("23:00:00");
  });

  it("finds every midnight the run's clock passes, and none without a clock", () => {
    expect(midnights(7200, 82_800)).toEqual([3600]);
    expect(midnights(3599, 82_800)).toEqual([]);
    // Starting at midnight: t = 0, then a day later.
    expect(midnights(2 * 86_400, 0)).toEqual([0, 86_400, 172_800]);
    expect(midnights(1e6)).toEqual([]);
  });
});
