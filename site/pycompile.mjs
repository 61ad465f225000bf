// Compile Python sources to bytecode with Pyodide's own interpreter, for site/pycompile.py:
//   node site/pycompile.mjs PYODIDE_DIR FOLDER
// Every .py under FOLDER gets a .pyc beside it (unchecked-hash: no timestamp in the file), made by
// the CPython that the checker runs in the browser, so the browser can import it without compiling.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [pyodideDir, folder] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: (l) => process.stderr.write(l + "\n") });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: folder }, "/work");
const failed = pyodide.runPython(`
import py_compile
from pathlib import Path

failed = []
for source in sorted(Path("/work").rglob("*.py")):
    try:
        py_compile.compile(
            str(source),
            cfile=str(source) + "c",
            dfile=source.relative_to("/work").as_posix(),
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError as exc:
        failed.append(f"{source}: {exc.msg}")
"\\n".join(failed)
`);
if (failed) {
  process.stderr.write(failed + "\n");
  process.exit(1);
}
