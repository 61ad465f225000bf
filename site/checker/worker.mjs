// Module Web Worker of the 在线校验 page: runs the fpjc validator in Pyodide, off the page's thread.
// Every file comes from this site: the Pyodide runtime, our wheels and our lock file (with hashes).
// Messages to the page: {type: "progress", step, total, text} | {type: "ready", versions, ms, start}
// | {type: "failed", stage, message} | {type: "result", id, json, ms} | {type: "exports", id, ...}
// | {type: "settings", id, json} | {type: "county-result", id, json, ms} | {type: "county-exports", id, ...}
// | {type: "ledger-result", id, json, ms} | {type: "ledger-exports", id, db, name} | {type: "error", id, message}
// | {type: "exercised", ms} (the warm-up check after a snapshot start is done).
// The county ledger file the clerk opens stays in this worker's memory; the updated file goes back
// to the page to be saved, nothing is uploaded.
// A county settings file the clerk picks stays in the page and this worker; it is never sent anywhere.
//
// Two ways to start (the "ready" message says which: start = "snapshot" or "full"):
// - from the memory snapshot the site build made (site/checker_snapshot.mjs): Python already
//   started, the validator, the bridge and the report renderers already imported. The snapshot,
//   the runtime and the pure wheels are all requested at once when the worker starts, each checked
//   against its sha256 (fetch integrity); the wheels' files are unpacked (later imports read them)
//   and python-calamine, a compiled module that no memory snapshot can hold, is loaded after "ready";
// - the full start, when the snapshot is missing, fails its hash or cannot be restored: Pyodide
//   starts Python, loadPackage installs the wheels from our lock, the bridge imports the validator.
const BUILD = "__FPJC_CHECKER_BUILD__";
const SNAPSHOT = "__FPJC_CHECKER_SNAPSHOT__"; // file name beside this worker; empty: the build made none
const SNAPSHOT_INTEGRITY = "__FPJC_CHECKER_SNAPSHOT_INTEGRITY__"; // gzipped file, or the same unpacked
const PURE_WHEELS = "__FPJC_CHECKER_PURE_WHEELS__"; // [[file name, integrity], ...] from our lock
const WARMUP = "warmup.xlsx"; // a fictional example workbook, checked once after a snapshot start
const WARMUP_INTEGRITY = "__FPJC_CHECKER_WARMUP_INTEGRITY__";
const base = new URL("./", import.meta.url);
const runtimeURL = new URL("pyodide-314.0.7/", base).href;
const packagesURL = new URL("__FPJC_CHECKER_PACKAGES__/", base).href;
const STEPS = 4;
const started = performance.now();
const phases = {}; // ms since the worker started, at the end of each step (for the benchmark)
const mark = (name) => (phases[name] = Math.round(performance.now() - started));

// Requested now, before Pyodide asks for its runtime files, so every download runs in parallel;
// the runtime's scripts are imported after that (static imports would be fetched and parsed first).
const early = SNAPSHOT && Array.isArray(PURE_WHEELS) ? prefetch() : null;
const runtime = Promise.all([import("./pyodide-314.0.7/pyodide.mjs"), import("./pyodide-314.0.7/pyodide.asm.mjs")]);
let loadPyodide = null;
let createPyodideModule = null;

let bridge = null;
let started_from_snapshot = false;
let compiled = Promise.resolve(); // python-calamine loaded (after "ready" on the snapshot start)
const ready = start();

function progress(step, text) {
  postMessage({ type: "progress", step, total: STEPS, text });
}

function checked(response) {
  if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
  return response;
}

function prefetch() {
  const snapshot = fetchSnapshot();
  const wheels = PURE_WHEELS.map(([file, integrity]) =>
    fetch(new URL(file, packagesURL), { integrity }).then(checked).then((r) => r.arrayBuffer()),
  );
  // Failures are handled where the results are awaited (the full start takes over).
  for (const p of [snapshot, ...wheels]) p.catch(() => {});
  return { snapshot, wheels, heap: 0 };
}

async function fetchSnapshot() {
  const response = checked(await fetch(new URL(SNAPSHOT, base), { integrity: SNAPSHOT_INTEGRITY }));
  let bytes = new Uint8Array(await response.arrayBuffer());
  // Shipped gzipped (8 MB instead of 38 MB); a server that sends .gz files with
  // "Content-Encoding: gzip" hands over the unpacked bytes, which match the second hash.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  // Pyodide's header: its second word is where the memory image starts.
  early.heap = bytes.byteLength - new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  mark("snapshot_fetched");
  return bytes;
}

function options() {
  return {
    indexURL: runtimeURL,
    lockFileURL: packagesURL + "pyodide-lock.json",
    packageBaseUrl: packagesURL,
    env: { FPJC_BROWSER: "1" },
    stdout: () => {},
    stderr: (line) => console.warn(line),
    createPyodideModule,
  };
}

function loadCompiled(pyodide, names) {
  const failures = [];
  return pyodide
    .loadPackage(names, { messageCallback: () => {}, errorCallback: (message) => failures.push(message) })
    .then(() => {
      if (failures.length) throw new Error(failures.join("\n"));
    });
}

async function startFromSnapshot() {
  const pyodide = await loadPyodide({
    ...options(),
    env: { FPJC_BROWSER: "1", PYTHONHASHSEED: "0" }, // as when the snapshot was made
    _loadSnapshot: early.snapshot,
    // Pyodide restores the image into the module's initial memory: make room for it first.
    createPyodideModule: (settings) => {
      settings.preRun.push((Module) => {
        if (!Module.growMemory(early.heap)) throw new Error(`cannot grow the memory to ${early.heap} bytes`);
      });
      return createPyodideModule(settings);
    },
  });
  mark("runtime");
  // Runs while the pure wheels are unpacked: its download and compilation are asynchronous.
  const calamine = loadCompiled(pyodide, ["python-calamine"]).then(() => mark("calamine"));
  calamine.catch(() => {});
  progress(2, "正在加载校验器组件（fpjc、openpyxl、chinesecalendar、jinja2）…");
  const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  for (const wheel of early.wheels) {
    pyodide.unpackArchive(new Uint8Array(await wheel), "wheel", { extractDir: site });
  }
  mark("packages");
  progress(3, "正在启动校验器…");
  pyodide.runPython("import importlib; importlib.invalidate_caches()");
  const imported = pyodide.pyimport("fpjc_checker"); // already imported in the snapshot
  imported.resume();
  return { pyodide, bridge: imported, calamine };
}

async function startFull() {
  let stage = "runtime";
  try {
    const pyodide = await loadPyodide(options());
    mark("runtime");
    stage = "packages";
    progress(2, "正在加载校验器组件（fpjc、python-calamine、openpyxl、chinesecalendar、jinja2）…");
    await loadCompiled(pyodide, ["fpjc"]);
    mark("packages");
    stage = "bridge";
    progress(3, "正在启动校验器…");
    const code = await (await fetch(new URL(`bridge.py?v=${BUILD}`, base))).text();
    const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
    pyodide.FS.writeFile(`${site}/fpjc_checker.py`, code);
    return { pyodide, bridge: pyodide.pyimport("fpjc_checker"), calamine: Promise.resolve() };
  } catch (err) {
    throw Object.assign(new Error(String((err && err.message) || err)), { stage });
  }
}

async function start() {
  progress(1, "正在下载并启动 Python 运行环境（首次打开需要稍候，之后由浏览器缓存）…");
  try {
    const [main, asm] = await runtime;
    loadPyodide = main.loadPyodide;
    createPyodideModule = asm.default;
  } catch (err) {
    postMessage({ type: "failed", stage: "runtime", message: String((err && err.message) || err) });
    throw err;
  }
  let how = "full";
  let booted = null;
  if (early) {
    try {
      booted = await startFromSnapshot();
      how = "snapshot";
      started_from_snapshot = true;
    } catch (err) {
      // Missing, altered or unusable snapshot: the full start gives the same checker, more slowly.
      console.warn(`fpjc: starting without the snapshot (${String((err && err.message) || err)})`);
    }
  }
  try {
    if (!booted) booted = await startFull();
    bridge = booted.bridge;
    compiled = booted.calamine;
    // Versions of what is still loading (python-calamine on the snapshot start) come from our lock.
    const lock = booted.pyodide.lockfile.packages;
    const loading = how === "snapshot" ? { "python-calamine": lock["python-calamine"].version } : {};
    const versions = bridge.start(booted.pyodide.toPy(loading)).toJs({ dict_converter: Object.fromEntries });
    mark("bridge");
    progress(4, "校验器已就绪。");
    postMessage({ type: "ready", versions, ms: Math.round(performance.now() - started), start: how, phases });
    return booted.pyodide;
  } catch (err) {
    postMessage({ type: "failed", stage: err.stage || "bridge", message: String((err && err.message) || err) });
    throw err;
  }
}

function settingsFile(msg) {
  return msg.settings ? { name: msg.settings.name, data: new Uint8Array(msg.settings.buffer) } : null;
}

async function checkSettings(msg) {
  const s = settingsFile(msg);
  const json = bridge.settings_js(s.name, s.data);
  postMessage({ type: "settings", id: msg.id, json });
}

async function check(msg) {
  const t0 = performance.now();
  const files = msg.files.map((f) => ({ name: f.name, data: new Uint8Array(f.buffer) }));
  const s = settingsFile(msg);
  const json = bridge.check_js(files, msg.today || "", msg.stage || "draft", s ? s.name : null, s ? s.data : null);
  postMessage({ type: "result", id: msg.id, json, ms: Math.round(performance.now() - t0) });
  const t1 = performance.now();
  const res = bridge.exports_js();
  if (res === undefined || res === null) return; // unreadable input: nothing to download
  try {
    const [html, xlsxProxy, xlsxName, note] = res.toJs({ depth: 1 });
    let xlsx = null;
    if (xlsxProxy) {
      xlsx = xlsxProxy.toJs();
      xlsxProxy.destroy();
    }
    postMessage({ type: "exports", id: msg.id, html, xlsx, xlsxName, note, ms: Math.round(performance.now() - t1) });
  } finally {
    res.destroy();
  }
}

// The county page (data-mode="county"): the month's township packages → the intake summary,
// then the meeting workbook, its agenda and the summary page for download.
let countyFiles = []; // the last month's files dropped on the county page, for the ledger

async function county(msg) {
  const t0 = performance.now();
  const files = msg.files.map((f) => ({ name: f.name, data: new Uint8Array(f.buffer) }));
  countyFiles = files;
  const s = settingsFile(msg);
  const json = bridge.county_js(files, msg.today || "", s ? s.name : null, s ? s.data : null);
  postMessage({ type: "county-result", id: msg.id, json, ms: Math.round(performance.now() - t0) });
  const t1 = performance.now();
  const res = bridge.county_exports_js();
  if (res === undefined || res === null) return;
  try {
    const [xlsxProxy, xlsxName, agenda, agendaName, summary, summaryName] = res.toJs({ depth: 1 });
    const xlsx = xlsxProxy.toJs();
    xlsxProxy.destroy();
    postMessage({
      type: "county-exports", id: msg.id, xlsx, xlsxName, agenda, agendaName, summary, summaryName,
      ms: Math.round(performance.now() - t1),
    });
  } finally {
    res.destroy();
  }
}

// The county ledger: the clerk's ledger file (or none: a new one) and the month's files → the
// run and the answers, then the updated file to save.
async function ledger(msg) {
  const t0 = performance.now();
  const s = settingsFile(msg);
  const db = msg.ledger ? new Uint8Array(msg.ledger.buffer) : null;
  const json = bridge.ledger_js(db, countyFiles, msg.today || "", s ? s.name : null, s ? s.data : null, msg.ledger ? msg.ledger.name : null);
  postMessage({ type: "ledger-result", id: msg.id, json, ms: Math.round(performance.now() - t0) });
  const res = bridge.ledger_exports_js();
  if (res === undefined || res === null) return;
  try {
    const [dbProxy, name] = res.toJs({ depth: 1 });
    const bytes = dbProxy.toJs();
    dbProxy.destroy();
    postMessage({ type: "ledger-exports", id: msg.id, db: bytes, name });
  } finally {
    res.destroy();
  }
}

const HANDLERS = { check, county, ledger, settings: checkSettings };

let queue = Promise.resolve();
onmessage = (event) => {
  const msg = event.data;
  const handle = HANDLERS[msg.type];
  if (!handle) return;
  // One job at a time: Pyodide is single-threaded and the bridge keeps the last input for exports.
  queue = queue
    .then(() => ready)
    .then(() => compiled)
    .then(() => handle(msg))
    .catch((err) => postMessage({ type: "error", id: msg.id, message: String((err && err.message) || err) }));
};

// The page is usable now; load the workbook reader and the report renderers while the clerk picks
// a file, one step per turn of the event loop: a check that arrives meanwhile runs between steps.
ready
  .then(() => compiled)
  .then(async () => {
    for (let step = 0; ; step++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await queue; // a check in progress (or queued) goes first
      if (!bridge.warm(step)) break;
    }
    if (!started_from_snapshot) return;
    // Started from the snapshot, the browser has yet to compile the code a check runs: one check
    // of a small fictional workbook (the site's example) does it while the clerk picks a file.
    const response = checked(await fetch(new URL(WARMUP, base), { integrity: WARMUP_INTEGRITY }));
    const data = new Uint8Array(await response.arrayBuffer());
    await new Promise((resolve) => setTimeout(resolve, 0));
    await queue;
    const t0 = performance.now();
    bridge.exercise(WARMUP, data);
    postMessage({ type: "exercised", ms: Math.round(performance.now() - t0) });
  })
  .catch((err) => console.warn(String((err && err.message) || err)));
