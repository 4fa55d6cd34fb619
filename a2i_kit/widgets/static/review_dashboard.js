// a2i-kit ReviewDashboard: status cards, progress over time (inline SVG), agreement, charts, export.

const A2I_STATUS = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"];
const A2I_SVG = "http://www.w3.org/2000/svg";

function a2iSvg(tag, attrs = {}) {
  const node = document.createElementNS(A2I_SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** Clock time of a timestamp (ms) for the time axis: HH:MM:SS, or the date too across days. */
function a2iClock(t, withDate) {
  const d = new Date(t);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return withDate ? `${d.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}` : time;
}

/** Completed and InProgress over time: two lines on a time axis (clock ticks) and a count axis. */
function a2iHistoryChart(history) {
  const w = 460, h = 170, left = 34, right = 30, top = 22, bottom = 38;
  const svg = a2iSvg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", class: "a2i-history",
    "aria-label": "Loops completed and in progress over time" });
  if (!history.length) return svg;
  const points = history.length === 1 ? [history[0], { ...history[0], t: history[0].t + 1000 }] : history;
  const t0 = points[0].t, t1 = points[points.length - 1].t;
  const most = Math.max(1, ...points.map((p) => Math.max(p.Completed, p.InProgress, p.total || 0)));
  const x = (t) => left + ((t - t0) / Math.max(t1 - t0, 1)) * (w - left - right);
  const y = (v) => h - bottom - (v / most) * (h - top - bottom);
  const text = (attrs, content) => { const node = a2iSvg("text", { "font-size": 10, fill: "currentColor", ...attrs }); node.textContent = content; svg.append(node); return node; };
  // axes: counts on the left (0 and the maximum), clock time below (start, middle, end)
  svg.append(a2iSvg("line", { x1: left, y1: y(0), x2: w - right, y2: y(0), stroke: "currentColor", "stroke-opacity": 0.5 }));
  svg.append(a2iSvg("line", { x1: left, y1: top, x2: left, y2: y(0), stroke: "currentColor", "stroke-opacity": 0.5 }));
  for (const v of most > 1 ? [0, most] : [0, 1]) text({ x: left - 4, y: y(v) + 3, "text-anchor": "end", class: "a2i-y-tick" }, String(v));
  const days = new Date(t0).toDateString() !== new Date(t1).toDateString();
  const ticks = t1 - t0 >= 2000 ? [t0, (t0 + t1) / 2, t1] : [t0];
  ticks.forEach((t, i) => {
    svg.append(a2iSvg("line", { x1: x(t), y1: y(0), x2: x(t), y2: y(0) + 4, stroke: "currentColor", "stroke-opacity": 0.5 }));
    text({ x: x(t), y: y(0) + 14, "text-anchor": i === 0 ? "start" : i === ticks.length - 1 ? "end" : "middle", class: "a2i-x-tick" }, a2iClock(t, days));
  });
  text({ x: (left + w - right) / 2, y: h - 4, "text-anchor": "middle", class: "a2i-x-label" }, "time (your clock)");
  text({ x: 4, y: 12, class: "a2i-y-label" }, "loops");
  for (const [key, color, name] of [["InProgress", "#b45309", "in progress"], ["Completed", "#15803d", "completed"]]) {
    svg.append(a2iSvg("polyline", { fill: "none", stroke: color, "stroke-width": 2, "data-series": key,
      points: points.map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`).join(" ") }));
    const last = points[points.length - 1];
    text({ x: w - right + 3, y: y(last[key]) + 4, fill: color }, String(last[key]));
    text({ x: key === "InProgress" ? left + 110 : left + 6, y: 12, fill: color }, `— ${name}`);
  }
  return svg;
}

function a2iDownload(payload) {
  const bytes = Uint8Array.from(atob(payload.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: payload.mime }));
  const link = a2iEl("a", { href: url, download: payload.filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const title = a2iEl("span", { class: "a2i-queue-title" });
  const updated = a2iEl("span", { class: "a2i-muted a2i-updated", "aria-live": "polite" });
  const refresh = a2iEl("button", { class: "a2i-button", type: "button" }, "Refresh");
  const cards = a2iEl("div", { class: "a2i-cards a2i-status-cards" });
  const progress = a2iEl("progress", { class: "a2i-progress", max: "1", value: "0", "aria-label": "Loops completed" });
  const history = a2iEl("div", { class: "a2i-history-box" });
  const agreement = a2iEl("div", { class: "a2i-agreement" });
  const charts = a2iEl("div", { class: "a2i-charts" });
  const format = a2iEl("select", { class: "a2i-field", "aria-label": "Export format" },
    a2iEl("option", { value: "csv" }, "CSV"), a2iEl("option", { value: "parquet" }, "Parquet"));
  const folder = a2iEl("input", { class: "a2i-field", type: "text", size: "30", "aria-label": "Export folder" });
  const save = a2iEl("button", { class: "a2i-button a2i-export", type: "button" }, "Save frames");
  const downloads = a2iEl("span", { class: "a2i-downloads" });
  const exportStatus = a2iEl("span", { class: "a2i-muted a2i-export-status", "aria-live": "polite" });

  a2iRoot(el, "a2i-review-dashboard");
  el.replaceChildren(
    a2iEl("div", { class: "a2i-queue-head" }, title, a2iEl("span", {}, updated, " ", refresh)),
    errors.box, cards, progress, history, agreement, charts,
    a2iEl("div", { class: "a2i-toolbar" }, "Export", format, folder, save, downloads, exportStatus));

  let pending = false;
  const ask = async (payload) => {
    if (pending) return;
    pending = true;
    el.setAttribute("data-busy", "");
    await a2iTry(errors, () => a2iRequest(model, "refresh", payload));
    pending = false;
    el.removeAttribute("data-busy");
  };
  refresh.addEventListener("click", () => ask({}));
  save.addEventListener("click", () => a2iTry(errors, () => a2iRequest(model, "export", { format: format.value, folder: folder.value.trim() })));
  for (const frame of ["loops", "answers", "joined"]) {
    downloads.append(a2iEl("button", { class: "a2i-button", type: "button", "data-frame": frame,
      onclick: () => a2iTry(errors, async () => a2iDownload(await a2iRequest(model, "download", { frame }))) }, `${frame}.csv`));
  }

  let timer = null;
  const schedule = () => {
    clearInterval(timer);
    const seconds = model.get("interval");
    if (seconds > 0) timer = setInterval(() => ask({ poll: true }), seconds * 1000);
  };
  const drawCounts = () => {
    const c = model.get("counts") || {};
    title.textContent = `Review status — ${model.get("flow_name")}`;
    cards.replaceChildren(...[...A2I_STATUS, "total"].map((s) => a2iEl("div", { class: "a2i-card", "data-status": s },
      a2iEl("span", { class: "a2i-num" }, String(c[s] ?? 0)), a2iEl("span", { class: "a2i-muted" }, s === "InProgress" ? "in progress" : s.toLowerCase()))));
    progress.max = Math.max(c.total || 0, 1);
    progress.value = (c.Completed || 0) + (c.Failed || 0) + (c.Stopped || 0);
    el.setAttribute("data-completed", String(c.Completed ?? 0));
  };
  const drawAgreement = () => {
    const a = model.get("agreement") || {};
    const n = model.get("n_answers");
    if (a.n === undefined) {
      agreement.textContent = `${n} answer(s) so far` + (n ? "" : " — charts appear with the first answers");
      return;
    }
    const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
    agreement.replaceChildren(a2iEl("table", { class: "a2i-table" },
      a2iEl("tr", {}, a2iEl("th", {}, "answers"), a2iEl("th", {}, "model = reviewer"), a2iEl("th", {}, "override rate"), a2iEl("th", {}, "Cohen's κ")),
      a2iEl("tr", {}, a2iEl("td", {}, String(a.n)), a2iEl("td", { class: "a2i-agreement-rate" }, pct(a.agreement),
        a.interval ? a2iEl("span", { class: "a2i-muted a2i-interval" }, ` (${a.interval})`) : null),
        a2iEl("td", {}, pct(a.override_rate)),
        a2iEl("td", a.note ? { title: a.note } : {}, a.kappa === null || a.kappa === undefined ? "undefined" : a.kappa.toFixed(3)))),
      ...(a.note ? [a2iEl("p", { class: "a2i-note" }, a.note)] : []));
  };
  const drawCharts = () => {
    charts.replaceChildren(...(model.get("charts") || []).map((c) => a2iEl("figure", { "data-chart": c.name, style: "margin:0" },
      a2iEl("img", { src: c.src, alt: c.title }))));
  };
  const unwatch = [
    a2iWatch(model, ["counts", "flow_name"], drawCounts),
    a2iWatch(model, ["history"], () => history.replaceChildren(a2iHistoryChart(model.get("history") || []))),
    a2iWatch(model, ["agreement", "n_answers"], drawAgreement),
    a2iWatch(model, ["charts"], drawCharts),
    a2iWatch(model, ["updated"], () => { updated.textContent = model.get("updated") ? `updated ${model.get("updated").replace("T", " ")}` : ""; }),
    a2iWatch(model, ["interval"], schedule),
    a2iWatch(model, ["export_dir"], () => { if (document.activeElement !== folder) folder.value = model.get("export_dir"); }),
    a2iWatch(model, ["status"], () => { exportStatus.textContent = model.get("status"); }),
  ];
  return () => { clearInterval(timer); unwatch.forEach((f) => f()); errors.stop(); };
}

export default { render };
