// The household ledger under Pyodide (the site's runtime, wheels and lock), run by Node, for
// tests/test_ledger_pyodide.py: node tests/ledger_node.mjs SITE/checker RUNTIME_DIR PACKAGES_DIR REQUEST.json
// The request: {ledger: path or null, out: path, today, months: [[{name, path}, ...], ...]}. The
// ledger file (if any) is copied into Pyodide's file system, each month's files are added as a
// browser hands them over, the updated ledger is written back to `out`, and one JSON line with
// the run summaries and the answers (status, stock, overdue) is printed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [checkerDir, runtimeDir, packagesDir, requestPath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(checkerDir, runtimeDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({
  indexURL: join(checkerDir, runtimeDir) + "/",
  lockFileURL: join(checkerDir, packagesDir, "pyodide-lock.json"),
  packageBaseUrl: join(checkerDir, packagesDir) + "/",
  stdout: () => {},
  stderr: (line) => process.stderr.write(line + "\n"),
});
await pyodide.loadPackage(["fpjc"], { messageCallback: () => {} });
const req = JSON.parse(readFileSync(requestPath, "utf8"));
pyodide.FS.mkdirTree("/ledger");
if (req.ledger) pyodide.FS.writeFile("/ledger/county.sqlite", new Uint8Array(readFileSync(req.ledger)));
const months = req.months.map((files) => files.map((f) => [f.name, new Uint8Array(readFileSync(f.path))]));
pyodide.globals.set("months_js", pyodide.toPy(months));
pyodide.globals.set("today_text", req.today);
const answer = pyodide.runPython(`
import datetime as dt, json, sys
from validator.county.intake import group_files
from validator.ledger import queries
from validator.ledger.ingest import Source, ingest
from validator.ledger.store import open_ledger

today = dt.date.fromisoformat(today_text)
runs = []
with open_ledger("/ledger/county.sqlite", create=True) as ledger:
    for month in months_js:
        files = [(str(name), bytes(data)) for name, data in month]
        groups, ignored = group_files(files)
        sources = [Source.from_files(name, kind, items) for name, kind, items in groups]
        run = ingest(ledger, sources, today=today, ignored=ignored)
        runs.append(run.data["counts"])
    conn = ledger.conn
    answers = {
        "python": sys.version.split()[0],
        "runs": runs,
        "status": queries.status(conn),
        "stock": queries.stock(conn),
        "overdue": queries.overdue(conn),
    }
json.dumps(answers, ensure_ascii=False, default=str)
`);
writeFileSync(req.out, pyodide.FS.readFile("/ledger/county.sqlite"));
process.stdout.write(answer + "\n");
