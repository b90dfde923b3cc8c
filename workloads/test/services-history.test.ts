import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadServiceHistory } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-history-"));
let n = 0;
/** A services.csv of rows `timeS,service,ratePerS,arrivalsPerS` (the columns it reads, and one it must not). */
function csv(lines: string[], header = "timeS,service,ratePerS,arrivalsPerS"): string {
  const path = join(dir, `services-${n++}.csv`);
  writeFileSync(path, `${[header, ...lines].join("\n")}\n`);
  return path;
}

describe("a predictive HPA's history read from a run's services.csv", () => {
  it("keeps one service's arrivals per interval: each row covers the time since its row before", async () => {
    const path = csv([
      "0,web,0,", // before any tick: skipped
      "0,db,0,",
      "30,web,999,10", // (0, 30]
      "30,db,1,99",
      "60,web,999,20", // (30, 60]: the interval (0, 60] holds 15 a second
      "120,web,999,50", // (60, 120] whole
      "150,web,999,7",
      "180,web,999,1", // (120, 180]: 4
    ]);
    // ratePerS (the last tick's mean rate) is not what is read.
    await expect(loadServiceHistory(path, "web", 60)).resolves.toEqual({
      ratePerS: [15, 50, 4],
      services: ["web", "db"],
    });
    await expect(loadServiceHistory(path, "db", 30)).resolves.toMatchObject({ ratePerS: [99] });
    // Intervals of 30 s: the row at 120 covers two of them.
    await expect(loadServiceHistory(path, "web", 30)).rejects.toThrow(/:7: timeS: .*\(60, 120\] across 90/);
  });

  it("refuses a row that covers more than one interval (a gap, or rows further apart than the interval), at its line", async () => {
    await expect(loadServiceHistory(csv(["60,web,1,1", "180,web,1,1"]), "web", 60)).rejects.toThrow(
      /services-\d+\.csv:3: timeS: expected rows of web within one interval of 60 s each .*found \(60, 180\] across 120/,
    );
    await expect(loadServiceHistory(csv(["90,web,1,1"]), "web", 60)).rejects.toThrow(
      /:2: timeS: .*\(0, 90\] across 60/,
    );
  });

  it("refuses a file that ends within an interval (its seasons would not line up with the run's)", async () => {
    await expect(loadServiceHistory(csv(["30,web,1,1", "60,web,1,1", "90,web,1,1"]), "web", 60)).rejects.toThrow(
      /timeS: expected rows of web to the end of an interval of 60 s, found the last at 90 s, within \(60, 120\]/,
    );
  });

  it("refuses a service the file does not hold after t = 0, naming those it does", async () => {
    await expect(loadServiceHistory(csv(["0,web,0,", "60,db,1,1"]), "web", 60)).rejects.toThrow(
      /service: expected rows of service "web", found none after t = 0 \(the file holds web, db\)/,
    );
  });

  it("refuses times that go back, negative arrivals and files of another kind or version, with the line", async () => {
    await expect(loadServiceHistory(csv(["60,web,1,1", "30,web,1,1"]), "web", 60)).rejects.toThrow(
      /:3: timeS: expected a time not before the previous row's \(60\), found 30/,
    );
    await expect(loadServiceHistory(csv(["60,web,1,-1"]), "web", 60)).rejects.toThrow(
      /:2: arrivalsPerS: expected a number >= 0, found -1/,
    );
    await expect(loadServiceHistory(csv(["60,web,1"], "timeS,service,ratePerS"), "web", 60)).rejects.toThrow(
      /:1: header: expected a column arrivalsPerS/,
    );
    await expect(loadServiceHistory(csv(["1,0"], "id,arrivalS"), "web", 60)).rejects.toThrow(
      /services-\d+\.csv:1: header/,
    );
  });
});
