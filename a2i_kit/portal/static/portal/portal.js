// Worker portal page behaviour (no inline scripts in the pages; inputs come from data-* attributes).
// The task frame is sandboxed without allow-same-origin: it can only talk to us by postMessage.
// Behind a proxy (Jupyter's /<base_url>/proxy/<port>) every service path starts with its prefix.
const root = document.body.dataset.root || "";

function formatLeft(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

function startCountdown(section) {
  const out = section.querySelector("[data-countdown]");
  const end = performance.now() + Number(section.dataset.remainingMs);
  const tick = () => {
    const left = (end - performance.now()) / 1000;
    out.textContent = formatLeft(left);
    if (left <= 0) {
      out.textContent = "time is up";
      window.location.href = `${root}/_a2i/portal/?msg=expired`;
      return;
    }
    setTimeout(tick, 1000 - (Math.floor(end - performance.now()) % 1000 || 0));
  };
  tick();
}

function wireTask(section) {
  const frame = document.querySelector("[data-task-frame]");
  const loop = section.dataset.loop;
  const errorBox = document.querySelector("[data-submit-error]");
  const okBox = document.querySelector("[data-submit-ok]");
  let sending = false;
  const resize = (height) => { frame.style.height = `${Math.max(400, Math.min(height + 32, 20000))}px`; };
  window.addEventListener("message", async (event) => {
    if (event.source !== frame.contentWindow) return;   // only our task frame may talk to us
    const data = event.data || {};
    if (data.type === "a2i-kit:size") { resize(Number(data.height) || 0); return; }
    if (data.type === "a2i-kit:ready") { frame.focus(); document.body.dataset.taskReady = ""; return; }
    if (data.type !== "a2i-kit:submit" || sending) return;
    if (!data.answerContent || typeof data.answerContent !== "object" || Array.isArray(data.answerContent)) return;
    sending = true;
    errorBox.hidden = true;
    okBox.hidden = false;
    okBox.textContent = "Sending your answer…";
    try {
      const response = await fetch(`${root}/_a2i/worker/tasks/${encodeURIComponent(loop)}/submit`, {
        method: "POST", credentials: "same-origin",
        // The session's CSRF token: a page of another origin can neither read nor send it.
        headers: { "Content-Type": "application/json", "X-A2I-CSRF": section.dataset.csrf || "" },
        body: JSON.stringify({ answerContent: data.answerContent }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
      okBox.textContent = "Submitted. Taking you back to your tasks…";
      document.body.dataset.submitted = JSON.stringify(body);
      window.location.href = `${root}/_a2i/portal/?msg=submitted`;
    } catch (err) {
      okBox.hidden = true;
      errorBox.hidden = false;
      errorBox.textContent = `Your answer was not saved: ${err.message}`;
      sending = false;
    }
  });
  // Keyboard users can answer right away (keys 1-9, Enter) without clicking into the frame first:
  // the frame gets focus when its elements report ready (see the a2i-kit:ready branch above).
  startCountdown(section);
}

function wireRefresh(box) {
  const seconds = Number(box.dataset.refresh) || 15;
  setTimeout(() => { if (!document.querySelector(":focus-visible")) window.location.reload(); else wireRefresh(box); }, seconds * 1000);
}

const task = document.querySelector("[data-task]");
if (task) wireTask(task);
const refresh = document.querySelector("[data-refresh]");
if (refresh) wireRefresh(refresh);
