import { cpuMilli, memoryMiB, parseDuration, parseQuantity } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

describe("Kubernetes quantities", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    ["2Gi", 2 ** 31],
    ["512Mi", 2 ** 29],
    ["1Ki", 1024],
    ["1G", 1e9],
    ["129M", 129e6],
    ["129e6", 129e6],
    ["12E6", 12e6],
    ["100u", 1e-4],
    [".5", 0.5],
    [4, 4],
  ])("%s", (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value as number, 12);
  });

  it("rejects what is not a quantity", () => {
    for (const t of ["", "lots", "2 Gi", "2GB", "Gi", "1.2.3", "--1"]) expect(parseQuantity(t)).toBeNaN();
  });

  it("converts CPU to millicores (rounding up, as Kubernetes does) and memory to MiB", () => {
    expect([cpuMilli("500m"), cpuMilli("0.1"), cpuMilli("2"), cpuMilli("0.0005")]).toEqual([500, 100, 2000, 1]);
    expect([memoryMiB("2Gi"), memoryMiB("512Mi")]).toEqual([2048, 512]);
  });
});

describe("durations", () => {
  it.each([
    ["90s", 90],
    ["2h", 7200],
    ["1h30m", 5400],
    ["500ms", 0.5],
    ["1.5d", 129600],
    ["2w", 1209600],
    ["45", 45],
    ["10min", 600],
    ["1h 30m", 5400],
    [30, 30],
  ])("%s", (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds as number, 9);
  });

  it("rejects what is not a duration", () => {
    for (const t of ["", "soon", "5 parsecs", "h", "-3s", "3s4"]) expect(parseDuration(t)).toBeNaN();
    expect(parseDuration(-1)).toBeNaN();
  });
});
