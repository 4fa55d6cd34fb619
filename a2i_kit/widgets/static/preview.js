// a2i-kit widgets: the task preview (sandboxed iframe + test-submit result). Needs common.js.

/** Mount a preview bound to srcdoc / render_error / answer* traits. Returns {node, frame, stop}. */
function a2iMountPreview(model, errors, { title = "Task preview", showAnswer = true } = {}) {
  const frame = a2iTaskFrame(title, model.get("frame_height"));
  const renderError = a2iEl("div", { class: "a2i-render-error", role: "alert", hidden: true });
  const status = a2iEl("span", { class: "a2i-answer-status", "aria-live": "polite" });
  const answerJson = a2iEl("pre", { class: "a2i-answer-json", tabindex: "0", "aria-label": "Submitted answerContent" });
  const problems = a2iEl("ul", { class: "a2i-answer-problems" });
  const reset = a2iEl("button", { class: "a2i-button", type: "button", title: "Reload the preview (clears the answer)" }, "Reset preview");
  const answerBox = a2iEl("div", { class: "a2i-answer", hidden: true },
    a2iEl("div", { class: "a2i-answer-head" }, a2iEl("strong", {}, "Test submit "), status), answerJson, problems);
  const node = a2iEl("div", { class: "a2i-preview" }, renderError, frame,
    a2iEl("div", { class: "a2i-toolbar" }, reset), showAnswer ? answerBox : null);

  const fit = a2iFrameSizer(frame, model);
  const load = () => {
    frame.removeAttribute("data-ready");
    frame.removeAttribute("data-size-runaway");
    frame.srcdoc = model.get("srcdoc") || "<!doctype html><p style='font-family:sans-serif;color:#777'>Nothing to show yet.</p>";
  };
  const showRenderError = () => {
    const msg = model.get("render_error");
    renderError.textContent = msg ? `Template error — ${msg}` : "";
    renderError.hidden = !msg;
  };
  const showAnswerState = () => {
    const answer = model.get("answer");
    answerBox.hidden = answer === null || answer === undefined;
    answerJson.textContent = answer ? JSON.stringify(answer, null, 2) : "";
    const ok = model.get("answer_ok");
    status.textContent = ok === true ? "✓ matches the template's answer shape" : ok === false ? "✗ does not match the answer shape" : "";
    status.className = "a2i-answer-status " + (ok === true ? "a2i-ok" : ok === false ? "a2i-bad" : "");
    problems.replaceChildren(...(model.get("answer_problems") || []).map((p) => a2iEl("li", {}, p)));
  };
  const resize = () => {
    if (model.get("auto_height") === false || !frame.hasAttribute("data-content-height")) frame.style.height = `${model.get("frame_height")}px`;
  };

  const unwatch = [
    a2iWatch(model, ["srcdoc"], load),
    a2iWatch(model, ["render_error"], showRenderError),
    a2iWatch(model, ["answer", "answer_ok", "answer_problems"], showAnswerState),
    a2iWatch(model, ["frame_height", "auto_height"], resize),
  ];
  reset.addEventListener("click", load);
  const stopFrame = a2iListenFrame(frame, (data) => {
    if (fit(data)) return;
    if (data.type === "a2i-kit:ready") frame.setAttribute("data-ready", "");
    else if (data.type === "a2i-kit:submit") {
      a2iTry(errors, () => a2iRequest(model, "submit", { answerContent: data.answerContent }));
    } else if (data.type === "a2i-kit:error") {
      errors.show(`Error in the task page: ${data.message}`);
      a2iRequest(model, "page_error", { message: data.message }).catch(() => {});
    }
  });
  return { node, frame, load, stop: () => { unwatch.forEach((f) => f()); stopFrame(); } };
}
