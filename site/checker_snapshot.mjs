// Build the in-browser checker's memory snapshot, for site/checker_build.py (never shipped as code):
//   node site/checker_snapshot.mjs CHECKER_DIR RUNTIME_DIR PACKAGES_DIR OUT.gz
// Starts the checker's own Pyodide runtime under Node, unpacks the pure wheels listed in our lock
// (each checked against the lock's sha256), imports the bridge and everything it needs
// (bridge.prepare_snapshot), and writes Pyodide's memory snapshot of that interpreter, gzipped.
// A page restores it instead of starting Python and importing the validator itself; the worker
// still installs every wheel (files) and loads the compiled ones (python-calamine) afterwards.
// Python's hash seed and the clock are fixed here, so the same lock and bridge give the same
// bytes; the page reseeds what depends on randomness (bridge.resume).
import nodeCrypto, { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const [checkerDir, runtimeDir, packagesDir, out] = process.argv.slice(2);
if (!out) {
  process.stderr.write("usage: node site/checker_snapshot.mjs CHECKER_DIR RUNTIME_DIR PACKAGES_DIR OUT.gz\n");
  process.exit(2);
}

// Reproducible bytes: the interpreter records file times (importlib's directory caches) and seeds
// from the system's entropy; both are fixed while the snapshot is made.
const EPOCH_MS = Date.UTC(2020, 0, 1);
Date.now = () => EPOCH_MS;
let seed = 0x2020;
const fill = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  return array;
};
nodeCrypto.randomFillSync = fill; // what Emscripten's getentropy uses under Node
globalThis.crypto.getRandomValues = fill;
let tick = 0;
performance.now = () => (tick += 0.001);

const runtime = join(checkerDir, runtimeDir);
const packages = join(checkerDir, packagesDir);
const { loadPyodide } = await import(pathToFileURL(join(runtime, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: runtime + "/",
  lockFileURL: join(packages, "pyodide-lock.json"),
  packageBaseUrl: packages + "/",
  env: { FPJC_BROWSER: "1", PYTHONHASHSEED: "0" },
  _makeSnapshot: true,
  stdout: () => {},
  stderr: (line) => process.stderr.write(line + "\n"),
});

// Only pure wheels: a compiled extension's state lives partly outside the wasm memory.
const lock = JSON.parse(readFileSync(join(packages, "pyodide-lock.json"), "utf8"));
const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
for (const pkg of Object.values(lock.packages)) {
  if (!pkg.file_name.endsWith("-none-any.whl")) continue;
  const data = readFileSync(join(packages, pkg.file_name));
  const sha256 = createHash("sha256").update(data).digest("hex");
  if (sha256 !== pkg.sha256) throw new Error(`${pkg.file_name}: sha256 ${sha256} differs from the lock`);
  pyodide.unpackArchive(new Uint8Array(data), "wheel", { extractDir: site });
}
pyodide.FS.writeFile(`${site}/fpjc_checker.py`, readFileSync(join(checkerDir, "bridge.py"), "utf8"));
try {
  // The clock stands still, so importlib must be told that site-packages changed.
  const modules = pyodide
    .runPython("import importlib; importlib.invalidate_caches(); import fpjc_checker; fpjc_checker.prepare_snapshot()")
    .toJs();
  const snapshot = pyodide.makeMemorySnapshot();
  writeFileSync(out, gzipSync(snapshot, { level: 9 }));
  process.stdout.write(JSON.stringify({ bytes: snapshot.length, modules: modules.length }) + "\n");
} catch (err) {
  process.stderr.write(String((err && err.message) || err) + "\n");
  process.exit(1);
}
