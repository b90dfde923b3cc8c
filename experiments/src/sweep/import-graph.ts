import { dirname, resolve } from "node:path";
import { buildSync } from "esbuild";

/**
 * The local modules a plug-in loads: the file and every module it imports by a relative or absolute
 * path (`./`, `../`, `/`), transitively, by absolute path, sorted. Imports of packages (`zod`,
 * `@clustersim/engine`, `node:fs`) are not followed: their versions are the installation's, not the
 * experiment's. Neither are files a plug-in reads itself (`readFileSync`), nor an `import()` of a
 * computed name: no parser can know those.
 *
 * The imports are found by esbuild, the compiler that loads TypeScript plug-ins (through tsx): it reads
 * TypeScript and JavaScript alike, drops type-only imports (never loaded), follows `require()` and
 * `import()` of literal names, and resolves a name as the loader does (`./util.js` naming `util.ts`, a
 * directory's `index`, tsconfig `paths`). A file it cannot read (a syntax error, an import of a file
 * that does not exist) is listed alone: its run fails when it loads, and a failed run is always rerun.
 */
export function localModules(entry: string): string[] {
  const files = new Set([entry]);
  const cwd = dirname(entry);
  try {
    const { metafile } = buildSync({
      entryPoints: [entry],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      metafile: true,
      packages: "external",
      platform: "node",
      format: "esm",
      logLevel: "silent",
    });
    // Inputs are named relative to absWorkingDir; a namespace prefix ("data:", "dataurl:") is no file.
    for (const input of Object.keys(metafile.inputs)) if (!/^[a-z-]+:/.test(input)) files.add(resolve(cwd, input));
  } catch {
    // the file alone (see above)
  }
  return [...files].sort();
}

/** `localModules` of each plug-in once per sweep invocation: runs share plug-ins. */
export class ModuleGraph {
  private readonly byEntry = new Map<string, string[]>();

  modules(entry: string): string[] {
    let m = this.byEntry.get(entry);
    if (!m) {
      m = localModules(entry);
      this.byEntry.set(entry, m);
    }
    return m;
  }
}
