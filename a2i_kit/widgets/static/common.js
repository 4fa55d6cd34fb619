// a2i-kit widgets: shared helpers. Concatenated in front of each widget's module (no build step).

function a2iUuid() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function" && globalThis.isSecureContext) {
    return crypto.randomUUID();
  }
  return "x" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
}

/** Send {uuid, type, payload} to the kernel; resolve with its result, reject with its message. */
function a2iRequest(model, type, payload = {}, timeoutMs = 120000) {
  const uuid = a2iUuid();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      model.off("msg:custom", onMsg);
      reject(new Error(`the kernel did not answer "${type}" in ${timeoutMs / 1000}s (is it busy or stopped?)`));
    }, timeoutMs);
    function onMsg(msg) {
      if (!msg || msg.uuid !== uuid) return;
      clearTimeout(timer);
      model.off("msg:custom", onMsg);
      if (msg.type === "error") reject(new Error(msg.message));
      else resolve(msg.result);
    }
    model.on("msg:custom", onMsg);
    model.send({ uuid, type, payload });
  });
}

/** Tiny DOM builder: a2iEl("button", {class: "x", onclick: f}, "text", child). */
function a2iEl(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A sandboxed iframe for a task page: scripts and forms, never same-origin. */
function a2iTaskFrame(title, height) {
  return a2iEl("iframe", {
    class: "a2i-task-frame", title, sandbox: "allow-scripts allow-forms",
    referrerpolicy: "no-referrer", style: `height:${height || 480}px`,
  });
}

/** Size an iframe to the height its page reports ({type: "a2i-kit:size"}: the bottom of the
 *  body, from the bridge of a2i_kit.crowd.page), plus the body's default bottom margin and the
 *  frame's border, between 120 and 4000 px. Returns a handler for a2iListenFrame: true when it used
 *  the message. A page whose height follows the frame's (100vh plus a margin) would grow in equal
 *  steps forever: after five equal steps the frame stops following it (data-size-runaway). */
const FRAME_SLACK_PX = 2;  // the frame's border (the page reports its bottom margin itself)

function a2iFrameSizer(frame, model) {
  const steps = [];
  let last = 0;
  return (data) => {
    if (data.type !== "a2i-kit:size") return false;
    if (model.get("auto_height") === false || frame.hasAttribute("data-size-runaway")) return true;
    const height = Math.min(4000, Math.max(120, Math.ceil(Number(data.height) || 0) + FRAME_SLACK_PX));
    if (last) steps.push(height - last);
    if (steps.length > 5) steps.shift();
    if (steps.length === 5 && steps.every((d) => d > 0 && d === steps[0])) {
      frame.setAttribute("data-size-runaway", "");
      return true;
    }
    last = height;
    frame.style.height = `${height}px`;
    frame.setAttribute("data-content-height", String(height));
    return true;
  };
}

/** Listen to postMessage from one iframe only; returns the function that stops listening. */
function a2iListenFrame(iframe, handler) {
  const onMessage = (event) => {
    if (event.source !== iframe.contentWindow) return;
    const data = event.data;
    if (!data || typeof data.type !== "string" || !data.type.startsWith("a2i-kit:")) return;
    handler(data);
  };
  window.addEventListener("message", onMessage);
  return () => window.removeEventListener("message", onMessage);
}

/** An alert box bound to the model's "error" trait (and to local errors via the returned setter). */
function a2iErrorBox(model) {
  const box = a2iEl("div", { class: "a2i-error", role: "alert", hidden: true });
  const show = (message) => {
    box.textContent = message || "";
    box.hidden = !message;
  };
  const sync = () => show(model.get("error"));
  model.on("change:error", sync);
  sync();
  return { box, show, stop: () => model.off("change:error", sync) };
}

/** Bind a function to trait changes; returns the unbinding function. */
function a2iWatch(model, names, fn) {
  const events = names.map((n) => `change:${n}`).join(" ");
  model.on(events, fn);
  fn();
  return () => model.off(events, fn);
}

function a2iDebounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** Run an async action: show errors in the box (never only in the console). */
async function a2iTry(errors, fn) {
  try {
    errors.show("");
    return await fn();
  } catch (err) {
    errors.show(err && err.message ? err.message : String(err));
    return undefined;
  }
}

/** Prepare the widget's root: classes, and keys stay ours (JupyterLab's command-mode shortcuts
 *  such as arrows, A/B/D/M would otherwise act on the notebook while a control has focus). */
function a2iRoot(el, ...classes) {
  el.classList.add("a2i-widget", ...classes);
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  // JupyterLab matches shortcuts on the focused control itself (":focus"), so the attribute alone
  // is not enough: keep plain keys inside the widget; Ctrl/Meta/Alt and Shift+Enter still reach it.
  el.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || (e.shiftKey && e.key === "Enter")) return;
    e.stopPropagation();
  });
  return el;
}
