// Worker portal page behaviour (no inline scripts in the pages; inputs come from data-* attributes).
// The task frame is sandboxed without allow-same-origin: it can only talk to us by postMessage.
// Behind a proxy (Jupyter's /<base_url>/proxy/<port>) every service path starts with its prefix.
// Continuous work (data-mode="continuous"/"amend"): a submit, skip or amend goes to
// POST /_a2i/portal/jobs/{flow}/next, whose answer is the next page; it replaces <main> in place.
const root = document.body.dataset.root || "";
let current = null;   // {section, frame, timer, sending} of the task on screen

function formatLeft(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function startCountdown(state) {
  const out = state.section.querySelector("[data-countdown]");
  if (!out) return;
  const end = performance.now() + Number(state.section.dataset.remainingMs);
  const tick = () => {
    if (current !== state) return;   // the page moved on to another task
    const left = (end - performance.now()) / 1000;
    out.textContent = formatLeft(left);
    if (left <= 0) {
      out.textContent = "time is up";
      window.location.href = `${root}/_a2i/portal/?msg=expired`;
      return;
    }
    state.timer = setTimeout(tick, 1000 - (Math.floor(end - performance.now()) % 1000 || 0));
  };
  tick();
}

// This run of a job (sessionStorage of the portal's origin; the frame cannot read it): the tasks
// skipped (they do not come back until the next "Start working") and the answers given, for Previous.
function runOf(flow) {
  try { return JSON.parse(sessionStorage.getItem(`a2i-kit:run:${flow}`)) || { skipped: [], answered: [] }; }
  catch { return { skipped: [], answered: [] }; }
}
function saveRun(flow, run) {
  try { sessionStorage.setItem(`a2i-kit:run:${flow}`, JSON.stringify(run)); } catch { /* storage off: no memory */ }
}

function showError(message) {
  const okBox = document.querySelector("[data-submit-ok]");
  const errorBox = document.querySelector("[data-submit-error]");
  okBox.hidden = true;
  errorBox.hidden = false;
  errorBox.textContent = message;
}

function showProgress(message) {
  document.querySelector("[data-submit-error]").hidden = true;
  const okBox = document.querySelector("[data-submit-ok]");
  okBox.hidden = false;
  okBox.textContent = message;
}

async function postJson(path, body, csrf) {
  return fetch(`${root}${path}`, {
    method: "POST", credentials: "same-origin",
    // The session's CSRF token: a page of another origin can neither read nor send it.
    headers: { "Content-Type": "application/json", "X-A2I-CSRF": csrf || "" },
    body: JSON.stringify(body),
  });
}

async function failure(response) {
  const body = await response.json().catch(() => ({}));
  return new Error(body.error || `HTTP ${response.status}`);
}

// One task, the classic way: submit, then back to the queue.
async function submitSingle(state, answerContent) {
  const loop = state.section.dataset.loop;
  const response = await postJson(`/_a2i/worker/tasks/${encodeURIComponent(loop)}/submit`,
    { answerContent }, state.section.dataset.csrf);
  if (!response.ok) throw await failure(response);
  const body = await response.json().catch(() => ({}));
  showProgress("Submitted. Taking you back to your tasks…");
  document.body.dataset.submitted = JSON.stringify(body);
  window.location.href = `${root}/_a2i/portal/?msg=submitted`;
}

// Continuous work: answer / amend / skip, then the next page of the job replaces this one.
async function step(state, action) {
  const { flow, loop, csrf } = state.section.dataset;
  const run = runOf(flow);
  const body = { ...action, skipped: run.skipped };
  const response = await postJson(`/_a2i/portal/jobs/${encodeURIComponent(flow)}/next`, body, csrf);
  if (!response.ok) throw await failure(response);
  if (action.answer) run.answered = [...run.answered.filter((n) => n !== loop), loop].slice(-50);
  if (action.skip) run.skipped = [...run.skipped, loop].slice(-500);
  saveRun(flow, run);
  swap(await response.text(), response.headers.get("X-A2I-Location"));
}

function swap(html, location) {
  const next = new DOMParser().parseFromString(html, "text/html");
  if (current) clearTimeout(current.timer);
  current = null;
  document.title = next.title;
  document.querySelector("main").replaceWith(document.adoptNode(next.querySelector("main")));
  if (location) history.replaceState(null, "", `${root}${location}`);
  wirePage();
}

function wireTask(section) {
  const state = { section, frame: document.querySelector("[data-task-frame]"), timer: 0, sending: false };
  current = state;
  const mode = section.dataset.mode || "single";
  if (mode !== "single") wireRunControls(state, mode);
  startCountdown(state);
}

function wireRunControls(state, mode) {
  const { flow, loop } = state.section.dataset;
  const run = runOf(flow);
  const previous = state.section.querySelector("[data-previous]");
  const last = run.answered[run.answered.length - 1];
  if (previous && previous.hidden && last && last !== loop) {
    previous.href = `${root}/_a2i/portal/jobs/${encodeURIComponent(flow)}/answers/${encodeURIComponent(last)}`;
    previous.hidden = false;
  }
  const skipForm = state.section.querySelector("[data-skip-form]");
  if (skipForm && mode === "continuous") {
    skipForm.addEventListener("submit", (event) => {
      event.preventDefault();
      act(state, { skip: loop }, "Skipping…");
    });
  }
}

async function act(state, action, message) {
  if (state.sending) return;
  state.sending = true;
  showProgress(message);
  try {
    await (action.single ? submitSingle(state, action.single) : step(state, action));
  } catch (err) {
    showError(`${action.skip ? "The task was not skipped" : "Your answer was not saved"}: ${err.message}`);
    state.sending = false;
  }
}

window.addEventListener("message", (event) => {
  const state = current;
  if (!state || event.source !== state.frame.contentWindow) return;   // only our task frame may talk to us
  const data = event.data || {};
  if (data.type === "a2i-kit:size") {
    state.frame.style.height = `${Math.max(400, Math.min((Number(data.height) || 0) + 32, 20000))}px`;
    return;
  }
  if (data.type === "a2i-kit:ready") {
    // Keyboard users answer at once (keys 1-9, Enter): focus the frame, then its first control.
    const earlier = state.section.dataset.mode === "amend" ? state.section.dataset.earlier : undefined;
    if (earlier) {   // amending: the earlier answer goes back into the task's controls first
      try {
        state.frame.contentWindow.postMessage({ type: "a2i-kit:fill", answer: JSON.parse(earlier) }, "*");
      } catch { /* not JSON: the page shows the earlier answer as text */ }
    }
    state.frame.focus();
    state.frame.contentWindow.postMessage({ type: "a2i-kit:focus-first" }, "*");
    document.body.dataset.taskReady = state.section.dataset.loop;
    return;
  }
  if (data.type !== "a2i-kit:submit") return;
  const answer = data.answerContent;
  if (!answer || typeof answer !== "object" || Array.isArray(answer)) return;
  const { mode = "single", loop } = state.section.dataset;
  const action = mode === "continuous" ? { answer: { humanLoopName: loop, answerContent: answer } }
    : mode === "amend" ? { amend: { humanLoopName: loop, answerContent: answer } } : { single: answer };
  act(state, action, mode === "amend" ? "Changing your answer…" : "Sending your answer…");
});

// Keys that land on the page while focus is still moving into the frame (an out-of-process frame
// learns of its focus a moment later) would be lost: 0-9 and Enter go over to the frame instead.
document.addEventListener("keydown", (event) => {
  const state = current;
  if (!state || document.activeElement !== state.frame || !document.body.dataset.taskReady) return;
  if (event.ctrlKey || event.metaKey || event.altKey || !/^([0-9]|Enter)$/.test(event.key)) return;
  event.preventDefault();
  state.frame.contentWindow.postMessage({ type: "a2i-kit:key", key: event.key, shiftKey: event.shiftKey }, "*");
});

function wireRefresh(box) {
  const seconds = Number(box.dataset.refresh) || 15;
  setTimeout(() => { if (!document.querySelector(":focus-visible")) window.location.reload(); else wireRefresh(box); }, seconds * 1000);
}

function wirePage() {
  delete document.body.dataset.taskReady;
  const task = document.querySelector("[data-task]");
  if (task) wireTask(task);
  // "Start working" begins a new run of the job: skipped tasks may come back again.
  for (const form of document.querySelectorAll("[data-start-form]")) {
    form.addEventListener("submit", () => saveRun(form.dataset.startForm, { skipped: [], answered: [] }));
  }
  const focus = document.querySelector("main [data-autofocus]");
  if (focus && !task) focus.focus();
  document.body.dataset.pageReady = location.pathname;
}

wirePage();
const refresh = document.querySelector("[data-refresh]");
if (refresh) wireRefresh(refresh);
