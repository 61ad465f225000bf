// 在线校验: the page side of the in-browser checker. Loaded on every page (it is small); it starts
// the Pyodide worker only on a page that holds <div id="fpjc-checker">, and stops it when the
// reader navigates away (Material's instant navigation swaps pages without reloading scripts).
// Files never leave the browser: they go to the worker, which runs the same Python core as `fpjc`.
// With data-mode="county" (the county page) it takes the month's township packages instead and
// gives the intake summary and the 研判 meeting workbook, as `fpjc rollup` and `fpjc county prepare`.
(function () {
  "use strict";

  // The page may include this script itself and the site may add it to every page too: run once.
  if (window.fpjcChecker) return;
  window.fpjcChecker = { build: "__FPJC_CHECKER_BUILD__" };

  var BUILD = "__FPJC_CHECKER_BUILD__";
  var script = document.currentScript;
  var BASE = new URL("./", (script && script.src) || location.href).href;
  var MAX_BYTES = 20 * 1024 * 1024;
  var TIMEOUT_MS = 60000;
  var ACCEPT = [".xlsx", ".csv", ".zip"];
  var SETTINGS_KEY = "fpjc-county-settings"; // the county settings file, kept in this browser only
  var STAGES = { draft: "自查草稿（盖章前）", submit: "上报核对（盖章后、上报前）" };

  var current = null; // the mounted checker: {root, worker, ...}

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function localToday() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function megabytes(n) {
    return (n / 1024 / 1024).toFixed(1) + " MB";
  }

  // What Pyodide in a module worker needs; anything missing gets a plain message instead of a hang.
  function missingFeatures() {
    var missing = [];
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") missing.push("WebAssembly");
    if (typeof Worker !== "function") missing.push("Web Worker");
    if (typeof BigInt !== "function") missing.push("BigInt");
    if (typeof Blob !== "function" || typeof URL.createObjectURL !== "function") missing.push("Blob");
    if (typeof File === "undefined" || !File.prototype.arrayBuffer) missing.push("File.arrayBuffer");
    if (typeof Worker === "function") {
      var module = false;
      try {
        // The browser reads `type` only if it knows module workers; the blob never runs.
        var probe = new Worker(URL.createObjectURL(new Blob([""])), {
          get type() { module = true; return "module"; },
        });
        probe.terminate();
      } catch (e) { /* reported below */ }
      if (!module) missing.push("module Worker");
    }
    return missing;
  }

  function isCounty(root) {
    return root.getAttribute("data-mode") === "county";
  }

  function build(root) {
    root.textContent = "";
    var ui = {};
    var county = isCounty(root);
    ui.status = el("div", { className: "fpjc-ck-status", role: "status", "aria-live": "polite" }, [
      (ui.bar = el("progress", { max: "4", value: "0" })),
      (ui.statusText = el("span", { className: "fpjc-ck-status-text", text: "正在准备校验器…" })),
      (ui.elapsed = el("span", { className: "fpjc-ck-elapsed" })),
    ]);
    ui.input = el("input", { type: "file", accept: ACCEPT.join(","), multiple: "", className: "fpjc-ck-input" });
    if (county) {
      ui.folder = el("input", { type: "file", multiple: "", webkitdirectory: "", className: "fpjc-ck-input fpjc-ck-folder" });
      ui.drop = el("div", { className: "fpjc-ck-drop", tabindex: "0" }, [
        el("p", { className: "fpjc-ck-drop-title" }, [
          "把本月各乡镇报送的工作簿（.xlsx）、压缩包（.zip）拖到这里，或 ",
          el("label", { className: "md-button fpjc-ck-pick" }, ["选择文件", ui.input]), " ",
          el("label", { className: "md-button fpjc-ck-pick" }, ["选择整个文件夹", ui.folder]),
        ]),
        el("p", { className: "fpjc-ck-note", text: "文件只在本机浏览器里处理，不会上传到任何服务器。每个乡镇一个 .xlsx 或 .zip，可一次选多个；CSV 报送包请放在以乡镇命名的文件夹里，再选择存放本月报送包的整个文件夹。单个文件不超过 " + megabytes(MAX_BYTES) + "。" }),
      ]);
    } else {
      ui.drop = el("div", { className: "fpjc-ck-drop", tabindex: "0" }, [
        el("p", { className: "fpjc-ck-drop-title" }, [
          "把报送的 Excel 工作簿（.xlsx）或 CSV 文件拖到这里，或 ",
          el("label", { className: "md-button fpjc-ck-pick" }, ["选择文件", ui.input]),
        ]),
        el("p", { className: "fpjc-ck-note", text: "文件只在本机浏览器里检查，不会上传到任何服务器。一套 CSV 可一次选多个文件；也可选 .zip。单个文件不超过 " + megabytes(MAX_BYTES) + "。" }),
      ]);
      // The site's filled example workbook (synthetic data), to see what a result looks like.
      var example = root.getAttribute("data-example");
      if (example) {
        ui.example = el("button", { type: "button", className: "md-button fpjc-ck-example" }, ["用示例文件试一试"]);
        ui.drop.appendChild(el("p", {}, [ui.example]));
      }
    }
    ui.today = el("input", { type: "date", value: localToday(), className: "fpjc-ck-today" });
    ui.stage = el("select", { className: "fpjc-ck-stage" }, Object.keys(STAGES).map(function (k) {
      return el("option", { value: k, text: STAGES[k] });
    }));
    ui.settingsInput = el("input", { type: "file", accept: ".json", className: "fpjc-ck-settings-input" });
    ui.settingsText = el("span", { className: "fpjc-ck-settings-text", text: "内置设置" });
    ui.settingsClear = el("button", { type: "button", className: "fpjc-ck-settings-clear", hidden: "" }, ["不再使用"]);
    ui.options = el("div", { className: "fpjc-ck-options" }, [
      el("p", {}, [
        el("label", {}, ["校验日期（按哪一天判断期限）：", ui.today]),
        // The county takes in what was submitted: its stage is always 上报核对.
        county ? null : "　",
        county ? null : el("label", {}, ["校验阶段：", ui.stage]),
      ]),
      el("p", { className: "fpjc-ck-settings" }, [
        "设置：", ui.settingsText, " ",
        el("label", { className: "fpjc-ck-settings-pick" }, ["选择县设置文件…", ui.settingsInput]), " ",
        ui.settingsClear,
      ]),
    ]);
    ui.message = el("div", { className: "fpjc-ck-message", role: "alert" });
    ui.result = el("div", { className: "fpjc-ck-result" });
    [ui.status, ui.drop, ui.options, ui.message, ui.result].forEach(function (n) { root.appendChild(n); });
    return ui;
  }

  function setState(ck, state) {
    ck.root.setAttribute("data-state", state);
  }

  function showMessage(ck, kind, title, lines) {
    var box = ck.ui.message;
    box.textContent = "";
    box.className = "fpjc-ck-message admonition " + kind;
    box.appendChild(el("p", { className: "admonition-title", text: title }));
    (lines || []).forEach(function (line) { box.appendChild(el("p", { text: line })); });
  }

  function clearMessage(ck) {
    ck.ui.message.textContent = "";
    ck.ui.message.className = "fpjc-ck-message";
  }

  function disable(ck, why) {
    ck.ui.input.disabled = true;
    if (ck.ui.example) ck.ui.example.disabled = true;
    ck.ui.drop.classList.add("fpjc-ck-disabled");
    ck.ui.status.hidden = true;
    setState(ck, why);
  }

  function mount(root) {
    var ck = { root: root, ui: build(root), worker: null, ready: false, busy: false, seq: 0, urls: [] };
    current = ck;
    root.classList.add("fpjc-ck");

    if (location.protocol === "file:") {
      disable(ck, "file");
      showMessage(ck, "warning", "请通过网址打开本页", [
        "在线校验需要浏览器从网站读取校验程序，直接双击打开的本地网页（file://）做不到。",
        "请在浏览器地址栏输入网站的网址（例如 http://127.0.0.1:8000/check/ 或单位内网的地址）后再使用；也可以在电脑上安装 fpjc，运行 fpjc validate。",
      ]);
      return ck;
    }
    var missing = missingFeatures();
    if (missing.length) {
      disable(ck, "unsupported");
      showMessage(ck, "failure", "当前浏览器不支持在线校验", [
        "缺少：" + missing.join("、") + "。",
        "请使用较新版本的 Chrome、Edge、Firefox 或 360 极速浏览器（极速模式），或在电脑上用 fpjc validate 校验。",
      ]);
      return ck;
    }
    ck.ui.settingsInput.addEventListener("change", function () {
      var file = ck.ui.settingsInput.files[0];
      ck.ui.settingsInput.value = "";
      if (file) pickSettings(ck, file);
    });
    ck.ui.settingsClear.addEventListener("click", function () { clearSettings(ck, true); });
    [ck.ui.input, ck.ui.folder].forEach(function (input) {
      if (!input) return;
      input.addEventListener("change", function () {
        if (input.files.length) handleFiles(ck, Array.prototype.slice.call(input.files));
        input.value = "";
      });
    });
    ["dragenter", "dragover"].forEach(function (type) {
      ck.ui.drop.addEventListener(type, function (e) {
        e.preventDefault();
        ck.ui.drop.classList.add("fpjc-ck-over");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      ck.ui.drop.addEventListener(type, function () { ck.ui.drop.classList.remove("fpjc-ck-over"); });
    });
    ck.ui.drop.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length) handleFiles(ck, Array.prototype.slice.call(e.dataTransfer.files));
    });
    if (ck.ui.example) {
      ck.ui.example.addEventListener("click", function () { tryExample(ck, root.getAttribute("data-example")); });
    }
    startWorker(ck);
    restoreSettings(ck);
    return ck;
  }

  function tryExample(ck, href) {
    var url = new URL(href, location.href);
    var name = decodeURIComponent(url.pathname.split("/").pop());
    fetch(url.href).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.blob();
    }).then(function (blob) {
      handleFiles(ck, [new File([blob], name)]);
    }).catch(function (e) {
      showMessage(ck, "warning", "示例文件没有下载成功", ["请刷新页面后再试（" + (e && e.message || e) + "）。"]);
    });
  }

  // --- the county settings file: checked by the worker, remembered in this browser ------------

  function toBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }

  function fromBase64(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function restoreSettings(ck) {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) || "null"); } catch (e) { saved = null; }
    if (saved && saved.name && saved.data) useSettings(ck, saved.name, fromBase64(saved.data), false);
  }

  function pickSettings(ck, file) {
    if (file.size > 1024 * 1024) {
      showMessage(ck, "warning", "县设置文件太大", ["“" + file.name + "”超过 1 MB，不像是县设置文件（应为几 KB 的 JSON 文件）。"]);
      return;
    }
    file.arrayBuffer().then(function (buffer) { useSettings(ck, file.name, new Uint8Array(buffer), true); });
  }

  function useSettings(ck, name, bytes, picked) {
    if (!ck.worker) return;
    ck.settingsSeq = (ck.settingsSeq || 0) + 1;
    ck.pendingSettings = { id: ck.settingsSeq, name: name, bytes: bytes, picked: picked };
    ck.ui.settingsText.textContent = "正在检查县设置文件 " + name + " …";
    ck.root.setAttribute("data-settings", "checking");
    // Posted at once: the worker queues it until Python is ready. A copy, so the page keeps its own.
    ck.worker.postMessage({ type: "settings", id: ck.settingsSeq, settings: { name: name, buffer: bytes.slice().buffer } });
  }

  function onSettings(ck, msg) {
    var p = ck.pendingSettings;
    if (!p || p.id !== msg.id) return;
    ck.pendingSettings = null;
    ck.root.setAttribute("data-settings-checked", String(msg.id)); // for tests: this answer is in
    var data = JSON.parse(msg.json);
    if (data.error) {
      if (p.picked) showMessage(ck, "failure", "这个县设置文件不能使用", [data.error, "仍按原来的设置校验。"]);
      else clearSettings(ck, true);
      describeSettings(ck);
      ck.root.setAttribute("data-settings", ck.settings ? "county" : "builtin");
      return;
    }
    ck.settings = { name: p.name, bytes: p.bytes, summary: data.ok };
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify({ name: p.name, data: toBase64(p.bytes) }));
    } catch (e) { /* private mode: used for this visit only */ }
    describeSettings(ck);
    ck.root.setAttribute("data-settings", "county");
    if (p.picked) {
      clearMessage(ck);
      if (ck.result) showMessage(ck, "info", "已换用县设置文件", ["下面的结果是按原来的设置得出的；请重新选择报送文件再校验一次。"]);
    }
  }

  function describeSettings(ck) {
    var s = ck.settings;
    if (!s) {
      ck.ui.settingsText.textContent = "内置设置";
      ck.ui.settingsClear.hidden = true;
      return;
    }
    var changes = (s.summary && s.summary.changes) || [];
    ck.ui.settingsText.textContent = "县设置文件 " + s.name + (changes.length ? "（" + changes.join("；") + "）" : "（与内置设置相同）");
    ck.ui.settingsClear.hidden = false;
  }

  function clearSettings(ck, forget) {
    ck.settings = null;
    if (forget) {
      try { localStorage.removeItem(SETTINGS_KEY); } catch (e) { /* nothing stored */ }
    }
    describeSettings(ck);
    ck.root.setAttribute("data-settings", "builtin");
  }

  function startWorker(ck) {
    var timeout = Number(ck.root.getAttribute("data-timeout-ms")) || TIMEOUT_MS;
    var t0 = performance.now();
    setState(ck, "loading");
    ck.tick = setInterval(function () {
      ck.ui.elapsed.textContent = "已用" + Math.round((performance.now() - t0) / 1000) + "秒";
    }, 1000);
    ck.timer = setTimeout(function () {
      if (ck.ready) return;
      setState(ck, "timeout");
      showMessage(ck, "warning", "校验器启动超时", [
        "已经等了" + Math.round(timeout / 1000) + "秒，校验器还没有准备好。网络慢时第一次打开可能更久，请再稍等；如果一直没有进展，请刷新页面重试。",
        "如果网站由单位自己的服务器提供，请管理员确认：.wasm 文件以 application/wasm、.mjs 文件以 JavaScript 类型发送，且安全策略（Content-Security-Policy）允许 'wasm-unsafe-eval'。",
      ]);
    }, timeout);
    var worker;
    try {
      worker = new Worker(BASE + "worker.mjs?v=" + BUILD, { type: "module" });
    } catch (e) {
      failed(ck, "worker", String(e && e.message || e));
      return;
    }
    ck.worker = worker;
    worker.onerror = function (e) {
      e.preventDefault();
      failed(ck, "worker", e.message || "worker.mjs 无法加载");
    };
    worker.onmessage = function (event) { onWorkerMessage(ck, event.data); };
  }

  function stopTimers(ck) {
    clearTimeout(ck.timer);
    clearInterval(ck.tick);
  }

  function failed(ck, stage, detail) {
    stopTimers(ck);
    disable(ck, "failed");
    showMessage(ck, "failure", "校验器没有启动成功", [
      "请刷新页面重试；如果仍然失败，请在电脑上用 fpjc validate 校验，并把下面的信息告诉网站管理员。",
      "（阶段：" + stage + "；" + detail + "）",
    ]);
  }

  function onWorkerMessage(ck, msg) {
    if (ck !== current) return;
    if (msg.type === "progress") {
      ck.ui.bar.value = msg.step;
      ck.ui.statusText.textContent = "（" + msg.step + "/" + msg.total + "）" + msg.text;
    } else if (msg.type === "ready") {
      stopTimers(ck);
      ck.ready = true;
      ck.readyMs = msg.ms;
      ck.root.setAttribute("data-ready-ms", String(msg.ms));
      ck.root.setAttribute("data-start", msg.start || "full"); // "snapshot": the fast start was used
      ck.root.setAttribute("data-start-phases", JSON.stringify(msg.phases || {}));
      ck.versions = msg.versions;
      ck.ui.bar.value = 4;
      ck.ui.statusText.textContent = "校验器已就绪（fpjc " + msg.versions.fpjc + "，标准 " + msg.versions.standard + "，Python " + msg.versions.python + "，启动用时" + (msg.ms / 1000).toFixed(1) + "秒）。请选择文件。";
      ck.ui.elapsed.textContent = "";
      if (ck.root.getAttribute("data-state") === "timeout") clearMessage(ck);
      if (!ck.busy) setState(ck, "ready");
      if (ck.pending) { var p = ck.pending; ck.pending = null; send(ck, p); }
    } else if (msg.type === "exercised") {
      ck.root.setAttribute("data-exercised-ms", String(msg.ms)); // the worker's warm-up check
    } else if (msg.type === "failed") {
      failed(ck, msg.stage, msg.message);
    } else if (msg.type === "settings") {
      onSettings(ck, msg);
    } else if (msg.type === "result" && msg.id === ck.seq) {
      ck.root.setAttribute("data-check-ms", String(msg.ms));
      var data = JSON.parse(msg.json);
      if (data.settings_error) {
        ck.busy = false;
        ck.ui.result.textContent = "";
        setState(ck, "unreadable");
        ck.root.setAttribute("data-checked", String(msg.id));
        showMessage(ck, "failure", "县设置文件不能使用", [data.settings_error, "请改正县设置文件，或点“不再使用”改用内置设置。"]);
        return;
      }
      if (data.unreadable) {
        ck.busy = false;
        ck.ui.result.textContent = "";
        setState(ck, "unreadable");
        ck.root.setAttribute("data-checked", String(msg.id));
        showMessage(ck, "failure", "这个文件无法校验", [
          data.unreadable,
          "请选择报送用的 Excel 工作簿（.xlsx），或报送信息、附件1—3 的 CSV 文件。",
        ]);
        return;
      }
      showResult(ck, data, msg.ms);
    } else if (msg.type === "county-result" && msg.id === ck.seq) {
      ck.root.setAttribute("data-check-ms", String(msg.ms));
      var county = JSON.parse(msg.json);
      if (county.settings_error) {
        ck.busy = false;
        ck.ui.result.textContent = "";
        setState(ck, "unreadable");
        ck.root.setAttribute("data-checked", String(msg.id));
        showMessage(ck, "failure", "县设置文件不能使用", [county.settings_error, "请改正县设置文件，或点“不再使用”改用内置设置。"]);
        return;
      }
      showCounty(ck, county, msg.ms);
    } else if (msg.type === "county-exports" && msg.id === ck.seq) {
      ck.busy = false;
      ck.root.setAttribute("data-exports-ms", String(msg.ms));
      addCountyExports(ck, msg);
      setState(ck, "done");
      ck.root.setAttribute("data-checked", String(msg.id));
    } else if (msg.type === "ledger-result" && msg.id === ck.seq) {
      var answer = JSON.parse(msg.json);
      showLedger(ck, answer, msg.ms);
      if (answer.ledger_error || answer.settings_error) {
        ck.busy = false;
        setState(ck, "done");
        ck.root.setAttribute("data-ledger", String(msg.id));
      }
    } else if (msg.type === "ledger-exports" && msg.id === ck.seq) {
      ck.busy = false;
      addLedgerExport(ck, msg);
      setState(ck, "done");
      ck.root.setAttribute("data-ledger", String(msg.id));
    } else if (msg.type === "exports" && msg.id === ck.seq) {
      ck.busy = false;
      ck.root.setAttribute("data-exports-ms", String(msg.ms));
      addExports(ck, msg);
      setState(ck, "done");
      ck.root.setAttribute("data-checked", String(msg.id));
    } else if (msg.type === "error" && msg.id === ck.seq) {
      ck.busy = false;
      if (ck.ui.ledgerResult && ck.ui.ledgerResult.querySelector(".fpjc-ck-working")) {
        ck.ui.ledgerResult.textContent = "";
        setState(ck, "done");
        ck.root.setAttribute("data-ledger", String(msg.id));
        showMessage(ck, "failure", "台账没有更新", [
          "台账文件保持原样。请确认选择的是 fpjc ledger 建立的台账文件；也可以在电脑上用 fpjc ledger add。",
          "（" + msg.message.split("\n").slice(-2).join(" ") + "）",
        ]);
        return;
      }
      setState(ck, ck.result ? "done" : "ready");
      ck.root.setAttribute("data-checked", String(msg.id));
      showMessage(ck, "failure", ck.result ? "报告下载文件没有生成" : "这个文件没有校验成功", [
        "请确认选择的是报送用的 .xlsx 工作簿或 CSV 文件；也可以在电脑上用 fpjc validate 校验。",
        "（" + msg.message.split("\n").slice(-2).join(" ") + "）",
      ]);
    }
  }

  function handleFiles(ck, files) {
    clearMessage(ck);
    var county = isCounty(ck.root);
    if (county) {
      // A chosen folder brings everything in it; the county core lists what is not a package.
      files = files.filter(function (f) { return !/(^|\/)(\.|~\$)/.test(f.webkitRelativePath || f.name); });
    }
    var bad = county ? [] : files.filter(function (f) {
      var name = f.name.toLowerCase();
      return !ACCEPT.some(function (ext) { return name.slice(-ext.length) === ext; });
    });
    if (bad.length) {
      showMessage(ck, "warning", "不支持的文件类型", [
        "“" + bad.map(function (f) { return f.name; }).join("、") + "”不是 .xlsx、.csv 或 .zip 文件。旧版 Excel（.xls）请先另存为 .xlsx。",
      ]);
      return;
    }
    var big = files.filter(function (f) { return f.size > MAX_BYTES; });
    if (big.length) {
      showMessage(ck, "warning", "文件太大", [
        "“" + big.map(function (f) { return f.name + "”（" + megabytes(f.size); }).join("）、“") + "）超过了在线校验的上限 " + megabytes(MAX_BYTES) + "。",
        "请检查是否误选了别的文件；确实需要校验这么大的文件时，请在电脑上用 fpjc validate。",
      ]);
      return;
    }
    if (ck.busy) {
      showMessage(ck, "info", "正在校验上一个文件", ["请等它完成后再选择新的文件。"]);
      return;
    }
    if (!files.length) {
      showMessage(ck, "warning", "没有选到文件", ["请选择各乡镇的报送包（.xlsx 或 .zip），或存放本月报送包的文件夹。"]);
      return;
    }
    ck.busy = true;
    ck.result = null;
    revokeUrls(ck);
    ck.ui.result.textContent = "";
    ck.seq += 1;
    var id = ck.seq;
    setState(ck, "checking");
    ck.ui.result.appendChild(el("p", { className: "fpjc-ck-working", text: "正在读取并校验 " + files.map(function (f) { return f.name; }).join("、") + " …" }));
    Promise.all(files.map(function (f) { return f.arrayBuffer(); })).then(function (buffers) {
      var msg = {
        type: county ? "county" : "check",
        id: id,
        today: ck.ui.today.value || localToday(),
        stage: county ? "submit" : ck.ui.stage.value || "draft",
        settings: ck.settings ? { name: ck.settings.name, buffer: ck.settings.bytes.slice().buffer } : null,
        files: files.map(function (f, i) { return { name: (county && f.webkitRelativePath) || f.name, buffer: buffers[i] }; }),
      };
      ck.fileNames = files.map(function (f) { return f.name; });
      if (ck.ready) send(ck, msg);
      else ck.pending = msg;
    });
  }

  function send(ck, msg) {
    ck.t0 = performance.now();
    ck.worker.postMessage(msg, msg.files.map(function (f) { return f.buffer; }));
  }

  function revokeUrls(ck) {
    ck.urls.forEach(function (u) { URL.revokeObjectURL(u); });
    ck.urls = [];
  }

  function downloadLink(ck, blob, name, label, cls) {
    var url = URL.createObjectURL(blob);
    ck.urls.push(url);
    return el("a", { href: url, download: name, className: cls, text: label });
  }

  function baseName(ck) {
    var first = (ck.fileNames && ck.fileNames[0]) || "报送包";
    return first.replace(/\.[^.]+$/, "");
  }

  function showResult(ck, data, ms) {
    var report = data.report;
    ck.result = data;
    var s = report.summary;
    var box = ck.ui.result;
    box.textContent = "";
    var verdict = el("div", { className: "admonition " + (report.valid ? (s.warning || s.info ? "warning" : "success") : "failure") + " fpjc-ck-summary" }, [
      el("p", { className: "admonition-title", text: data.verdict }),
      el("p", {}, [
        el("span", { className: "fpjc-ck-count fpjc-ck-error", "data-count": "error", text: s.error + "个错误" }), "　",
        el("span", { className: "fpjc-ck-count fpjc-ck-warning", "data-count": "warning", text: s.warning + "个警告" }), "　",
        el("span", { className: "fpjc-ck-count fpjc-ck-info", "data-count": "info", text: s.info + "个提示" }),
      ]),
    ]);
    box.appendChild(verdict);
    var facts = el("ul", { className: "fpjc-ck-facts" });
    data.inputs.forEach(function (line) { facts.appendChild(el("li", { text: "读取：" + line })); });
    var rowText = data.rows.map(function (r) { return r[0] + " " + r[1] + "行"; }).join("，");
    if (rowText) facts.appendChild(el("li", { text: "数据行：" + rowText }));
    var opts = report.options || {};
    facts.appendChild(el("li", { text: "校验日期：" + (opts.today || "今天") + "；校验阶段：" + (STAGES[opts.stage] || opts.stage) + "；个人信息已打码；用时" + (ms / 1000).toFixed(1) + "秒。" }));
    facts.appendChild(el("li", { className: "fpjc-ck-settings-used", text: "设置：" + data.settings_line }));
    // The checks that did not run, in the renderers' words (the county's in one plain line).
    (data.not_run || []).forEach(function (line) {
      facts.appendChild(el("li", { className: "fpjc-ck-not-run", text: line + "。" }));
    });
    box.appendChild(facts);
    if (data.truncated) {
      var cut = el("div", { className: "admonition warning fpjc-ck-truncated" }, [
        el("p", { className: "admonition-title", text: "未逐条列出的问题" }),
        el("p", { text: data.truncated }),
      ]);
      var list = el("ul");
      data.truncated_lines.forEach(function (line) { list.appendChild(el("li", { text: line })); });
      cut.appendChild(list);
      box.appendChild(cut);
    }

    // Downloads, named after the package: the annotated workbook first, then the HTML report
    // (both made after the findings are shown), the JSON report as a small link for programs.
    ck.stem = data.stem || baseName(ck);
    ck.ui.downloads = el("div", { className: "fpjc-ck-downloads" }, [
      (ck.ui.mainDownloads = el("p", {}, [el("span", { className: "fpjc-ck-pending", text: "正在生成标注后的工作簿和 HTML 报告…" })])),
      el("p", { className: "fpjc-ck-json-line" }, [
        downloadLink(ck, new Blob([JSON.stringify(report, null, 2) + "\n"], { type: "application/json" }), ck.stem + ".校验报告.json", "JSON 报告（给其他程序用）", "fpjc-ck-json"),
      ]),
    ]);
    box.appendChild(ck.ui.downloads);

    if (!data.groups.length) {
      box.appendChild(el("p", { className: "fpjc-ck-clean", text: "没有发现任何问题。" }));
    }
    if (data.checklist && data.checklist.length) {
      var list = el("ul", { className: "fpjc-ck-checklist" });
      data.checklist.forEach(function (line) { list.appendChild(el("li", { text: line })); });
      box.appendChild(el("div", { className: "admonition note fpjc-ck-before-submit" }, [
        el("p", { className: "admonition-title", text: "上报前请逐项确认" }), list,
      ]));
    }
    data.groups.forEach(function (g) { box.appendChild(renderGroup(g)); });
  }

  function renderGroup(g) {
    var sev = g.severity_label;
    var kind = { error: "failure", warning: "warning", info: "info" }[g.severity] || "note";
    var head = [g.table];
    if (g.column) head.push("“" + g.column + "”列");
    var node = el("details", { className: "admonition " + kind + " fpjc-ck-group", open: "", "data-rule": g.rule, "data-severity": g.severity, "data-count": String(g.count) }, [
      el("summary", {}, [
        el("strong", { text: sev + " " + g.rule }), (g.title ? " " + g.title : ""), "：" + head.join(" ") + " · 共" + g.count + "处",
      ]),
    ]);
    node.appendChild(el("p", { className: "fpjc-ck-msg", text: g.message }));
    if (g.hint) node.appendChild(el("p", { className: "fpjc-ck-hint", text: "怎么改：" + g.hint }));
    // Columns of the places; a column empty for every place in the group is left out.
    var columns = [
      ["文件 / 工作表", function (f) { return [f.source, f.sheet ? "“" + f.sheet + "”" : null].filter(Boolean).join(" ") || g.table; }],
      ["行", function (f) { return f.row == null ? "" : String(f.row); }],
      ["列", function (f) { return f.column_label || ""; }],
      ["单元格", function (f) { return f.cell || ""; }],
      ["值", function (f) { return f.value == null ? "" : String(f.value); }, "fpjc-ck-value"],
      ["说明", function (f) { return g.same_message ? "" : f.message; }],
    ].filter(function (c) { return g.examples.some(function (f) { return c[1](f) !== ""; }); });
    var table = el("table", { className: "fpjc-ck-table" }, [
      el("thead", {}, [el("tr", {}, columns.map(function (c) { return el("th", { text: c[0] }); }))]),
    ]);
    var body = el("tbody");
    g.examples.forEach(function (f) {
      body.appendChild(el("tr", { className: "fpjc-ck-finding" }, columns.map(function (c) {
        return el("td", c[2] ? { className: c[2], text: c[1](f) } : { text: c[1](f) });
      })));
    });
    table.appendChild(body);
    node.appendChild(table);
    if (g.count > g.examples.length) {
      node.appendChild(el("p", { className: "fpjc-ck-more", text: "另有" + (g.count - g.examples.length) + "处同样的问题，全部位置见下载的报告或标注工作簿。" }));
    }
    if (g.unlisted) node.appendChild(el("p", { className: "fpjc-ck-more fpjc-ck-unlisted", text: g.unlisted }));
    return node;
  }

  function addExports(ck, msg) {
    var box = ck.ui.mainDownloads;
    if (!box) return;
    box.textContent = "";
    if (msg.xlsx) {
      var type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      box.appendChild(downloadLink(ck, new Blob([msg.xlsx], { type: type }), msg.xlsxName, "下载标注后的工作簿", "md-button md-button--primary fpjc-ck-xlsx"));
    }
    box.appendChild(downloadLink(ck, new Blob([msg.html], { type: "text/html;charset=utf-8" }), ck.stem + ".校验报告.html", "下载 HTML 报告（可打印）", "md-button fpjc-ck-html"));
    if (!msg.xlsx) {
      box.appendChild(el("span", { className: "fpjc-ck-note", text: "没有生成标注工作簿：" + (msg.note || "无法标注这些文件") }));
    }
  }

  // --- the county page -------------------------------------------------------------------

  function simpleTable(head, body) {
    var table = el("table", { className: "fpjc-ck-table" }, [
      el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { text: h }); }))]),
    ]);
    var tbody = el("tbody");
    body.forEach(function (row) {
      tbody.appendChild(el("tr", {}, row.map(function (c) { return el("td", { text: String(c) }); })));
    });
    table.appendChild(tbody);
    return table;
  }

  function showCounty(ck, data, ms) {
    ck.result = data;
    var box = ck.ui.result;
    box.textContent = "";
    box.appendChild(el("div", { className: "admonition " + (data.ok ? "success" : "warning") + " fpjc-ck-summary" }, [
      el("p", { className: "admonition-title", text: data.verdict }),
      el("p", { text: "列入研判" + data.households + "户，来自" + data.meeting_packages.length + "个报送包；用时" + (ms / 1000).toFixed(1) + "秒。" }),
    ]));
    var facts = el("ul", { className: "fpjc-ck-facts" });
    data.options.forEach(function (line) { facts.appendChild(el("li", { text: line })); });
    box.appendChild(facts);
    ck.ui.downloads = el("p", { className: "fpjc-ck-downloads" }, [
      downloadLink(ck, new Blob([JSON.stringify(data.rollup, null, 2) + "\n"], { type: "application/json" }), "收件汇总-" + (data.rollup.month || "月份不明") + ".json", "下载 JSON 汇总", "fpjc-ck-json"),
      el("span", { className: "fpjc-ck-pending", text: "正在生成研判工作簿和会议议程…" }),
    ]);
    box.appendChild(ck.ui.downloads);
    if (data.followups.length) {
      box.appendChild(el("h3", { text: "需要跟进" }));
      var todo = el("ul", { className: "fpjc-ck-todo" });
      data.followups.forEach(function (line) { todo.appendChild(el("li", { text: line })); });
      box.appendChild(todo);
    }
    box.appendChild(el("h3", { text: "各乡镇报送情况和户数" }));
    box.appendChild(simpleTable(data.townships.head, data.townships.body));
    box.appendChild(el("h3", { text: "各报送包的校验结果" }));
    box.appendChild(simpleTable(data.packages.head, data.packages.body));
    box.appendChild(ledgerSection(ck));
  }

  // --- the county ledger (台账): opened from disk, updated here, saved back ------------------

  function ledgerSection(ck) {
    var ui = ck.ui;
    ui.ledgerInput = el("input", { type: "file", accept: ".sqlite,.db", className: "fpjc-ck-input fpjc-ck-ledger-input" });
    ui.ledgerText = el("span", { className: "fpjc-ck-ledger-text", text: "（未选择：新建台账）" });
    ui.ledgerAdd = el("button", { type: "button", className: "md-button md-button--primary fpjc-ck-ledger-add" }, ["加入台账"]);
    ui.ledgerResult = el("div", { className: "fpjc-ck-ledger-result" });
    ck.ledgerFile = null;
    ui.ledgerInput.addEventListener("change", function () {
      ck.ledgerFile = ui.ledgerInput.files[0] || null;
      ui.ledgerText.textContent = ck.ledgerFile ? "：" + ck.ledgerFile.name : "（未选择：新建台账）";
    });
    ui.ledgerAdd.addEventListener("click", function () { addToLedger(ck); });
    return el("div", { className: "fpjc-ck-ledger" }, [
      el("h3", { text: "加入台账" }),
      el("p", { className: "fpjc-ck-note", text: "把上面这些报送包（和选中的县级研判记录）加入县里的台账，与 fpjc ledger add 相同。台账文件只在本机浏览器里打开，加入后请下载更新后的台账文件，替换原来的文件保存；不会上传到任何服务器。" }),
      el("p", {}, [
        el("label", { className: "md-button fpjc-ck-pick" }, ["选择台账文件", ui.ledgerInput]), " ", ui.ledgerText, " ", ui.ledgerAdd,
      ]),
      ui.ledgerResult,
    ]);
  }

  function addToLedger(ck) {
    if (ck.busy) {
      showMessage(ck, "info", "正在处理", ["请等上一步完成后再加入台账。"]);
      return;
    }
    clearMessage(ck);
    ck.busy = true;
    ck.seq += 1;
    var id = ck.seq;
    setState(ck, "checking");
    ck.ui.ledgerResult.textContent = "";
    ck.ui.ledgerResult.appendChild(el("p", { className: "fpjc-ck-working", text: "正在加入台账…" }));
    var file = ck.ledgerFile;
    (file ? file.arrayBuffer() : Promise.resolve(null)).then(function (buffer) {
      var msg = {
        type: "ledger",
        id: id,
        today: ck.ui.today.value || localToday(),
        settings: ck.settings ? { name: ck.settings.name, buffer: ck.settings.bytes.slice().buffer } : null,
        ledger: buffer ? { name: file.name, buffer: buffer } : null,
        files: [],
      };
      ck.t0 = performance.now();
      ck.worker.postMessage(msg, buffer ? [buffer] : []);
    });
  }

  function showLedger(ck, data, ms) {
    var box = ck.ui.ledgerResult;
    box.textContent = "";
    if (data.ledger_error || data.settings_error) {
      box.appendChild(el("div", { className: "admonition failure" }, [
        el("p", { className: "admonition-title", text: data.ledger_error ? "台账文件不能使用" : "县设置文件不能使用" }),
        el("p", { text: data.ledger_error || data.settings_error }),
      ]));
      return;
    }
    box.appendChild(el("div", { className: "admonition " + (data.ok ? "success" : "warning") + " fpjc-ck-ledger-summary" },
      [el("p", { className: "admonition-title", text: data.lines[0] })].concat(
        data.lines.slice(1).map(function (line) { return el("p", { text: line }); })).concat(
        [el("p", { text: "用时" + (ms / 1000).toFixed(1) + "秒。" })])));
    ck.ui.ledgerDownloads = el("p", { className: "fpjc-ck-downloads fpjc-ck-ledger-downloads" }, [
      el("span", { className: "fpjc-ck-pending", text: "正在准备更新后的台账文件…" }),
    ]);
    var names = { status: "各乡镇报送情况", stock: "监测户清单", overdue: "逾期事项" };
    Object.keys(names).forEach(function (q) {
      ck.ui.ledgerDownloads.appendChild(downloadLink(ck, new Blob([data.pages[q]], { type: "text/html;charset=utf-8" }),
        names[q] + ".html", "下载" + names[q] + "（网页）", "fpjc-ck-ledger-" + q));
    });
    box.appendChild(ck.ui.ledgerDownloads);
    box.appendChild(el("h4", { text: "逐个报送包" }));
    box.appendChild(simpleTable(data.entries.head, data.entries.body.map(function (row) {
      return row.map(function (c) { return c === null ? "" : c; });
    })));
    Object.keys(names).forEach(function (q) {
      box.appendChild(el("h4", { text: names[q] }));
      box.appendChild(el("iframe", { className: "fpjc-ck-ledger-page fpjc-ck-ledger-page-" + q, srcdoc: data.pages[q], title: names[q], sandbox: "" }));
    });
  }

  function addLedgerExport(ck, msg) {
    var box = ck.ui.ledgerDownloads;
    if (!box) return;
    var pending = box.querySelector(".fpjc-ck-pending");
    if (pending) pending.remove();
    box.insertBefore(downloadLink(ck, new Blob([msg.db], { type: "application/vnd.sqlite3" }), msg.name, "下载更新后的台账文件", "fpjc-ck-ledger-file"), box.firstChild);
  }

  function addCountyExports(ck, msg) {
    var box = ck.ui.downloads;
    if (!box) return;
    var pending = box.querySelector(".fpjc-ck-pending");
    if (pending) pending.remove();
    var type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    box.insertBefore(downloadLink(ck, new Blob([msg.summary], { type: "text/html;charset=utf-8" }), msg.summaryName, "下载收件汇总（网页）", "fpjc-ck-summary-html"), box.firstChild);
    box.insertBefore(downloadLink(ck, new Blob([msg.agenda], { type: "text/html;charset=utf-8" }), msg.agendaName, "下载研判会议议程", "fpjc-ck-agenda"), box.firstChild);
    box.insertBefore(downloadLink(ck, new Blob([msg.xlsx], { type: type }), msg.xlsxName, "下载县级研判工作簿", "fpjc-ck-meeting"), box.firstChild);
  }

  function unmount(ck) {
    stopTimers(ck);
    if (ck.worker) ck.worker.terminate();
    revokeUrls(ck);
    if (current === ck) current = null;
  }

  // Called on first load and after every instant navigation.
  function onPage() {
    var root = document.getElementById("fpjc-checker");
    if (current && current.root !== root) unmount(current);
    if (root && (!current || current.root !== root)) mount(root);
  }

  // Material's document$ (instant navigation) replays the current page on subscribe; the script
  // may run before Material's bundle when the page itself includes it, so look once the DOM is read.
  function hook() {
    var doc$ = window.document$;
    if (doc$ && typeof doc$.subscribe === "function") doc$.subscribe(onPage);
    else onPage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", hook);
  else hook();
})();
