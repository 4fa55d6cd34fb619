// <crowd-form>: collects every named control into one answer and posts it to the parent window.
// Native controls (choices for the cases the AWS docs leave open, see a2i_kit/crowd/README.md):
//   text-like inputs, hidden, textarea -> string; select -> selected value (multiple: array);
//   checkbox and radio -> {"<value>": bool} merged per name ("on" when no value attribute);
//   empty names, disabled controls and buttons are skipped; duplicate names: last one wins.
import { CrowdElement, INSTRUCTION_SLOTS, closestComposed, escapeHtml, unknownCrowdElement, unknownElementMessage } from "./core.js";

const SKIP_TYPES = new Set(["submit", "button", "reset", "image", "file"]);

function mergeFragment(answer, fragment) {
  for (const [key, val] of Object.entries(fragment)) {
    const prev = answer[key];
    if (prev && val && typeof prev === "object" && typeof val === "object" && !Array.isArray(val)
        && !Array.isArray(prev) && isBoolMap(prev) && isBoolMap(val)) {
      answer[key] = { ...prev, ...val };
    } else {
      answer[key] = val;
    }
  }
}

function isBoolMap(obj) {
  return Object.values(obj).every((v) => typeof v === "boolean");
}

export function nativeFragment(el) {
  const name = el.getAttribute("name");
  if (!name || el.disabled) return null;
  if (el.localName === "input") {
    const type = (el.type || "text").toLowerCase();
    if (SKIP_TYPES.has(type)) return null;
    if (type === "checkbox" || type === "radio") return { [name]: { [el.getAttribute("value") ?? "on"]: el.checked } };
    return { [name]: el.value };
  }
  if (el.localName === "select") {
    if (el.multiple) return { [name]: Array.from(el.selectedOptions, (o) => o.value) };
    return { [name]: el.value };
  }
  if (el.localName === "textarea") return { [name]: el.value };
  return null;
}

const TOGGLES = new Set(["crowd-checkbox", "crowd-toggle-button", "crowd-radio-button"]);
const isPlainObject = (v) => Boolean(v) && typeof v === "object" && !Array.isArray(v);

/** Put an earlier answer back into one control (amending an answer): the inverse of what it
 *  contributes, for controls whose answer says all about them (text, choices, toggles, sliders,
 *  classifiers). Drawings, masks and other annotations keep their start. True when it took ``v``. */
export function restoreControl(el, v) {
  const tag = el.localName;
  const toggle = (key) => {
    if (!isPlainObject(v) || typeof v[key] !== "boolean") return false;
    el.checked = v[key];
    return true;
  };
  if (tag === "input") {
    const type = (el.type || "text").toLowerCase();
    if (SKIP_TYPES.has(type)) return false;
    if (type === "checkbox" || type === "radio") return toggle(el.getAttribute("value") ?? "on");
  }
  if (tag === "input" || tag === "textarea" || tag === "crowd-input" || tag === "crowd-text-area") {
    if (typeof v !== "string") return false;
    el.value = v;
    return true;
  }
  if (tag === "select") {
    if (el.multiple ? !Array.isArray(v) : typeof v !== "string") return false;
    const wanted = new Set([].concat(v).map(String));
    for (const option of el.options) option.selected = wanted.has(option.value);
    return true;
  }
  if (tag === "crowd-slider") {
    if (typeof v !== "number") return false;
    el.value = v;
    return true;
  }
  if (TOGGLES.has(tag)) return toggle(el.value);
  if (/^crowd-(image-)?classifier(-multi-select)?$/.test(tag)) {
    const chosen = isPlainObject(v) ? (v.labels ?? v.label) : undefined;
    if (chosen === undefined) return false;
    el.value = chosen;
    const comment = el.shadowRoot?.querySelector("[data-comment]");
    if (comment && typeof v.workerComment === "string") comment.value = v.workerComment;
    return true;
  }
  return false;
}

export class CrowdForm extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;

  render(root) {
    root.innerHTML = `
      <form class="crowd-form" novalidate part="form">
        <div class="crowd-form-body">
          <aside class="crowd-side crowd-form-side" hidden>
            <div class="crowd-side-title">Instructions</div>
            <button type="button" class="crowd-link" data-open-full hidden>View full instructions</button>
            <div class="crowd-short"><slot name="short"></slot></div>
          </aside>
          <div class="crowd-form-content"><slot></slot></div>
        </div>
        <div class="crowd-form-errors" role="alert" aria-live="assertive" hidden></div>
        <div class="crowd-form-actions" hidden><crowd-button variant="primary" form-action="submit" data-auto-submit>Submit</crowd-button></div>
      </form>
      <dialog class="crowd-dialog" data-full><div class="crowd-dialog-head"><h2 data-full-title>Instructions</h2>
        <button type="button" class="crowd-close" data-close aria-label="Close">×</button></div>
        <div class="crowd-dialog-body"><slot name="full"></slot></div></dialog>
      <div class="crowd-form-done" hidden><h2>Answer submitted</h2><pre data-answer></pre></div>`;
    this._form = root.querySelector("form");
    const hasSubmit = this.querySelector('crowd-button[form-action="submit"]');
    root.querySelector(".crowd-form-actions").hidden = Boolean(hasSubmit) || this.flag("no-submit-button");
    const full = this.querySelector(":scope > full-instructions");
    if (this.querySelector(":scope > short-instructions") || full) root.querySelector(".crowd-form-side").hidden = false;
    if (full) {
      const link = root.querySelector("[data-open-full]");
      link.hidden = false;
      root.querySelector("[data-full-title]").textContent = full.getAttribute("header") || "Instructions";
      link.addEventListener("click", () => root.querySelector("[data-full]").showModal());
    }
    root.querySelector("[data-close]").addEventListener("click", () => root.querySelector("[data-full]").close());
    this._form.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    // Controls a template appends to .form (as the entity-annotation samples do) belong above Submit.
    const errors = root.querySelector(".crowd-form-errors");
    new MutationObserver(() => {
      for (const child of Array.from(this._form.children)) {
        if (child.matches(".crowd-form-actions")) continue;
        if (child.compareDocumentPosition(errors) & Node.DOCUMENT_POSITION_PRECEDING) errors.before(child);
      }
    }).observe(this._form, { childList: true });
    this.addEventListener("click", (e) => this._onClick(e));
    this.addEventListener("keydown", (e) => this._onKey(e));
  }

  get form() { return this._form; }

  get value() { return this.serialize(); }

  _onClick(event) {
    if (event.defaultPrevented) return;     // a template's own handler cancelled this click
    const origin = event.composedPath()[0];
    const button = closestComposed(origin, "button, input[type=submit]");
    if (!button || button.form) return;       // buttons of a real inner <form> submit it natively
    if (closestComposed(button, "crowd-button, crowd-form") !== this) return;
    if ((button.getAttribute("type") || "submit").toLowerCase() !== "submit") return;
    event.preventDefault();
    this.submit();
  }

  _onKey(event) {
    const origin = event.composedPath()[0];
    if (event.key !== "Enter" || event.defaultPrevented || origin.localName !== "input") return;
    if (origin.getRootNode() !== this.getRootNode()) return;   // fields inside a widget (e.g. Textract) do not submit
    if (["checkbox", "radio", "button", "submit", "range", "file"].includes(origin.type)) return;
    event.preventDefault();
    this.submit();
  }

  /** Elements whose values make up the answer, in document order (light DOM and the inner form). */
  controls() {
    const found = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.localName === "crowd-form" && el !== this) continue;
        if (closestComposed(el.parentNode, "crowd-form") !== this) continue;
        found.push(el);
      }
    };
    walk(this);
    for (const child of this._form.querySelectorAll(":scope > *:not(.crowd-form-body, .crowd-form-errors, .crowd-form-actions)")) {
      found.push(child, ...child.querySelectorAll("*"));
    }
    return found;
  }

  serialize() {
    const answer = {};
    if (this._owner) mergeFragment(answer, this._owner.contribute() || {});
    for (const el of this.controls()) {
      const fragment = typeof el.contribute === "function" && el instanceof CrowdElement ? el.contribute() : nativeFragment(el);
      if (fragment) mergeFragment(answer, fragment);
    }
    return answer;
  }

  /** Put an earlier answer back into the controls (amending); returns the names that took it. */
  fill(answer) {
    const filled = [];
    if (!isPlainObject(answer)) return filled;
    for (const el of this.controls()) {
      const name = el.getAttribute?.("name");
      if (!name || !Object.hasOwn(answer, name) || !restoreControl(el, answer[name])) continue;
      if (!filled.includes(name)) filled.push(name);
    }
    return filled;
  }

  validateAll() {
    const unknown = unknownCrowdElement(document);
    if (unknown) return { el: unknown, message: unknownElementMessage(unknown) };
    const widgets = this._owner ? [this._owner, ...this.controls()] : this.controls();
    for (const el of widgets) {
      let message = null;
      if (el instanceof CrowdElement) {
        message = el.validate();
      } else if (["input", "select", "textarea"].includes(el.localName) && !el.disabled && !el.checkValidity()) {
        const label = el.getAttribute("name") || el.getAttribute("id") || el.localName;
        message = `Please fill in "${label}": ${el.validationMessage}`;
      }
      if (message) return { el, message };
    }
    return null;
  }

  showErrors(message) {
    const box = this.shadowRoot.querySelector(".crowd-form-errors");
    box.hidden = !message;
    box.innerHTML = message ? `<crowd-alert type="error">${escapeHtml(message)}</crowd-alert>` : "";
  }

  reset() {
    for (const el of this.controls()) if (typeof el.reset === "function" && el !== this) el.reset();
  }

  /** The submit pipeline: validate, run submit handlers (cancelable), serialize, post. */
  submit() {
    const problem = this.validateAll();
    if (problem) {
      this.showErrors(problem.message);
      problem.el.setAttribute?.("data-invalid", "");
      problem.el.focus?.();
      return false;
    }
    this.showErrors(null);
    const event = new Event("submit", { bubbles: true, cancelable: true });
    if (!this.dispatchEvent(event)) return false;
    const answerContent = this.serialize();
    globalThis.__a2iKitLastAnswer = answerContent;
    this.dispatchEvent(new CustomEvent("crowd-form-submitted", { bubbles: true, composed: true, detail: { answerContent } }));
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ type: "a2i-kit:submit", answerContent }, "*");
    } else {
      const done = this.shadowRoot.querySelector(".crowd-form-done");
      done.hidden = false;
      done.querySelector("[data-answer]").textContent = JSON.stringify(answerContent, null, 2);
    }
    return true;
  }
}

customElements.define("crowd-form", CrowdForm);
