// Module Web Worker of the 在线校验 page: runs the fpjc validator in Pyodide, off the page's thread.
// Every file comes from this site: the Pyodide runtime, our wheels and our lock file (with hashes).
// Messages to the page: {type: "progress", step, total, text} | {type: "ready", versions, ms}
// | {type: "failed", stage, message} | {type: "result", id, json, ms} | {type: "exports", id, ...}
// | {type: "settings", id, json} | {type: "county-result", id, json, ms} | {type: "county-exports", id, ...}
// | {type: "ledger-result", id, json, ms} | {type: "ledger-exports", id, db, name} | {type: "error", id, message}.
// The county ledger file the clerk opens stays in this worker's memory; the updated file goes back
// to the page to be saved, nothing is uploaded.
// A county settings file the clerk picks stays in the page and this worker; it is never sent anywhere.
import { loadPyodide } from "./pyodide-314.0.7/pyodide.mjs";

const BUILD = "__FPJC_CHECKER_BUILD__";
const base = new URL("./", import.meta.url);
const runtimeURL = new URL("pyodide-314.0.7/", base).href;
const packagesURL = new URL("__FPJC_CHECKER_PACKAGES__/", base).href;
const STEPS = 4;
const started = performance.now();

let bridge = null;
const ready = start();

function progress(step, text) {
  postMessage({ type: "progress", step, total: STEPS, text });
}

async function start() {
  let stage = "runtime";
  try {
    progress(1, "正在下载并启动 Python 运行环境（约 14 MB，首次打开需要稍候，之后由浏览器缓存）…");
    const pyodide = await loadPyodide({
      indexURL: runtimeURL,
      lockFileURL: packagesURL + "pyodide-lock.json",
      packageBaseUrl: packagesURL,
      env: { FPJC_BROWSER: "1" },
      stdout: () => {},
      stderr: (line) => console.warn(line),
    });
    stage = "packages";
    progress(2, "正在加载校验器组件（fpjc、python-calamine、openpyxl、chinesecalendar、jinja2）…");
    const failures = [];
    await pyodide.loadPackage(["fpjc"], {
      messageCallback: () => {},
      errorCallback: (message) => failures.push(message),
    });
    if (failures.length) throw new Error(failures.join("\n"));
    stage = "bridge";
    progress(3, "正在启动校验器…");
    const code = await (await fetch(new URL(`bridge.py?v=${BUILD}`, base))).text();
    const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
    pyodide.FS.writeFile(`${site}/fpjc_checker.py`, code);
    bridge = pyodide.pyimport("fpjc_checker");
    const versions = bridge.start().toJs({ dict_converter: Object.fromEntries });
    progress(4, "校验器已就绪。");
    postMessage({ type: "ready", versions, ms: Math.round(performance.now() - started) });
    return pyodide;
  } catch (err) {
    postMessage({ type: "failed", stage, message: String((err && err.message) || err) });
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
    .then(() => handle(msg))
    .catch((err) => postMessage({ type: "error", id: msg.id, message: String((err && err.message) || err) }));
};

// The page is usable now; load the workbook reader and the report renderers while the clerk picks
// a file, one step per turn of the event loop: a check that arrives meanwhile runs between steps.
ready
  .then(async () => {
    for (let step = 0; ; step++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      await queue; // a check in progress (or queued) goes first
      if (!bridge.warm(step)) break;
    }
  })
  .catch((err) => console.warn(String((err && err.message) || err)));
