// a2i-kit ReviewQueue: the task page in a sandboxed iframe; answers go to the kernel, which submits.

function render({ model, el }) {
  const errors = a2iErrorBox(model);
  const title = a2iEl("span", { class: "a2i-queue-title" });
  const counts = a2iEl("span", { class: "a2i-queue-counts a2i-muted", "aria-live": "polite" });
  const progress = a2iEl("progress", { class: "a2i-progress", max: "1", value: "0", "aria-label": "Review progress" });
  const description = a2iEl("div", { class: "a2i-muted a2i-queue-description" });
  const frame = a2iTaskFrame("Task to review", model.get("frame_height"));
  const skip = a2iEl("button", { class: "a2i-button", type: "button", "aria-keyshortcuts": "Escape",
    title: "Skip: release this task so someone else can take it (Esc inside the task)" }, "Skip");
  const refresh = a2iEl("button", { class: "a2i-button", type: "button", title: "Look for new tasks" }, "Refresh");
  const hint = a2iEl("span", { class: "a2i-muted" }, "Keys in the task: 1–9/0 pick · Enter submits · Esc skips");
  const doneBox = a2iEl("div", { class: "a2i-done", hidden: true, tabindex: "-1" });
  const heldText = a2iEl("span", { "aria-live": "polite" });
  const undo = a2iEl("button", { class: "a2i-button", type: "button", "aria-keyshortcuts": "Alt+Z",
    title: "Take the last answer back and answer that task again (Alt+Z)" }, "Undo");
  const sendNow = a2iEl("button", { class: "a2i-button", type: "button", title: "Send the last answer now" }, "Send now");
  const heldBar = a2iEl("div", { class: "a2i-held", hidden: true }, heldText, undo, sendNow);
  a2iRoot(el, "a2i-review-queue");
  el.replaceChildren(
    a2iEl("div", { class: "a2i-queue-head" }, title, counts), progress, errors.box, heldBar, description,
    frame, doneBox, a2iEl("div", { class: "a2i-toolbar" }, skip, refresh, hint));

  let pending = false;
  let wantFocus = false;
  const setPending = (value) => {
    pending = value;
    el.toggleAttribute("data-busy", value);
    skip.disabled = value || !model.get("task").humanLoopName;
  };
  const act = async (type, payload = {}) => {
    if (pending) return;
    setPending(true);
    wantFocus = true;
    await a2iTry(errors, () => a2iRequest(model, type, payload));
    setPending(false);
  };
  const current = () => model.get("task").humanLoopName;

  const show = () => {
    const task = model.get("task") || {};
    const finished = model.get("finished");
    title.textContent = task.taskTitle || (finished ? "Review queue" : "Loading…");
    description.textContent = task.taskDescription || "";
    frame.hidden = finished;
    doneBox.hidden = !finished;
    // Same numbers, same words as the header above it.
    const left = model.get("left");
    doneBox.textContent = (left ? `Stopped for ${model.get("worker_name") || "this worker"} (limit reached): `
      : `All done for ${model.get("worker_name") || "this worker"}: `) + countText() + ". "
      + (model.get("skipped") ? "Skipped tasks stay open: Refresh offers them again." : "Refresh to look for new tasks.");
    skip.disabled = pending || !task.humanLoopName;
  };
  const countText = () => `${model.get("done")} done · ${model.get("left")} left`
    + (model.get("skipped") ? ` · ${model.get("skipped")} skipped` : "");
  const showCounts = () => {
    const done = model.get("done"), left = model.get("left");
    counts.textContent = countText();
    if (!doneBox.hidden) show();
    progress.max = Math.max(done + left, 1);
    progress.value = done;
  };
  const load = () => {
    frame.removeAttribute("data-ready");
    frame.setAttribute("data-loop", current() || "");
    if (model.get("srcdoc")) frame.srcdoc = model.get("srcdoc");
  };
  // A held answer: Undo brings its task back; otherwise it is sent when the countdown ends.
  let timer = null;
  const showHeld = () => {
    clearInterval(timer);
    const held = model.get("held") || {};
    heldBar.hidden = !held.humanLoopName;
    if (!held.humanLoopName) return;
    let remaining = model.get("undo_seconds");
    const tick = () => {
      heldText.textContent = `Answer to “${held.taskTitle}” is sent in ${remaining} s.`;
      if (remaining-- <= 0) { clearInterval(timer); act("commit"); }
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  undo.addEventListener("click", () => { clearInterval(timer); act("undo"); });
  sendNow.addEventListener("click", () => { clearInterval(timer); act("commit"); });
  el.addEventListener("keydown", (e) => {
    if (e.altKey && (e.key === "z" || e.key === "Z") && !heldBar.hidden) { e.preventDefault(); clearInterval(timer); act("undo"); }
  });

  const unwatch = [
    a2iWatch(model, ["held"], showHeld),
    a2iWatch(model, ["task", "finished", "worker_name"], show),
    a2iWatch(model, ["done", "left", "skipped"], showCounts),
    a2iWatch(model, ["srcdoc"], load),
    a2iWatch(model, ["frame_height"], () => { frame.style.height = `${model.get("frame_height")}px`; }),
  ];
  const fit = a2iFrameSizer(frame, model);
  const stopFrame = a2iListenFrame(frame, (data) => {
    if (fit(data)) return;
    if (data.type === "a2i-kit:ready") {
      frame.setAttribute("data-ready", "");
      // Keep the keyboard in the task when the reviewer is working through the queue.
      if (wantFocus || el.contains(document.activeElement)) { frame.focus(); wantFocus = false; }
    } else if (data.type === "a2i-kit:submit") {
      act("submit", { humanLoopName: current(), answerContent: data.answerContent });
    } else if (data.type === "a2i-kit:key" && data.key) {
      act("skip", { humanLoopName: current() });
    } else if (data.type === "a2i-kit:error") {
      errors.show(`Error in the task page: ${data.message}`);
    }
  });
  skip.addEventListener("click", () => act("skip", { humanLoopName: current() }));
  refresh.addEventListener("click", () => act("refresh"));
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && e.target !== frame && current()) { e.preventDefault(); act("skip", { humanLoopName: current() }); }
  });
  return () => { clearInterval(timer); unwatch.forEach((f) => f()); stopFrame(); errors.stop(); };
}

export default { render };
