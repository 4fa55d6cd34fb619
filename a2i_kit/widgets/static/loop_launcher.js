// a2i-kit LoopLauncher: routing controls, live dry run, ledger-aware launch with progress.

function a2iMoney(x) { return `$${Number(x || 0).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`; }

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const flow = a2iEl("select", { class: "a2i-field", "aria-label": "Flow definition" });
  const dataset = a2iEl("select", { class: "a2i-field a2i-dataset", "aria-label": "Predictions" });
  const reloadFlows = a2iEl("button", { class: "a2i-button", type: "button", title: "Reload the list of flow definitions" }, "↻");
  const threshold = a2iEl("input", { type: "range", min: "0", max: "1", step: "0.01", class: "a2i-threshold", "aria-label": "Confidence threshold" });
  const thresholdOut = a2iEl("output", { class: "a2i-threshold-value" });
  const audit = a2iEl("input", { type: "range", min: "0", max: "50", step: "0.5", class: "a2i-audit", "aria-label": "Audit percent of confident items" });
  const auditOut = a2iEl("output", { class: "a2i-audit-value" });
  const maxItems = a2iEl("input", { type: "number", min: "0", step: "1", class: "a2i-field a2i-budget-items", placeholder: "no cap", "aria-label": "Budget: max items" });
  const maxCost = a2iEl("input", { type: "number", min: "0", step: "0.01", class: "a2i-field a2i-budget-cost", placeholder: "no cap", "aria-label": "Budget: max cost in USD" });
  const card = (cls, label) => {
    const num = a2iEl("span", { class: `a2i-num ${cls}` });
    return [a2iEl("div", { class: "a2i-card" }, num, a2iEl("span", { class: "a2i-muted" }, label)), num];
  };
  const [itemsCard, itemsNum] = card("a2i-n-items", "items");
  const [reviewCard, reviewNum] = card("a2i-n-review", "to review");
  const [auditCard, auditNum] = card("a2i-n-audit", "audit");
  const [costCard, costNum] = card("a2i-cost", "expected cost");
  const [hoursCard, hoursNum] = card("a2i-hours", "reviewer hours");
  const reasons = a2iEl("table", { class: "a2i-table a2i-reasons" });
  const ledgerLine = a2iEl("div", { class: "a2i-ledger", "aria-live": "polite" });
  const launch = a2iEl("button", { class: "a2i-button a2i-primary a2i-launch", type: "button" }, "Launch");
  const bar = a2iEl("progress", { class: "a2i-progress", max: "1", value: "0", hidden: true, "aria-label": "Launch progress" });
  const launchStatus = a2iEl("span", { class: "a2i-launch-status a2i-muted", "aria-live": "polite" });
  const confirmText = a2iEl("span", { class: "a2i-confirm-text" });
  const confirmYes = a2iEl("button", { class: "a2i-button a2i-primary a2i-confirm-yes", type: "button" }, "Start");
  const confirmNo = a2iEl("button", { class: "a2i-button a2i-confirm-no", type: "button" }, "Cancel");
  const confirmBox = a2iEl("div", { class: "a2i-confirm", role: "alertdialog", "aria-label": "Confirm paid launch", hidden: true },
    confirmText, a2iEl("div", { class: "a2i-toolbar" }, confirmYes, confirmNo));

  a2iRoot(el, "a2i-loop-launcher");
  el.replaceChildren(
    a2iEl("div", { class: "a2i-toolbar" }, a2iEl("label", { class: "a2i-label" }, "Flow definition", flow), reloadFlows,
      a2iEl("label", { class: "a2i-label" }, "Predictions", dataset)),
    a2iEl("div", { class: "a2i-controls" },
      a2iEl("label", { }, "Threshold"), threshold, thresholdOut,
      a2iEl("label", { }, "Audit % of confident"), audit, auditOut,
      a2iEl("label", { }, "Budget: max items"), maxItems, a2iEl("span"),
      a2iEl("label", { }, "Budget: max cost (USD)"), maxCost, a2iEl("span")),
    a2iEl("div", { class: "a2i-cards" }, itemsCard, reviewCard, auditCard, costCard, hoursCard),
    reasons, ledgerLine, errors.box,
    a2iEl("div", { class: "a2i-toolbar" }, launch, launchStatus), confirmBox, bar);

  // controls -> model (throttled so dragging stays smooth; the last value always lands)
  const pushers = {};
  const push = (name, value) => {
    pushers[name] ||= a2iDebounce((v) => { model.set(name, v); model.save_changes(); }, 120);
    pushers[name](value);
  };
  const pushNow = (name, value) => { model.set(name, value); model.save_changes(); };
  threshold.addEventListener("input", () => { thresholdOut.value = Number(threshold.value).toFixed(2); push("threshold", Number(threshold.value)); });
  audit.addEventListener("input", () => { auditOut.value = `${audit.value}%`; push("audit_rate", Number(audit.value) / 100); });
  const numberOrNull = (input, integer) => {
    if (input.value.trim() === "") return null;
    const v = Number(input.value);
    return Number.isFinite(v) && v >= 0 ? (integer ? Math.floor(v) : v) : undefined;
  };
  maxItems.addEventListener("change", () => { const v = numberOrNull(maxItems, true); if (v !== undefined) pushNow("budget_items", v); else errors.show("Budget: max items must be a whole number ≥ 0, or empty for no cap"); });
  maxCost.addEventListener("change", () => { const v = numberOrNull(maxCost, false); if (v !== undefined) pushNow("budget_cost", v); else errors.show("Budget: max cost must be a number ≥ 0, or empty for no cap"); });
  flow.addEventListener("change", () => pushNow("flow_definition", flow.value));
  dataset.addEventListener("change", () => pushNow("dataset", dataset.value));
  reloadFlows.addEventListener("click", () => a2iTry(errors, () => a2iRequest(model, "refresh_flows")));
  // Paid loops: the kernel answers {confirm, new, cost, why} first; Start sends the same count back.
  let asked = null;
  const hideConfirm = () => { confirmBox.hidden = true; asked = null; };
  launch.addEventListener("click", () => a2iTry(errors, async () => {
    const reply = await a2iRequest(model, "launch", {}, 3600000);
    if (reply && reply.confirm) {
      asked = reply;
      confirmText.textContent = `Start ${reply.new} paid loop${reply.new === 1 ? "" : "s"} on AWS? Expected cost ${a2iMoney(reply.cost)} (${reply.why}).`;
      confirmYes.textContent = `Start ${reply.new} paid loop${reply.new === 1 ? "" : "s"} (${a2iMoney(reply.cost)})`;
      confirmBox.hidden = false;
      confirmNo.focus();
    }
    return reply;
  }));
  confirmYes.addEventListener("click", () => {
    const payload = { confirmed: true, new: asked ? asked.new : -1 };
    hideConfirm();
    a2iTry(errors, async () => {
      const reply = await a2iRequest(model, "launch", payload, 3600000);
      if (reply && reply.confirm) errors.show("The number of new loops changed: check it and press Launch again.");
      return reply;
    });
  });
  confirmNo.addEventListener("click", hideConfirm);

  // model -> view
  const drawFlows = () => {
    const flows = model.get("flows") || [];
    flow.replaceChildren(...(flows.length ? flows.map((f) => a2iEl("option", { value: f.arn }, `${f.name} (${f.status})`))
      : [a2iEl("option", { value: "" }, "no Active flow definition")]));
    flow.value = model.get("flow_definition");
  };
  const drawDatasets = () => {
    dataset.replaceChildren(...(model.get("datasets") || []).map((d) => a2iEl("option", { value: d }, d)));
    dataset.value = model.get("dataset");
    dataset.disabled = (model.get("datasets") || []).length < 2;
  };
  const drawControls = () => {
    if (document.activeElement !== threshold) threshold.value = model.get("threshold");
    thresholdOut.value = Number(model.get("threshold")).toFixed(2);
    if (document.activeElement !== audit) audit.value = model.get("audit_rate") * 100;
    auditOut.value = `${+(model.get("audit_rate") * 100).toFixed(2)}%`;
    if (document.activeElement !== maxItems) maxItems.value = model.get("budget_items") ?? "";
    if (document.activeElement !== maxCost) maxCost.value = model.get("budget_cost") ?? "";
  };
  const drawDry = () => {
    const d = model.get("dry") || {};
    itemsNum.textContent = (d.n_items ?? 0).toLocaleString();
    reviewNum.textContent = (d.n_review ?? 0).toLocaleString();
    auditNum.textContent = (d.n_audit ?? 0).toLocaleString();
    costNum.textContent = a2iMoney(d.expected_cost);
    hoursNum.textContent = Number(d.reviewer_hours || 0).toFixed(2);
    const rows = Object.entries(d.counts || {});
    reasons.replaceChildren(a2iEl("tr", {}, a2iEl("th", {}, "reason"), a2iEl("th", {}, "items")),
      ...rows.map(([r, n]) => a2iEl("tr", { "data-reason": r }, a2iEl("td", {}, r.replaceAll("_", " ")), a2iEl("td", {}, n.toLocaleString()))));
    el.setAttribute("data-n-review", String(d.n_review ?? 0));
  };
  const drawLedger = () => {
    const l = model.get("ledger_counts") || {};
    ledgerLine.textContent = `${l.already ?? 0} already launched · ${l.new ?? 0} new`;
    const paid = model.get("paid") || {};
    launch.textContent = l.new ? `Launch ${l.new} new ${paid.per_loop ? "paid " : ""}loop${l.new === 1 ? "" : "s"}` : "Nothing new to launch";
    if (asked && asked.new !== l.new) hideConfirm();  // the numbers asked about no longer hold
    launch.disabled = model.get("launching") || !l.new || !model.get("flow_definition");
  };
  const drawProgress = () => {
    const p = model.get("progress") || {};
    const running = model.get("launching");
    bar.hidden = !p.total;
    bar.max = Math.max(p.total || 0, 1);
    bar.value = p.done || 0;
    const last = model.get("last_launch") || {};
    launchStatus.textContent = running ? `Launching… ${p.done || 0}/${p.total || 0}`
      : last.started !== undefined ? `Last launch: ${last.started} started, ${last.already_launched} already launched, ${last.failed} failed` : "";
    el.toggleAttribute("data-launching", running);
    drawLedger();
  };
  const unwatch = [
    a2iWatch(model, ["flows", "flow_definition"], drawFlows),
    a2iWatch(model, ["datasets", "dataset"], drawDatasets),
    a2iWatch(model, ["threshold", "audit_rate", "budget_items", "budget_cost"], drawControls),
    a2iWatch(model, ["dry"], drawDry),
    a2iWatch(model, ["ledger_counts", "paid"], drawLedger),
    a2iWatch(model, ["progress", "launching", "last_launch"], drawProgress),
  ];
  return () => { unwatch.forEach((f) => f()); errors.stop(); Object.values(pushers).forEach((p) => p.cancel()); };
}

export default { render };
