// Shared base of the offline crowd elements: lenient attribute parsing, the one stylesheet,
// instruction regions, ready events and the keyboard shortcuts.
// Convention (the bundler in a2i_kit/crowd/bundle.py relies on it): imports are single-line
// `import {...} from "./x.js";`, and top-level names are unique across all modules.

const CSS_GLOBAL = "__A2I_KIT_CROWD_CSS__";

export const crowdSheet = new CSSStyleSheet();
if (typeof globalThis[CSS_GLOBAL] === "string") {
  crowdSheet.replaceSync(globalThis[CSS_GLOBAL]);
} else {
  fetch(new URL("./crowd.css", import.meta.url)).then((r) => r.text())
    .then((text) => crowdSheet.replace(text)).catch(() => {});
}
document.adoptedStyleSheets = [...document.adoptedStyleSheets, crowdSheet];

// ---- lenient (JSON5-like) parsing: single quotes, unquoted keys, trailing commas ----
export function parseLenient(text, fallback = null) {
  if (text === null || text === undefined) return fallback;
  if (typeof text !== "string") return text;
  const src = text.trim();
  if (src === "") return fallback;
  try { return JSON.parse(src); } catch (_) { /* fall through to the lenient reader */ }
  let i = 0;
  const fail = (why) => { throw new SyntaxError(`${why} at position ${i} in ${JSON.stringify(src.slice(0, 80))}`); };
  const ws = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src.startsWith("//", i)) { while (i < src.length && src[i] !== "\n") i++; continue; }
      if (src.startsWith("/*", i)) { const end = src.indexOf("*/", i + 2); i = end < 0 ? src.length : end + 2; continue; }
      return;
    }
  };
  const str = () => {
    const quote = src[i++];
    let out = "";
    while (i < src.length && src[i] !== quote) {
      if (src[i] === "\\") {
        const c = src[i + 1];
        const map = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" };
        if (c === "u") { out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16)); i += 6; continue; }
        out += c in map ? map[c] : c; i += 2; continue;
      }
      out += src[i++];
    }
    if (src[i] !== quote) fail("unterminated string");
    i++;
    return out;
  };
  const word = () => {
    const m = /^[A-Za-z_$][\w$-]*|^[+-]?(?:Infinity|NaN|0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(src.slice(i));
    if (!m) fail("unexpected character");
    i += m[0].length;
    return m[0];
  };
  const value = () => {
    ws();
    const c = src[i];
    if (c === "{") {
      i++; const obj = {};
      for (;;) {
        ws();
        if (src[i] === "}") { i++; return obj; }
        const key = src[i] === '"' || src[i] === "'" ? str() : word();
        ws(); if (src[i] !== ":") fail("expected ':'"); i++;
        obj[key] = value(); ws();
        if (src[i] === ",") { i++; continue; }
        if (src[i] === "}") { i++; return obj; }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++; const arr = [];
      for (;;) {
        ws();
        if (src[i] === "]") { i++; return arr; }
        arr.push(value()); ws();
        if (src[i] === ",") { i++; continue; }
        if (src[i] === "]") { i++; return arr; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"' || c === "'") return str();
    const w = word();
    const words = { true: true, false: false, null: null, undefined: null };
    if (w in words) return words[w];
    const n = Number(w);
    if (!Number.isNaN(n) || w === "NaN") return n;
    return w;
  };
  const result = value();
  ws();
  if (i < src.length) fail("unexpected trailing text");
  return result;
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

export function codePointOffset(text, utf16Index) {
  return Array.from(text.slice(0, utf16Index)).length;
}

/** Closest ancestor matching selector, crossing shadow-root boundaries. */
export function closestComposed(node, selector) {
  let el = node;
  while (el) {
    if (el.nodeType === 1 && el.matches(selector)) return el;
    el = el.parentNode || (el instanceof ShadowRoot ? el.host : null);
    if (el instanceof ShadowRoot) el = el.host;
  }
  return null;
}

// ---- base class ----
export class CrowdElement extends HTMLElement {
  static slotted = {};   // child tag -> slot name, e.g. {"short-instructions": "short"}

  connectedCallback() {
    if (this._crowdRendered) return;
    this._crowdRendered = true;
    for (const child of Array.from(this.children)) {
      const slot = this.constructor.slotted[child.localName];
      if (slot && !child.hasAttribute("slot")) child.setAttribute("slot", slot);
    }
    // Properties a page set before the element was upgraded shadow our accessors: re-apply them.
    const early = {};
    for (const prop of ["value", "labels", "categories", "checked"]) {
      if (Object.prototype.hasOwnProperty.call(this, prop)) { early[prop] = this[prop]; delete this[prop]; }
    }
    const root = this.attachShadow({ mode: "open", delegatesFocus: this.constructor.delegatesFocus === true });
    root.adoptedStyleSheets = [crowdSheet];
    this.render(root);
    for (const [prop, v] of Object.entries(early)) { try { this[prop] = v; } catch (_) { /* read-only here */ } }
    queueMicrotask(() => this.dispatchEvent(new CustomEvent("crowd-element-ready", { bubbles: true, composed: true })));
  }

  render(_root) {}

  attr(name, fallback = "") {
    return this.hasAttribute(name) ? this.getAttribute(name) : fallback;
  }

  jsonAttr(name, fallback) {
    try { return parseLenient(this.getAttribute(name), fallback); } catch (err) {
      console.error(`<${this.localName}> attribute ${name}: ${err.message}`);
      return fallback;
    }
  }

  flag(name) { return this.hasAttribute(name) && this.getAttribute(name) !== "false"; }

  get name() { return this.getAttribute("name") || ""; }

  set name(v) { this.setAttribute("name", v); }

  get _submittableValue() { return this.value; }

  /** The fragment this element adds to the answer, or null. */
  contribute() { return null; }

  /** An error message when the element blocks submit, or null. */
  validate() { return null; }

  /** Keys 1-9 and 0: pick option index (0-based). Returns true when handled. */
  pickOption(_index) { return false; }

  ownerForm() { return closestComposed(this, "crowd-form"); }
}

/** Header + left instruction panel + "View full instructions" modal around a main area. */
export function instructionLayout(host, mainHtml) {
  const header = host.getAttribute("header");
  return `
    <div class="crowd-layout">
      <aside class="crowd-side" part="instructions">
        <div class="crowd-side-title">Instructions</div>
        <button type="button" class="crowd-link" data-open-full>View full instructions</button>
        <div class="crowd-short"><slot name="short"></slot></div>
      </aside>
      <section class="crowd-main">
        ${header ? `<h2 class="crowd-header">${escapeHtml(header)}</h2>` : ""}
        ${mainHtml}
      </section>
    </div>
    <dialog class="crowd-dialog" data-full>
      <div class="crowd-dialog-head"><h2 data-full-title></h2>
        <button type="button" class="crowd-close" data-close aria-label="Close">×</button></div>
      <div class="crowd-dialog-body"><slot name="full"></slot></div>
    </dialog>`;
}

export function wireInstructions(host, root) {
  const dialog = root.querySelector("[data-full]");
  const full = host.querySelector(":scope > full-instructions");
  const side = root.querySelector(".crowd-side");
  if (!host.querySelector(":scope > short-instructions") && !full) side.hidden = true;
  const link = root.querySelector("[data-open-full]");
  if (!full) link.hidden = true;
  root.querySelector("[data-full-title]").textContent = full?.getAttribute("header") || "Instructions";
  link.addEventListener("click", () => dialog.showModal());
  root.querySelector("[data-close]").addEventListener("click", () => dialog.close());
}

export const INSTRUCTION_SLOTS = { "short-instructions": "short", "full-instructions": "full" };

// ---- crowd-* tags this library does not define: they block submit instead of answering nothing ----
const UNDEFINED_OK = new Set(["crowd-slider-label"]);   // plain children another element reads

function isUnknownCrowd(el) {
  return el.localName.startsWith("crowd-") && !UNDEFINED_OK.has(el.localName) && !customElements.get(el.localName);
}

/** The first crowd-* element on the page that no script defined, or null. */
export function unknownCrowdElement(root = document) {
  return Array.from(root.querySelectorAll("*")).find(isUnknownCrowd) || null;
}

export function unknownElementMessage(el) {
  return `This task uses <${el.localName}>, which this portal cannot show yet; tell the task's owner.`;
}

/** Put a visible notice before every unknown crowd-* element (called once the elements are ready). */
export function flagUnknownElements(root = document) {
  for (const el of Array.from(root.querySelectorAll("*")).filter(isUnknownCrowd)) {
    if (el.previousElementSibling?.dataset?.unknownNotice === el.localName) continue;
    const notice = document.createElement("crowd-alert");
    notice.setAttribute("type", "error");
    notice.dataset.unknownNotice = el.localName;
    notice.textContent = unknownElementMessage(el);
    el.before(notice);
  }
}

// ---- keyboard: 1-9/0 pick options in the first widget that takes them; Enter submits ----
function isEditable(el) {
  if (!el) return false;
  if (el.isContentEditable) return true;
  if (el.localName === "textarea" || el.localName === "select") return true;
  return el.localName === "input" && !["checkbox", "radio", "button", "submit", "range"].includes(el.type);
}

function deepActive() {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

export const PICKERS = "crowd-classifier, crowd-classifier-multi-select, crowd-image-classifier, "
  + "crowd-image-classifier-multi-select, crowd-rekognition-detect-moderation-labels, "
  + "crowd-bounding-box, crowd-polygon, crowd-line, crowd-polyline, crowd-keypoint, crowd-point, "
  + "crowd-entity-annotation, crowd-semantic-segmentation, crowd-instance-segmentation";

export function handleCrowdKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return false;
  const active = deepActive();
  const origin = event.composedPath ? event.composedPath()[0] : event.target;
  if (isEditable(active) || isEditable(origin)) return false;
  const focusedPicker = closestComposed(active, PICKERS);
  const picker = focusedPicker || document.querySelector(PICKERS);
  if (/^[0-9]$/.test(event.key) && picker) {
    const index = event.key === "0" ? 9 : Number(event.key) - 1;
    if (picker.pickOption(index)) { event.preventDefault(); return true; }
    return false;
  }
  if (event.key === "Enter" && !event.shiftKey) {
    // Enter on an option button submits (Space still toggles it); on other buttons it clicks them.
    if (active && ["button", "a", "summary"].includes(active.localName) && !active.classList.contains("crowd-choice")) return false;
    if (active && active.localName === "input" && active.type !== "range") return false;
    if (picker && picker.handleEnter && picker.handleEnter()) { event.preventDefault(); return true; }
    const form = (picker && picker.ownerForm()) || document.querySelector("crowd-form");
    if (form && picker && form.submit) { event.preventDefault(); form.submit(); return true; }
  }
  return false;
}
