// Run the built in-browser checker (same Pyodide runtime, wheels, lock and bridge.py) under Node,
// for the conformance test: node tests/checker_node.mjs SITE/checker RUNTIME_DIR PACKAGES_DIR
// Reads one JSON request per stdin line ({files: [{name, path}], today, stage, settings: {name, path}})
// and writes one JSON line
// per request: {ok: true, json} (the bridge's output) or {ok: false, error}. The first line written
// is {ready: true, versions} once the checker has started.
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [checkerDir, runtimeDir, packagesDir] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(checkerDir, runtimeDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: join(checkerDir, runtimeDir) + "/",
  lockFileURL: join(checkerDir, packagesDir, "pyodide-lock.json"),
  packageBaseUrl: join(checkerDir, packagesDir) + "/",
  stdout: () => {},
  stderr: (line) => process.stderr.write(line + "\n"),
});
const failures = [];
await pyodide.loadPackage(["fpjc"], { messageCallback: () => {}, errorCallback: (m) => failures.push(m) });
if (failures.length) {
  process.stdout.write(JSON.stringify({ ready: false, error: failures.join("\n") }) + "\n");
  process.exit(1);
}
const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
pyodide.FS.writeFile(`${site}/fpjc_checker.py`, readFileSync(join(checkerDir, "bridge.py"), "utf8"));
const bridge = pyodide.pyimport("fpjc_checker");
let versions;
try {
  versions = bridge.start().toJs({ dict_converter: Object.fromEntries });
  bridge.warm();
} catch (err) {
  process.stdout.write(JSON.stringify({ ready: false, error: String(err.message || err) }) + "\n");
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ready: true, versions }) + "\n");

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const req = JSON.parse(line);
  try {
    const files = req.files.map((f) => ({ name: f.name, data: new Uint8Array(readFileSync(f.path)) }));
    const settings = req.settings ? { name: req.settings.name, data: new Uint8Array(readFileSync(req.settings.path)) } : null;
    const json = bridge.check_js(files, req.today || "", req.stage || "draft", settings ? settings.name : null, settings ? settings.data : null);
    if (req.exports) {
      const res = bridge.exports_js();
      const [html, xlsxProxy] = res.toJs({ depth: 1 });
      if (xlsxProxy) {
        writeFileSync(req.exports + ".xlsx", xlsxProxy.toJs());
        xlsxProxy.destroy();
      }
      writeFileSync(req.exports + ".html", html);
      res.destroy();
    }
    out({ ok: true, json });
  } catch (err) {
    out({ ok: false, error: String(err.message || err) });
  }
}
