// a2i-kit TemplateDesigner: CodeMirror 6 editor (codemirror.js, HTML + Liquid highlighting, lint
// markers on the findings' lines), sample input, findings, live preview. Needs codemirror.js,
// common.js and preview.js in front of it.

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const editorBox = a2iEl("div", { class: "a2i-editor" });
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
      a2iEl("div", { class: "a2i-designer-left" }, editorBox,
        a2iEl("div", { class: "a2i-toolbar" }, a2iEl("label", { class: "a2i-label" }, "Sample input", source)),
        sample, findingsTitle, findings),
      preview.node));

  // --- editor -------------------------------------------------------------------------
  const pending = { template: false, sample: false };
  let applying = false;  // a change from the kernel, not from the person typing
  const pushTemplate = a2iDebounce(() => {
    model.set("template", editor.getText());
    model.save_changes();
  }, model.get("debounce_ms"));
  const editor = A2ICodeMirror.createEditor({
    parent: editorBox,
    text: model.get("template"),
    label: "Template source (Liquid + HTML)",
    onChange: () => {
      if (applying) return;
      pending.template = true;
      pushTemplate();
      setTimeout(() => { pending.template = false; }, model.get("debounce_ms") + 50);
    },
    onSave: () => doSave(),
  });
  const pullTemplate = () => {
    const focused = editorBox.contains(document.activeElement);
    if (editor.getText() !== model.get("template") && !(focused && pending.template)) {
      applying = true;
      editor.setText(model.get("template"));
      applying = false;
    }
  };
  const jumpTo = (line, column) => {
    editor.jumpTo(line, column);
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
    editor.setFindings(list);
  };

  // --- save / register ----------------------------------------------------------------
  const doSave = () => a2iTry(errors, () => a2iRequest(model, "save", { path: path.value.trim() }));
  save.addEventListener("click", doSave);
  register.addEventListener("click", () => a2iTry(errors, async () => {
    pushTemplate.cancel();
    model.set("template", editor.getText());
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
  return () => {
    unwatch.forEach((f) => f()); preview.stop(); errors.stop(); pushTemplate.cancel(); pushSample.cancel(); editor.destroy();
  };
}

export default { render };
