// a2i-kit TemplateDesigner: textarea editor with line numbers, sample input, findings, live preview.

const LINE_PX = 18;

function lineStart(text, line) {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const gutter = a2iEl("pre", { class: "a2i-gutter", "aria-hidden": "true" });
  const code = a2iEl("textarea", { class: "a2i-code", spellcheck: "false", wrap: "off",
    "aria-label": "Template source (Liquid + HTML)", autocomplete: "off" });
  const editor = a2iEl("div", { class: "a2i-editor" }, gutter, code);
  const source = a2iEl("select", { class: "a2i-field", "aria-label": "Sample input source" });
  const sample = a2iEl("textarea", { class: "a2i-field a2i-sample", spellcheck: "false",
    "aria-label": "Sample task.input (JSON)" });
  const findings = a2iEl("ul", { class: "a2i-findings", "aria-label": "Lint findings" });
  const findingsTitle = a2iEl("div", { class: "a2i-findings-title" });
  const path = a2iEl("input", { class: "a2i-field", type: "text", placeholder: "templates/review.html", "aria-label": "File to save to", size: "28" });
  const save = a2iEl("button", { class: "a2i-button", type: "button" }, "Save");
  const name = a2iEl("input", { class: "a2i-field", type: "text", placeholder: "task-ui-name", "aria-label": "Task UI base name", size: "20" });
  const register = a2iEl("button", { class: "a2i-button a2i-primary", type: "button", title: "CreateHumanTaskUi (a changed template gets <name>-v2, -v3 …)" }, "Register");
  const status = a2iEl("span", { class: "a2i-muted a2i-status", "aria-live": "polite" });
  const preview = a2iMountPreview(model, errors, { title: "Template preview" });

  a2iRoot(el, "a2i-template-designer");
  el.replaceChildren(
    a2iEl("div", { class: "a2i-toolbar" }, path, save, name, register, status),
    errors.box,
    a2iEl("div", { class: "a2i-designer-grid" },
      a2iEl("div", { class: "a2i-designer-left" }, editor,
        a2iEl("div", { class: "a2i-toolbar" }, a2iEl("label", { class: "a2i-label" }, "Sample input", source)),
        sample, findingsTitle, findings),
      preview.node));

  // --- editor -------------------------------------------------------------------------
  const flagged = () => new Set((model.get("findings") || []).filter((f) => f.severity === "error").map((f) => f.line));
  const drawGutter = () => {
    const count = code.value.split("\n").length;
    const bad = flagged();
    gutter.replaceChildren(...Array.from({ length: count }, (_, i) =>
      a2iEl("span", { class: bad.has(i + 1) ? "a2i-line-flag" : "" }, `${i + 1}\n`)));
    gutter.scrollTop = code.scrollTop;
  };
  const pushTemplate = a2iDebounce(() => {
    model.set("template", code.value);
    model.save_changes();
  }, model.get("debounce_ms"));
  const pullTemplate = () => {
    if (code.value !== model.get("template") && !(document.activeElement === code && pending.template)) {
      code.value = model.get("template");
      drawGutter();
    }
  };
  const pending = { template: false, sample: false };
  code.addEventListener("input", () => {
    pending.template = true;
    drawGutter();
    pushTemplate();
    setTimeout(() => { pending.template = false; }, model.get("debounce_ms") + 50);
  });
  code.addEventListener("scroll", () => { gutter.scrollTop = code.scrollTop; });
  code.addEventListener("keydown", (e) => {
    if (e.key === "s" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.stopPropagation(); doSave(); }
  });

  const jumpTo = (line, column) => {
    const start = lineStart(code.value, line) + Math.max((column || 1) - 1, 0);
    code.focus();
    code.setSelectionRange(start, start);
    code.scrollTop = Math.max(0, (line - 3) * LINE_PX);
    gutter.scrollTop = code.scrollTop;
    el.setAttribute("data-jumped-line", String(line));
  };

  // --- sample -------------------------------------------------------------------------
  const drawSources = () => {
    const choices = ["custom", ...(model.get("sample_choices") || [])];
    source.replaceChildren(...choices.map((c) => a2iEl("option", { value: c },
      c === "skeleton" ? "inferred skeleton" : c === "custom" ? "custom (edited)" : `built-in: ${c}`)));
    source.value = model.get("sample_source");
  };
  source.addEventListener("change", () => { model.set("sample_source", source.value); model.save_changes(); });
  const pushSample = a2iDebounce(() => {
    model.set("sample_text", sample.value);
    model.set("sample_source", "custom");
    model.save_changes();
  }, model.get("debounce_ms"));
  sample.addEventListener("input", () => { pending.sample = true; pushSample(); setTimeout(() => { pending.sample = false; }, model.get("debounce_ms") + 50); });
  const pullSample = () => {
    if (sample.value !== model.get("sample_text") && !(document.activeElement === sample && pending.sample)) sample.value = model.get("sample_text");
  };

  // --- findings -----------------------------------------------------------------------
  const drawFindings = () => {
    const list = model.get("findings") || [];
    const errorsCount = list.filter((f) => f.severity === "error").length;
    findingsTitle.textContent = list.length ? `Findings: ${errorsCount} error(s), ${list.length - errorsCount} other` : "Findings: none";
    findings.replaceChildren(...list.map((f) => a2iEl("li", { class: `a2i-finding a2i-sev-${f.severity}` },
      a2iEl("button", { type: "button", title: f.hint || "Jump to this line", onclick: () => jumpTo(f.line, f.column) },
        `${f.line}:${f.column} ${f.severity} [${f.code}] ${f.message}`))));
    drawGutter();
  };

  // --- save / register ----------------------------------------------------------------
  const doSave = () => a2iTry(errors, () => a2iRequest(model, "save", { path: path.value.trim() }));
  save.addEventListener("click", doSave);
  register.addEventListener("click", () => a2iTry(errors, async () => {
    pushTemplate.cancel();
    model.set("template", code.value);
    model.save_changes();
    return a2iRequest(model, "register", { name: name.value.trim() });
  }));

  const unwatch = [
    a2iWatch(model, ["template"], pullTemplate),
    a2iWatch(model, ["sample_text"], pullSample),
    a2iWatch(model, ["sample_choices", "sample_source"], drawSources),
    a2iWatch(model, ["findings"], drawFindings),
    a2iWatch(model, ["path"], () => { if (document.activeElement !== path) path.value = model.get("path"); }),
    a2iWatch(model, ["task_ui_name"], () => { if (document.activeElement !== name) name.value = model.get("task_ui_name"); }),
    a2iWatch(model, ["status"], () => { status.textContent = model.get("status"); }),
  ];
  return () => { unwatch.forEach((f) => f()); preview.stop(); errors.stop(); pushTemplate.cancel(); pushSample.cancel(); };
}

export default { render };
