// <crowd-entity-annotation>: select text, then pick a label (click or keys 1-9/0). Self-contained:
// it carries its own crowd-form (reachable as shadowRoot.querySelector("crowd-form").form, where
// templates may append extra inputs) and Submit button. Offsets count Unicode code points, end
// exclusive; overlapping spans are allowed.
import { CrowdElement, INSTRUCTION_SLOTS, codePointOffset, escapeHtml, instructionLayout, wireInstructions } from "./core.js";

export class CrowdEntityAnnotation extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;

  render(root) {
    this._labels = this._labels ?? this.jsonAttr("labels", []);
    this._text = this.attr("text");
    this._entities = (this.jsonAttr("initial-value", []) || []).map((e) => ({
      label: String(e.label), startOffset: Number(e.startOffset), endOffset: Number(e.endOffset) }));
    root.innerHTML = `<crowd-form class="crowd-entity-form">${instructionLayout(this, `
      <div class="crowd-label-picker" role="group" aria-label="Labels" data-labels></div>
      <div class="crowd-entity-text" tabindex="0" data-text aria-label="Text to annotate"></div>
      <p class="crowd-hint">Select text with the mouse, then choose a label (click it or press its number). Click a highlighted span in the list to remove it.</p>
      <ol class="crowd-shape-list" data-list></ol>`)}</crowd-form>`;
    wireInstructions(this, root);
    this._innerForm = root.querySelector("crowd-form");
    this._innerForm._owner = this;
    root.querySelector("[data-labels]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-index]");
      if (b) this.pickOption(Number(b.dataset.index));
    });
    root.querySelector("[data-list]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-delete]");
      if (b) { this._entities.splice(Number(b.dataset.delete), 1); this._draw(); }
    });
    this._textBox = root.querySelector("[data-text]");
    this._textBox.addEventListener("keydown", (e) => {
      if (/^[0-9]$/.test(e.key) && this.pickOption(e.key === "0" ? 9 : Number(e.key) - 1)) e.preventDefault();
    });
    this._drawLabels();
    this._draw();
  }

  get labels() { return this._labels ?? this.jsonAttr("labels", []); }

  set labels(list) { this._labels = Array.from(list || []); this._drawLabels(); }

  _labelName(l) { return typeof l === "object" && l !== null ? String(l.label) : String(l); }

  _drawLabels() {
    const box = this.shadowRoot?.querySelector("[data-labels]");
    if (!box) return;
    box.innerHTML = this.labels.map((l, i) => {
      const full = typeof l === "object" ? l.fullDisplayName || l.longDisplayName || l.label : l;
      const short = typeof l === "object" ? l.shortDisplayName || "" : "";
      return `<button type="button" class="crowd-choice crowd-entity-label-${i % 10}" data-index="${i}" title="${escapeHtml(full)}">
        ${i < 10 ? `<kbd>${(i + 1) % 10}</kbd>` : ""}${escapeHtml(full)}${short ? ` <small>(${escapeHtml(short)})</small>` : ""}</button>`;
    }).join("");
  }

  /** The current selection inside the text as [start, end) code-point offsets, or null. */
  selectionOffsets() {
    const sel = this.shadowRoot.getSelection ? this.shadowRoot.getSelection() : document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!this._textBox.contains(range.startContainer) || !this._textBox.contains(range.endContainer)) return null;
    const before = document.createRange();
    before.selectNodeContents(this._textBox);
    before.setEnd(range.startContainer, range.startOffset);
    const start16 = before.toString().length;
    const end16 = start16 + range.toString().length;
    let [s, e] = [codePointOffset(this._text, start16), codePointOffset(this._text, end16)];
    const chars = Array.from(this._text);
    while (s < e && /\s/.test(chars[s])) s++;
    while (e > s && /\s/.test(chars[e - 1])) e--;
    return e > s ? [s, e] : null;
  }

  /** Label the selected text (or the given offsets) with label number index. */
  pickOption(index, offsets = null) {
    if (index < 0 || index >= this.labels.length) return false;
    const span = offsets || this.selectionOffsets();
    if (!span) return false;
    this._entities.push({ label: this._labelName(this.labels[index]), startOffset: span[0], endOffset: span[1] });
    (this.shadowRoot.getSelection ? this.shadowRoot.getSelection() : document.getSelection())?.removeAllRanges();
    this._draw();
    this.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  handleEnter() { this._innerForm.submit(); return true; }

  _draw() {
    if (!this._textBox) return;
    const chars = Array.from(this._text);
    const cuts = new Set([0, chars.length]);
    for (const e of this._entities) { cuts.add(e.startOffset); cuts.add(e.endOffset); }
    const points = [...cuts].filter((c) => c >= 0 && c <= chars.length).sort((a, b) => a - b);
    let html = "";
    for (let k = 0; k < points.length - 1; k++) {
      const [a, b] = [points[k], points[k + 1]];
      const piece = escapeHtml(chars.slice(a, b).join(""));
      const covering = this._entities.filter((e) => e.startOffset <= a && e.endOffset >= b);
      if (!covering.length) { html += piece; continue; }
      const idx = this.labels.findIndex((l) => this._labelName(l) === covering[covering.length - 1].label);
      html += `<mark class="crowd-entity crowd-entity-label-${Math.max(idx, 0) % 10}" title="${escapeHtml(covering.map((e) => e.label).join(", "))}">${piece}</mark>`;
    }
    this._textBox.innerHTML = html;
    this.shadowRoot.querySelector("[data-list]").innerHTML = this._entities.map((e, i) => `<li>
      <span class="crowd-entity-tag">${escapeHtml(e.label)}</span> “${escapeHtml(chars.slice(e.startOffset, e.endOffset).join(""))}”
      <span class="crowd-geom">${e.startOffset}–${e.endOffset}</span>
      <button type="button" class="crowd-button crowd-button-normal crowd-small" data-delete="${i}">Remove</button></li>`).join("");
  }

  get value() { return { entities: this._entities.map((e) => ({ ...e })) }; }

  contribute() { return { [this.name || "crowd-entity-annotation"]: this.value }; }

  ownerForm() { return this._innerForm; }
}

customElements.define("crowd-entity-annotation", CrowdEntityAnnotation);
