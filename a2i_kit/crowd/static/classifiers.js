// Classification widgets: crowd-classifier, crowd-classifier-multi-select, crowd-image-classifier,
// crowd-image-classifier-multi-select. Keys 1-9 and 0 pick the 1st-10th category; Enter submits.
// Choices for open questions: every classifier blocks submit until a category is chosen; a picked
// exclusion-category is reported as the only entry of "labels"; the multi-select image classifier
// reports "workerComment" like the single-choice one (only when written). `value` is the chosen
// category (a list for multi-select), as the GT samples' change listeners read it; the answer
// object is `answer()`.
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";
import { ZoomPan, zoomFrame } from "./zoom.js";

class CrowdClassifierBase extends CrowdElement {
  static slotted = { ...INSTRUCTION_SLOTS, "classification-target": "target", "worker-comment": "comment" };
  static multi = false;
  static image = false;
  static delegatesFocus = true;

  render(root) {
    this._categories = this._categories ?? this.jsonAttr("categories", []);
    const exclusion = this.jsonAttr("exclusion-category", null);
    this._exclusion = exclusion && typeof exclusion === "object" ? exclusion.text : exclusion;
    const initial = this.getAttribute("initial-value");
    const listed = initial && /^\s*[[\'"]/.test(initial);   // a list or a quoted string, else the plain category
    this._chosen = new Set(initial ? [].concat(listed ? this.jsonAttr("initial-value", initial) : initial.trim()) : []);
    const comment = this.querySelector(":scope > worker-comment");
    const target = this.constructor.image
      ? `<div class="crowd-image-wrap">${zoomFrame(`<img class="crowd-target-image" alt="task image" draggable="false" src="${escapeHtml(this.attr("src"))}">`, { focusable: true })}</div>`
      : '<div class="crowd-target"><slot name="target"></slot></div>';
    root.innerHTML = instructionLayout(this, `${target}
      <div class="crowd-choices" role="${this.constructor.multi ? "group" : "radiogroup"}" data-choices></div>
      ${comment ? `<div class="crowd-comment"><button type="button" class="crowd-link" data-comment-toggle>${escapeHtml(comment.getAttribute("link-text") || "Add a comment")}</button>
        <div data-comment-box hidden><label class="crowd-label">${escapeHtml(comment.getAttribute("header") || "Comment")}</label>
        <slot name="comment"></slot><textarea class="crowd-field" rows="3" data-comment placeholder="${escapeHtml(comment.getAttribute("placeholder") || "")}"></textarea></div></div>` : ""}
      <div class="crowd-error-text" hidden></div>`);
    wireInstructions(this, root);
    if (this.constructor.image) this._zoom = new ZoomPan(root, () => {}, { dragPans: true });
    root.querySelector("[data-comment-toggle]")?.addEventListener("click", () => {
      const box = root.querySelector("[data-comment-box]");
      box.hidden = !box.hidden;
      if (!box.hidden) box.querySelector("textarea").focus();
    });
    root.querySelector("[data-choices]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-index]");
      if (b) this.pickOption(Number(b.dataset.index));
    });
    this._drawChoices();
  }

  _options() {
    const names = this._categories.map((c) => (c && typeof c === "object" ? c.name ?? c.label ?? c.text : String(c)));
    return this._exclusion ? [...names, this._exclusion] : names;
  }

  _drawChoices() {
    const box = this.shadowRoot?.querySelector("[data-choices]");
    if (!box) return;
    const multi = this.constructor.multi;
    box.innerHTML = this._options().map((name, i) => `<button type="button" class="crowd-choice${name === this._exclusion ? " crowd-choice-exclusion" : ""}"
      role="${multi ? "checkbox" : "radio"}" aria-checked="${this._chosen.has(name)}" data-index="${i}">
      ${i < 10 ? `<kbd>${(i + 1) % 10}</kbd>` : ""}<span>${escapeHtml(name)}</span></button>`).join("");
  }

  get categories() { return this._categories ?? this.jsonAttr("categories", []); }

  set categories(list) { this._categories = Array.from(list || []); this._chosen = new Set(); this._drawChoices(); }

  get labels() { return this.categories; }

  set labels(list) { this.categories = list; }

  pickOption(index) {
    const options = this._options();
    if (index < 0 || index >= options.length) return false;
    const name = options[index];
    if (!this.constructor.multi) this._chosen = new Set([name]);
    else if (name === this._exclusion) this._chosen = this._chosen.has(name) ? new Set() : new Set([name]);
    else {
      this._chosen.delete(this._exclusion);
      if (this._chosen.has(name)) this._chosen.delete(name); else this._chosen.add(name);
    }
    this.removeAttribute("data-invalid");
    this.shadowRoot.querySelector(".crowd-error-text").hidden = true;
    this._drawChoices();
    this.shadowRoot.querySelector(`[data-index="${index}"]`)?.focus();
    this.dispatchEvent(new CustomEvent("change", { bubbles: true, detail: { label: name, labels: [...this._chosen] } }));
    return true;
  }

  handleEnter() { return false; }

  _comment() {
    const box = this.shadowRoot?.querySelector("[data-comment]");
    return box && box.value.trim() ? box.value : null;
  }

  /** The chosen category (single choice) or categories (multi-select), as change listeners expect. */
  get value() {
    if (!this._chosen) return this.constructor.multi ? [] : "";
    const chosen = this._options().filter((o) => this._chosen.has(o));
    return this.constructor.multi ? chosen : (chosen[0] ?? "");
  }

  set value(v) {
    this._chosen = new Set([].concat(v ?? []).map(String));
    this._drawChoices();
  }

  /** The answer fragment's object: {label[, workerComment]} or {labels[, workerComment]}. */
  answer() {
    const chosen = this.value;
    const out = this.constructor.multi ? { labels: chosen } : { label: chosen };
    const comment = this._comment();
    if (comment !== null && this.constructor.image) out.workerComment = comment;
    return out;
  }

  contribute() {
    if (!this.name || (!this.constructor.multi && this.value === "")) return null;
    return { [this.name]: this.answer() };
  }

  validate() {
    if (this._chosen.size) return null;
    const message = this.constructor.multi ? "Choose at least one category." : "Choose a category.";
    const err = this.shadowRoot.querySelector(".crowd-error-text");
    err.hidden = false;
    err.textContent = message;
    return `${this.getAttribute("header") || this.name}: ${message}`;
  }
}

export class CrowdClassifier extends CrowdClassifierBase {}

export class CrowdClassifierMultiSelect extends CrowdClassifierBase { static multi = true; }

export class CrowdImageClassifier extends CrowdClassifierBase { static image = true; }

export class CrowdImageClassifierMultiSelect extends CrowdClassifierBase {
  static image = true;
  static multi = true;
}

customElements.define("crowd-classifier", CrowdClassifier);
customElements.define("crowd-classifier-multi-select", CrowdClassifierMultiSelect);
customElements.define("crowd-image-classifier", CrowdImageClassifier);
customElements.define("crowd-image-classifier-multi-select", CrowdImageClassifierMultiSelect);
