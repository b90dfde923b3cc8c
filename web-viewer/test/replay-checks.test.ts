/**
 * The viewer's checks of a replay it did not write (replay-checks.ts, the index's event checks,
 * load.ts's size limit): hostile names are cut, times and indexes refused naming the line and the
 * field, quantities clamped, and a file too long for one string refused before it is read.
 */
import { readHeader } from "@clustersim/replay";
import { describe, expect, it } from "vitest";
import { fileText, MAX_REPLAY_BYTES, responseText } from "../src/load.js";
import { MAX_NODES, MAX_QUANTITY, NAME_CHARS, short } from "../src/model/replay-checks.js";
import { KEYFRAME_EVERY, ReplayIndex } from "../src/model/replay-index.js";
import { hostile } from "./hostile.js";

const HUGE = "a".repeat(10 * 2 ** 20);

describe("the viewer's checks of a hostile replay", () => {
  it("cuts names to a few hundred characters, with an ellipsis and never half a surrogate pair", () => {
    const index = ReplayIndex.parse(
      hostile({
        scenario: HUGE,
        scheduler: HUGE,
        groups: [HUGE],
        services: [[HUGE, 0.99, 0.5]],
        windows: [[HUGE, 0, 10]],
      }),
    );
    const h = index.header;
    for (const name of [
      h.scenario,
      h.scheduler,
      h.groups[0],
      h.services![0][0],
      h.windows![0][0],
      index.services[0].name,
    ]) {
      expect(name).toBe(`${"a".repeat(NAME_CHARS)}…`);
    }
    expect(short(`${"a".repeat(NAME_CHARS - 1)}😀`)).toBe(`${"a".repeat(NAME_CHARS - 1)}…`);
    expect(short("short")).toBe("short");
  });

  it("refuses a header's wrong times, indexes and types, naming the field, and quotes a huge value briefly", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ durationS: 1e308 }, "line 1: durationS: expected seconds from 0 to 1e12, found 1e+308"],
      [{ durationS: -1 }, "line 1: durationS: expected seconds from 0 to 1e12, found -1"],
      [{ clockStartS: "noon" }, 'line 1: clockStartS: expected a number, found "noon"'],
      [{ nodes: [[3, 4000, 8192, 0, 1]] }, "line 1: nodes[0][0] (group): expected an index of groups, 0 to 0, found 3"],
      [{ nodes: [[0, "4000", 8192, 0]] }, 'line 1: nodes[0][1] (CPU millicores): expected a number, found "4000"'],
      [{ nodes: [5] }, "line 1: nodes[0]: expected an array of at least 4, found 5"],
      [{ scenario: { a: 1 } }, "line 1: scenario: expected a string, found an object"],
      [{ services: [[HUGE, "p99", 1]] }, 'line 1: services[0][1] (quantile): expected a number, found "p99"'],
      [{ calls: 5 }, "line 1: calls: expected an array, found 5"],
      [{ racks: [0, 1.5] }, "line 1: racks[1]: expected an index, or -1 for none, found 1.5"],
      [{ groups: [HUGE, 7] }, "line 1: groups[1]: expected a string, found 7"],
    ];
    for (const [o, message] of cases) expect(() => ReplayIndex.parse(hostile(o)), message).toThrow(message);
    // A huge string where a number belongs is quoted by its first characters only.
    expect(() => ReplayIndex.parse(hostile({ seed: HUGE }))).toThrow(
      `line 1: seed: expected a number, found "${"a".repeat(40)}…"`,
    );
    // The replay package's own checks quote a huge format as briefly.
    expect(() => readHeader(JSON.stringify({ format: HUGE }))).toThrow(
      /^line 1: expected format "clustersim-replay", found "a{60}…"$/,
    );
  });

  it("reads an event in any valid JSON form (spaces, say) as the compact one, and names a bad line alone", () => {
    const compact = ReplayIndex.parse(hostile({}, '[0,"a",1,1000,100,0]', '[1,"s",1,0]', '[2,"f",1,0]'));
    const spaced = ReplayIndex.parse(hostile({}, '[0, "a", 1, 1000, 100, 0]', ' [ 1 , "s" , 1 , 0 ] ', '[2,"f",1,0]'));
    expect(spaced.count).toBe(3);
    expect([...spaced.time]).toEqual([...compact.time]);
    expect([...spaced.code]).toEqual([...compact.code]);
    expect([...spaced.node]).toEqual([...compact.node]);
    expect(spaced.taskCpu[0]).toBe(1000);
    expect(() => ReplayIndex.parse(hostile({}, '[0,"a",1,1000,100,0]', "[1,nope]", '[2,"f",1,0]'))).toThrow(
      /^line 3: expected an event \(a JSON array\), found text that is not JSON$/,
    );
    expect(() => ReplayIndex.parse(hostile({}, '[0, "a", 1, "x"]', '[2,"f",1,0]'))).toThrow(
      /^line 2: expected an event \[timeS, code, numbers or null\.\.\.\], found \[0, "a", 1, "x"\]$/,
    );
  });

  it("refuses more nodes than the viewer holds, before reading them", () => {
    const nodes = new Array(MAX_NODES + 1);
    expect(() => ReplayIndex.parse(hostile({ nodes }))).toThrow(
      'line 1: nodes: expected at most 1,000,000 nodes, found "1,000,001 of them"',
    );
  });

  it("refuses an event's wrong time, node, service, pool or task id, naming its line (blank lines counted)", () => {
    const a = '[0,"a",1,1000,100,0]';
    const cases: [string[], string][] = [
      [[a, "", '[1,"s",1,99]'], "line 4: node: expected an index from 0 to 1, found 99"],
      [[a, '[1,"s",1,1.5]'], "line 3: node: expected an index from 0 to 1, found 1.5"],
      [[a, '[1,"d",-5]'], "line 3: node: expected an index from 0 to 1, found -5"],
      [[a, '[1,"+",1e308]'], "line 3: node: expected an index from 0 to 1, found 1e+308"],
      [[a, '[1,"n",null,5]'], "line 3: node: expected an index from 0 to 1, found NaN"],
      [[a, '[1e308,"s",1,0]'], "line 3: timeS: expected seconds from 0 to 1e12, found 1e+308"],
      [[a, '[-1,"s",1,0]'], "line 3: timeS: expected seconds from 0 to 1e12, found -1"],
      [
        ['[5,"a",1,1000,100,0]', '[1,"s",1,0]'],
        "line 3: timeS: expected events in time order (the event before is at 5 s), found 1",
      ],
      [[a, '[1,"v",7,1,1,1,0.1,0]'], "line 3: service: expected an index from 0 to 0, found 7"],
      [[a, '[1,"o",1,5]'], "line 3: pool: expected an index from 0 to 0, found 1"],
      [['[0,"a",1e999,1000,100,0]'], "line 2: task: expected a task id, found Infinity"],
      [[a, '[1,"s",null,0]'], "line 3: task: expected a task id, found NaN"],
      // An empty field is no number (Number("") is 0).
      [[a, '[1,"s",,0]'], "line 3: expected"],
    ];
    for (const [events, message] of cases) {
      expect(() => ReplayIndex.parse(hostile({}, ...events)), message).toThrow(message);
    }
    expect(() => ReplayIndex.parse(hostile({ services: undefined }, '[1,"v",0,1,1,1,0.1,0]'))).toThrow(
      "line 2: service: expected none (the header lists none), found 0",
    );
  });

  it("clamps quantities: a 1e308 or infinite request fills a node, a 1e308 capacity shows empty, every state finite", () => {
    const index = ReplayIndex.parse(
      hostile(
        {
          nodes: [
            [0, 4000, 8192, 0, 1],
            [0, 1e308, 12345678, 1e308, 1],
          ],
        },
        '[0,"a",1,1e308,1e999,-5]',
        '[0,"a",2,1e999,1e308,1e308]',
        '[1,"s",1,0]',
        '[1,"s",2,0]',
        '[1,"a",3,1000,100,0]',
        '[1,"s",3,1]',
        '[2,"z",3,1,-1e308]',
        '[3,"n",1,1e999]',
        '[3,"o",0,-7]',
        '[3,"v",0,1e999,-1,1e308,null,1]',
        '[3,"c",1e999,-1e999]',
        '[5,"f",1,0]',
      ).replace("12345678", "1e999"), // JSON.stringify writes Infinity as null
    );
    expect(index.header.nodes[1].slice(1, 4)).toEqual([MAX_QUANTITY, MAX_QUANTITY, MAX_QUANTITY]);
    expect([index.taskCpu[0], index.taskMem[0], index.taskGpu[0]]).toEqual([MAX_QUANTITY, MAX_QUANTITY, 0]);
    const s = index.stateAt(4, index.emptyState());
    expect(s.cpu[0]).toBe(2 * MAX_QUANTITY);
    expect(s.cpu[1]).toBe(0); // resized down to 0 (clamped from −1e308)
    expect(s.usage[1]).toBe(MAX_QUANTITY);
    expect(s.poolUsed[0]).toBe(0);
    expect(index.services[0].points[0]).toMatchObject({ ratePerS: MAX_QUANTITY, replicas: 0, ready: MAX_QUANTITY });
    expect(index.services[0].points[0].quantileS).toBeNaN();
    expect(index.totals[0]).toMatchObject({ coldStarts: MAX_QUANTITY, cost: 0 });
    const after = index.stateAt(6, index.emptyState());
    expect(after.cpu[0]).toBe(MAX_QUANTITY);
    const series = index.cpuShareSeries(6, 6);
    expect(series.share.every(Number.isFinite)).toBe(true);
  });

  it("spaces keyframes further apart where nodes × events would pass their memory, with the same states", () => {
    const nodes = Array.from({ length: MAX_NODES }, () => [0, 1000, 1000, 0, 1]);
    const events: string[] = [];
    const pods = 80_000;
    for (let i = 0; i < pods; i++) events.push(`[${i},"a",${i},1000,1,0]`, `[${i},"s",${i},${i % 7}]`);
    const index = ReplayIndex.parse(`${hostile({ nodes, pools: undefined })}\n${events.join("\n")}`);
    // 34 MB a state: 7 keyframes fit in 256 MiB, 160,000 events over them.
    expect(index.keyframeEvery).toBe(Math.ceil((2 * pods) / 7));
    expect(index.keyframeEvery).toBeGreaterThan(KEYFRAME_EVERY);
    const s = index.stateAt(pods / 2, index.emptyState());
    // Pods 0..40,000 started, one per node round the first 7 nodes.
    const started = pods / 2 + 1;
    expect(s.cpu[0]).toBe(1000 * Math.ceil(started / 7));
    expect(s.cpu[6]).toBe(1000 * Math.floor((started - 7) / 7 + 1));
  });
});

describe("the viewer's size limit", () => {
  const limit = 1000;
  it("is V8's longest string", () => {
    expect(MAX_REPLAY_BYTES).toBe(2 ** 29 - 24);
  });

  it("refuses a dropped file by its size, before reading it", async () => {
    const file = new File(["x".repeat(1001)], "big.jsonl");
    await expect(fileText(file, limit)).rejects.toThrow(
      "big.jsonl is 1001 bytes; the viewer opens replays up to 1000 bytes (V8's string limit)",
    );
    expect(await fileText(new File(["ok"], "small.jsonl"), limit)).toBe("ok");
  });

  it("refuses a fetched file by its Content-Length without reading a byte, as a 630 MB one", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(10));
      },
    });
    const r = new Response(body, { headers: { "content-length": String(630e6) } });
    await expect(responseText(r, "runs/0/replay.jsonl")).rejects.toThrow(
      "runs/0/replay.jsonl is 630 MB; the viewer opens replays up to 537 MB (V8's string limit)",
    );
    // The stream's first pull happens as it is made; none for reading.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("counts a stream without a Content-Length and stops reading past the limit", async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(100).fill(0x61));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(responseText(new Response(endless), "endless", limit)).rejects.toThrow(
      "endless is over 1000 bytes; the viewer opens replays up to 1000 bytes",
    );
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(15);
  });

  it("decodes UTF-8 split across chunks, as Response.text() does", async () => {
    const bytes = new TextEncoder().encode("\uFEFFnœud 😀");
    const chunks = [bytes.slice(0, 5), bytes.slice(5, 9), bytes.slice(9)];
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    expect(await responseText(new Response(body), "u", limit)).toBe("nœud 😀");
  });
});
