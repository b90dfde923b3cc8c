import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadServiceHistory } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "clustersim-history-"));
let n = 0;
function csv(lines: string[]): string {
  const path = join(dir, `services-${n++}.csv`);
  writeFileSync(path, `${["timeS,service,ratePerS,replicas", ...lines].join("\n")}\n`);
  return path;
}

describe("a predictive HPA's history read from a run's services.csv", () => {
  it("keeps one service's rate per interval: a row at t belongs to the interval ending at or after t", async () => {
    const path = csv([
      "0,web,0,1", // before any tick: skipped
      "0,db,0,1",
      "30,web,10,1",
      "30,db,99,1",
      "60,web,20,1", // (0, 60]: 10 and 20
      "90,web,40,1",
      "120,web,60,1", // (60, 120]: 40 and 60
      "180,web,7,1", // (120, 180]
    ]);
    await expect(loadServiceHistory(path, "web", 60)).resolves.toEqual({
      ratePerS: [15, 50, 7],
      services: ["web", "db"],
    });
    await expect(loadServiceHistory(path, "db", 30)).resolves.toMatchObject({ ratePerS: [99] });
  });

  it("refuses an interval without a row, naming it (0 there would be a lull that never was)", () => {
    const path = csv(["60,web,1,1", "180,web,1,1"]);
    return expect(loadServiceHistory(path, "web", 60)).rejects.toThrow(
      /services-\d+\.csv:3: timeS: expected a row of web in every interval of 60 s .*found none in \(60, 120\]/,
    );
  });

  it("refuses a service the file does not hold, naming those it does", () => {
    const path = csv(["60,web,1,1", "60,db,1,1"]);
    return expect(loadServiceHistory(path, "cache", 60)).rejects.toThrow(
      /service: expected rows of service "cache" after t = 0, found rows of web, db only/,
    );
  });

  it("refuses times that go back, negative rates and a file of another kind, with the line", async () => {
    await expect(loadServiceHistory(csv(["60,web,1,1", "30,web,1,1"]), "web", 60)).rejects.toThrow(
      /:3: timeS: expected a time not before the previous row's \(60\), found 30/,
    );
    await expect(loadServiceHistory(csv(["60,web,-1,1"]), "web", 60)).rejects.toThrow(
      /:2: ratePerS: expected a number >= 0, found -1/,
    );
    const other = join(dir, "tasks.csv");
    writeFileSync(other, "id,arrivalS\n1,0\n");
    await expect(loadServiceHistory(other, "web", 60)).rejects.toThrow(/tasks\.csv:1: header/);
  });
});
