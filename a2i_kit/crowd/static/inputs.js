// Form controls: crowd-button, crowd-input, crowd-text-area, crowd-checkbox, crowd-toggle-button,
// crowd-radio-group / crowd-radio-button, crowd-slider.
import { CrowdElement, escapeHtml } from "./core.js";

export class CrowdButton extends CrowdElement {
  static delegatesFocus = true;

  render(root) {
    const variant = this.attr("variant", "normal");
    const icon = this.getAttribute("icon-url");
    root.innerHTML = `<button type="button" part="button" class="crowd-button crowd-button-${escapeHtml(variant)}"
      ${this.flag("disabled") ? "disabled" : ""}>${icon ? `<img class="crowd-icon" alt="" src="${escapeHtml(icon)}">` : ""}<slot></slot></button>`;
    root.querySelector("button").addEventListener("click", () => this._activate());
  }

  _activate() {
    if (this.flag("disabled")) return;
    const action = this.getAttribute("form-action");
    if (action === "submit") this.ownerForm()?.submit();
    else if (action === "reset") this.ownerForm()?.reset();
    else if (this.hasAttribute("href")) window.open(this.getAttribute("href"), this.attr("target", "_self"));
  }
}

class CrowdTextControl extends CrowdElement {
  static delegatesFocus = true;
  static multiline = false;

  render(root) {
    const multiline = this.constructor.multiline;
    const id = "f";
    const common = `id="${id}" part="input" class="crowd-field"
      placeholder="${escapeHtml(this.attr("placeholder"))}"
      ${this.flag("disabled") ? "disabled" : ""} ${this.flag("required") ? "required" : ""}
      ${this.hasAttribute("max-length") ? `maxlength="${escapeHtml(this.getAttribute("max-length"))}"` : ""}
      ${this.hasAttribute("min-length") ? `minlength="${escapeHtml(this.getAttribute("min-length"))}"` : ""}
      ${this.flag("auto-focus") ? "autofocus" : ""} aria-label="${escapeHtml(this.attr("label", this.name))}"`;
    const field = multiline
      ? `<textarea ${common} rows="${escapeHtml(this.attr("rows", "3"))}"></textarea>`
      : `<input ${common} type="${escapeHtml(this.attr("type", "text"))}">`;
    root.innerHTML = `<label class="crowd-field-wrap">${this.hasAttribute("label")
      ? `<span class="crowd-label">${escapeHtml(this.getAttribute("label"))}${this.flag("required") ? " *" : ""}</span>` : ""}
      ${field}<span class="crowd-counter" hidden></span><span class="crowd-error-text" hidden></span></label>`;
    this._field = root.getElementById(id);
    if (this._pendingValue !== undefined) this._field.value = this._pendingValue;
    else this._field.value = this.attr("value");
    this._field.addEventListener("input", () => { this.removeAttribute("data-invalid"); this._updateCounter(); });
    this._field.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })));
    if (this.flag("auto-focus")) queueMicrotask(() => this._field.focus());
    this._updateCounter();
  }

  _updateCounter() {
    const counter = this.shadowRoot.querySelector(".crowd-counter");
    if (!this.flag("char-counter")) return;
    counter.hidden = false;
    counter.textContent = `${this._field.value.length}${this.hasAttribute("max-length") ? ` / ${this.getAttribute("max-length")}` : ""}`;
  }

  get value() { return this._field ? this._field.value : (this._pendingValue ?? this.attr("value")); }

  set value(v) {
    if (this._field) this._field.value = v ?? ""; else this._pendingValue = v ?? "";
  }

  reset() { if (this._field) this._field.value = this.attr("value"); }

  validate() {
    const label = this.attr("label", this.name || this.localName);
    let message = null;
    if (this.flag("required") && !this.value.trim()) message = `"${label}" is required.`;
    else if (this._field && !this._field.checkValidity()) message = `"${label}": ${this._field.validationMessage}`;
    else if (this.value && this.hasAttribute("allowed-pattern") && this.flag("auto-validate")) {
      const pattern = new RegExp(`^(?:${this.getAttribute("allowed-pattern")})+$`);
      if (!pattern.test(this.value)) message = this.attr("error-message", `"${label}" has an invalid format.`);
    }
    const err = this.shadowRoot?.querySelector(".crowd-error-text");
    if (err) { err.hidden = !message; err.textContent = message || ""; }
    return message;
  }
}

export class CrowdInput extends CrowdTextControl {
  render(root) {
    super.render(root);
    this._field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); this.ownerForm()?.submit(); }
    });
  }

  // An empty crowd-input is left out of the answer (as A2I does).
  contribute() { return this.name && this.value !== "" ? { [this.name]: this.value } : null; }
}

export class CrowdTextArea extends CrowdTextControl {
  static multiline = true;

  contribute() { return this.name ? { [this.name]: this.value } : null; }
}

class CrowdToggleBase extends CrowdElement {
  static delegatesFocus = true;
  static kind = "checkbox";

  render(root) {
    const kind = this.constructor.kind;
    const role = kind === "toggle" ? 'role="switch"' : "";
    // A span, not a <label>: Chromium does not always activate a label's control for clicks on
    // slotted text (a radio button inside crowd-radio-group stayed unchecked), so the host does it.
    root.innerHTML = `<span class="crowd-check crowd-${kind}"><input type="${kind === "radio" ? "radio" : "checkbox"}" ${role}
      part="input" ${this.flag("disabled") ? "disabled" : ""} aria-label="${escapeHtml(this.textContent.trim() || this.attr("value", this.name))}"><span
      class="crowd-check-mark" aria-hidden="true"></span><span class="crowd-check-label"><slot></slot></span></span>`;
    this._box = root.querySelector("input");
    this.addEventListener("click", (e) => {
      if (e.defaultPrevented || e.composedPath()[0] === this._box || this._box.disabled) return;
      const inside = e.composedPath().slice(0, e.composedPath().indexOf(this));
      if (inside.some((n) => n.localName && /^(a|button|input|select|textarea|label)$/.test(n.localName))) return;
      this._box.click();
    });
    this._box.checked = this._pendingChecked ?? this.flag("checked");
    this._box.addEventListener("change", () => {
      this.removeAttribute("data-invalid");
      if (kind === "radio") this.closest("crowd-radio-group")?._select(this);
      this.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  get checked() { return this._box ? this._box.checked : (this._pendingChecked ?? this.flag("checked")); }

  set checked(v) { if (this._box) this._box.checked = Boolean(v); else this._pendingChecked = Boolean(v); }

  get value() { return this.attr("value", "on"); }

  set value(v) { this.setAttribute("value", v); }

  reset() { this.checked = this.flag("checked"); }

  contribute() { return this.name ? { [this.name]: { [this.value]: this.checked } } : null; }

  validate() {
    if (this.flag("required") && !this.checked) return `"${this.name || this.textContent.trim()}" must be checked.`;
    return null;
  }
}

export class CrowdCheckbox extends CrowdToggleBase {}

export class CrowdToggleButton extends CrowdToggleBase { static kind = "toggle"; }

// crowd-radio-button has no `required` support (as in A2I); validate in onsubmit instead.
export class CrowdRadioButton extends CrowdToggleBase {
  static kind = "radio";

  validate() { return null; }
}

export class CrowdRadioGroup extends CrowdElement {
  render(root) {
    root.innerHTML = '<div class="crowd-radio-group" role="radiogroup" part="group"><slot></slot></div>';
  }

  /** `required` on the group (as on native radios): one of its buttons must be chosen. */
  validate() {
    if (!this.flag("required") || Array.from(this.querySelectorAll("crowd-radio-button")).some((b) => b.checked)) return null;
    const first = this.querySelector("crowd-radio-button");
    return `Choose one of the options${first?.name ? ` of "${this.name || first.name}"` : ""}.`;
  }

  _select(chosen) {
    for (const b of this.querySelectorAll("crowd-radio-button")) if (b !== chosen) b.checked = false;
  }
}

export class CrowdSlider extends CrowdElement {
  static delegatesFocus = true;

  render(root) {
    const [min, max, step] = [this.attr("min", "0"), this.attr("max", "100"), this.attr("step", "1")];
    root.innerHTML = `<div class="crowd-slider">
      <input type="range" part="input" min="${escapeHtml(min)}" max="${escapeHtml(max)}" step="${escapeHtml(step)}"
        aria-label="${escapeHtml(this.attr("label", this.name))}" ${this.flag("disabled") ? "disabled" : ""}>
      <output class="crowd-slider-pin"></output>${this.flag("editable") ? '<input type="number" class="crowd-slider-edit" aria-label="value">' : ""}
      <div class="crowd-slider-labels"><slot></slot></div></div>`;
    this._range = root.querySelector("input[type=range]");
    this._range.value = this._pendingValue ?? this.attr("value", min);
    const pin = root.querySelector("output");
    const edit = root.querySelector(".crowd-slider-edit");
    const sync = () => { pin.textContent = this._range.value; if (edit) edit.value = this._range.value; };
    this._range.addEventListener("input", () => { this._touched = true; sync(); });
    this._range.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })));
    edit?.addEventListener("change", () => { this._range.value = edit.value; this._touched = true; sync(); });
    sync();
  }

  get value() { return Number(this._range ? this._range.value : (this._pendingValue ?? this.attr("value", this.attr("min", "0")))); }

  set value(v) { if (this._range) { this._range.value = v; this._range.dispatchEvent(new Event("input")); } else this._pendingValue = v; }

  // Unconfirmed in the AWS docs; we emit the number itself: {"<name>": 4}.
  contribute() { return this.name ? { [this.name]: this.value } : null; }

  validate() {
    if (this.flag("required") && !this._touched && !this.hasAttribute("value")) return `Please set "${this.name}" with the slider.`;
    return null;
  }
}

customElements.define("crowd-button", CrowdButton);
customElements.define("crowd-input", CrowdInput);
customElements.define("crowd-text-area", CrowdTextArea);
customElements.define("crowd-checkbox", CrowdCheckbox);
customElements.define("crowd-toggle-button", CrowdToggleButton);
customElements.define("crowd-radio-button", CrowdRadioButton);
customElements.define("crowd-radio-group", CrowdRadioGroup);
customElements.define("crowd-slider", CrowdSlider);
