import { randomBytes } from "node:crypto";
import { createReadStream, existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { basename, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";

/** The built viewer (`npm run build -w web-viewer`; `npm ci` builds it). */
const VIEWER_DIST = fileURLToPath(new URL("../../../web-viewer/dist/", import.meta.url));

/** A run's files the viewer may read; nothing else of the run directory is served. */
const RUN_FILES = ["replay.jsonl", "summary.json", "services.csv", "timeseries.csv", "decisions.jsonl"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface ViewOptions {
  port?: string;
}

/** Every file under `dir`, as URL paths from it ("assets/index.js"). */
function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/**
 * `clustersim view RUN_DIR [RUN_DIR_2]`: serve the built viewer and the named runs' replays on
 * 127.0.0.1 (a free port, or --port) and print the URL; two runs are shown side by side. Every path
 * starts with a random token made when the server starts (the URL printed holds it), so that another
 * user of the machine who finds the port reads nothing; under it, only the viewer's own files and the
 * runs' known result files are answered; any other path (`..` included) gets 404. Runs until
 * interrupted.
 */
export async function viewCommand(dirs: string[], o: ViewOptions, print: (line: string) => void): Promise<void> {
  if (dirs.length > 2) throw new UserError(`view: expected one or two run directories, found ${dirs.length}`);
  const runs = dirs.map((d) => {
    const dir = resolve(d);
    if (!existsSync(join(dir, "replay.jsonl"))) {
      throw new UserError(
        `${d}: expected a run directory holding replay.jsonl (run the scenario with outputs.replay: true), found ${existsSync(dir) ? "none in it" : "no such directory"}`,
      );
    }
    return { name: basename(dir), dir, files: RUN_FILES.filter((f) => existsSync(join(dir, f))) };
  });
  if (!existsSync(join(VIEWER_DIST, "index.html"))) {
    throw new UserError(`the viewer is not built: expected ${VIEWER_DIST}index.html (run npm run build -w web-viewer)`);
  }
  const port = o.port === undefined ? 0 : Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port: expected a port number 0-65535, found "${o.port}"`);
  }
  const viewerFiles = new Set(listFiles(VIEWER_DIST));
  const runList = JSON.stringify(
    runs.map((r, k) => ({ name: r.name, replay: `runs/${k}/replay.jsonl`, files: r.files })),
  );

  let boundPort = port;
  // 128 random bits: the viewer's pages and files are all relative, so they load under it.
  const prefix = `/${randomBytes(16).toString("hex")}/`;
  const server: Server = createServer((req, res) => {
    const notFound = () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("not found\n");
    };
    if (req.method !== "GET" && req.method !== "HEAD") return notFound();
    // Only pages opened at this address: a page elsewhere that rebinds a name to 127.0.0.1 (DNS
    // rebinding) sends its own Host and gets nothing.
    const host = req.headers.host ?? "";
    if (host !== `127.0.0.1:${boundPort}` && host !== `localhost:${boundPort}`) return notFound();
    // The raw path, undecoded: "..", "%2e%2e" or anything not listed simply matches nothing.
    const full = (req.url ?? "/").split("?")[0];
    if (!full.startsWith(prefix)) return notFound();
    const path = `/${full.slice(prefix.length)}`;
    if (path === "/runs.json") {
      res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
      return res.end(req.method === "HEAD" ? undefined : runList);
    }
    const found = fileFor(path, runs, viewerFiles);
    if (!found) return notFound();
    serveFile(found.file, found.root, req.method === "HEAD", res, notFound);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      fail(err.code === "EADDRINUSE" ? new UserError(`--port: expected a free port, found ${port} in use`) : err),
    );
    server.listen(port, "127.0.0.1", () => ok());
  });
  const address = server.address();
  boundPort = typeof address === "object" && address ? address.port : port;
  const url = `http://127.0.0.1:${boundPort}${prefix}`;
  print(`Viewing ${runs.map((r) => r.name).join(" and ")} at ${url} (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * The file a request path names, and the folder it must really lie in: the viewer's page or one of its
 * files, or a run's known result file.
 */
function fileFor(
  path: string,
  runs: readonly { dir: string; files: string[] }[],
  viewer: Set<string>,
): { file: string; root: string } | undefined {
  if (path === "/" || path === "/index.html") return { file: join(VIEWER_DIST, "index.html"), root: VIEWER_DIST };
  const m = /^\/runs\/(\d)\/([a-z.]+)$/.exec(path);
  if (m) {
    const run = runs[Number(m[1])];
    return run?.files.includes(m[2]) ? { file: join(run.dir, m[2]), root: run.dir } : undefined;
  }
  return viewer.has(path.slice(1)) ? { file: join(VIEWER_DIST, path.slice(1)), root: VIEWER_DIST } : undefined;
}

/**
 * Answer with a file's bytes (headers only for HEAD). Only a regular file whose real path lies inside
 * `root` is served: a symbolic link out of the run directory, a FIFO or a device is not found, as is a
 * file removed since the server started.
 */
function serveFile(file: string, root: string, headOnly: boolean, res: ServerResponse, notFound: () => void): void {
  let size: number;
  let real: string;
  try {
    real = realpathSync(file);
    const stat = statSync(real);
    const inside = real.startsWith(realpathSync(root) + sep);
    if (!inside || !stat.isFile()) {
      notFound();
      return;
    }
    size = stat.size;
  } catch {
    notFound(); // removed since the server started
    return;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": size,
    "x-content-type-options": "nosniff",
  });
  if (headOnly) {
    res.end();
    return;
  }
  createReadStream(real)
    .on("error", () => res.destroy())
    .pipe(res);
}
