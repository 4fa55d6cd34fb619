// The two A2I-only elements. Their answers sit under fixed keys, not under `name`:
//   crowd-textract-analyze-document  -> {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [...]}}
//   crowd-rekognition-detect-moderation-labels
//                                    -> {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [...]}}
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";

export const TEXTRACT_KEY = "AWS/Textract/AnalyzeDocument/Forms/V1";
export const REKOGNITION_KEY = "AWS/Rekognition/DetectModerationLabels/Image/V3";

function blockText(block, byId) {
  if (!block) return "";
  const ids = (block.relationships || []).filter((r) => r.type === "CHILD").flatMap((r) => r.ids || []);
  const words = ids.map((id) => byId.get(id)).filter((b) => b && b.blockType === "WORD").map((b) => b.text);
  return words.length ? words.join(" ") : (block.text || "");
}

/** Key-value review: each pair is shown with an editable value, "Value is blank" and "Not a key-value pair". */
export class CrowdTextractAnalyzeDocument extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;

  render(root) {
    const blocks = this.jsonAttr("initial-value", []) || [];
    const byId = new Map(blocks.map((b) => [b.id, b]));
    this._blocks = blocks;
    this._pairs = blocks.filter((b) => b.blockType === "KEY_VALUE_SET" && (b.entityTypes || []).includes("KEY")).map((key) => {
      const valueId = (key.relationships || []).find((r) => r.type === "VALUE")?.ids?.[0];
      const value = byId.get(valueId);
      return { key, value, keyText: blockText(key, byId), valueText: blockText(value, byId), drop: false, blank: false };
    });
    const important = (this.jsonAttr("keys", []) || []).map((k) => (typeof k === "object" ? k.importantFormKey : String(k)));
    const missing = important.filter((k) => !this._pairs.some((p) => p.keyText.toLowerCase() === String(k).toLowerCase()));
    root.innerHTML = instructionLayout(this, `
      <div class="crowd-doc"><img class="crowd-target-image" alt="document" src="${escapeHtml(this.attr("src"))}"></div>
      <table class="crowd-kv"><thead><tr><th>Key</th><th>Value</th><th>Value is blank</th><th>Not a key-value pair</th></tr></thead>
      <tbody data-rows></tbody></table>
      ${missing.length ? `<div class="crowd-kv-add"><label class="crowd-label">Key not found in the list? Add it:</label>
        <select data-add-key aria-label="Missing key">${missing.map((k) => `<option>${escapeHtml(k)}</option>`).join("")}</select>
        <input class="crowd-field" data-add-value aria-label="Value of the missing key" placeholder="value">
        <button type="button" class="crowd-button crowd-button-normal" data-add>Add</button></div>` : ""}`);
    wireInstructions(this, root);
    root.querySelector("[data-add]")?.addEventListener("click", () => {
      const keyText = root.querySelector("[data-add-key]").value;
      const id = `worker-${this._pairs.length + 1}`;
      this._pairs.push({ key: { blockType: "KEY_VALUE_SET", id: `${id}-key`, entityTypes: ["KEY"] },
        value: { blockType: "KEY_VALUE_SET", id: `${id}-value`, entityTypes: ["VALUE"] },
        keyText, valueText: root.querySelector("[data-add-value]").value, drop: false, blank: false });
      this._drawRows();
    });
    root.querySelector("[data-rows]").addEventListener("input", (e) => {
      const i = Number(e.target.dataset.i);
      const pair = this._pairs[i];
      if (e.target.dataset.field === "value") pair.valueText = e.target.value;
      if (e.target.dataset.field === "key") pair.keyText = e.target.value;
      if (e.target.dataset.field === "blank") pair.blank = e.target.checked;
      if (e.target.dataset.field === "drop") pair.drop = e.target.checked;
    });
    this._drawRows();
  }

  _drawRows() {
    const noKeyEdit = this.flag("no-key-edit");
    this.shadowRoot.querySelector("[data-rows]").innerHTML = this._pairs.map((p, i) => `<tr>
      <td>${noKeyEdit ? escapeHtml(p.keyText) : `<input class="crowd-field" data-i="${i}" data-field="key" value="${escapeHtml(p.keyText)}" aria-label="key ${i + 1}">`}</td>
      <td><input class="crowd-field" data-i="${i}" data-field="value" value="${escapeHtml(p.valueText)}" aria-label="value of ${escapeHtml(p.keyText)}"></td>
      <td><input type="checkbox" data-i="${i}" data-field="blank" ${p.blank ? "checked" : ""} aria-label="value of ${escapeHtml(p.keyText)} is blank"></td>
      <td><input type="checkbox" data-i="${i}" data-field="drop" ${p.drop ? "checked" : ""} aria-label="${escapeHtml(p.keyText)} is not a key-value pair"></td></tr>`).join("");
  }

  get value() {
    const blocks = [];
    for (const p of this._pairs.filter((x) => !x.drop)) {
      const key = { ...p.key, text: p.keyText };
      const value = { ...(p.value || { blockType: "KEY_VALUE_SET", id: `${p.key.id}-value`, entityTypes: ["VALUE"] }), text: p.blank ? "" : p.valueText };
      const rel = (key.relationships || []).filter((r) => r.type !== "VALUE");
      key.relationships = [{ type: "VALUE", ids: [value.id] }, ...rel];
      blocks.push(key, value);
    }
    return { blocks };
  }

  contribute() { return { [TEXTRACT_KEY]: this.value }; }
}

/** Moderation review: tick the labels that apply; the exclusion choice clears and locks them. */
export class CrowdRekognitionDetectModerationLabels extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;
  static delegatesFocus = true;

  render(root) {
    this._categories = this.jsonAttr("categories", []) || [];
    const exclusion = this.jsonAttr("exclusion-category", null);
    this._exclusion = exclusion && typeof exclusion === "object" ? exclusion.text : exclusion;
    this._chosen = new Set();
    this._excluded = false;
    root.innerHTML = instructionLayout(this, `
      <div class="crowd-image-wrap"><img class="crowd-target-image" alt="image under review" src="${escapeHtml(this.attr("src"))}"></div>
      <div class="crowd-choices" role="group" data-choices></div>`);
    wireInstructions(this, root);
    root.querySelector("[data-choices]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-index]");
      if (b) this.pickOption(Number(b.dataset.index));
    });
    this._draw();
  }

  _title(c) { return typeof c === "object" && c ? `${c.name}${c.parentName ? ` (${c.parentName})` : ""}` : String(c); }

  _draw() {
    const items = this._categories.map((c, i) => `<button type="button" class="crowd-choice" role="checkbox" data-index="${i}"
      aria-checked="${this._chosen.has(i)}" ${this._excluded ? "disabled" : ""}>${i < 9 ? `<kbd>${i + 1}</kbd>` : ""}${escapeHtml(this._title(c))}</button>`);
    if (this._exclusion) {
      const i = this._categories.length;
      items.push(`<button type="button" class="crowd-choice crowd-choice-exclusion" role="checkbox" data-index="${i}"
        aria-checked="${this._excluded}">${i < 9 ? `<kbd>${i + 1}</kbd>` : ""}${escapeHtml(this._exclusion)}</button>`);
    }
    this.shadowRoot.querySelector("[data-choices]").innerHTML = items.join("");
  }

  pickOption(index) {
    if (index === this._categories.length && this._exclusion) {
      this._excluded = !this._excluded;
      this._chosen.clear();
    } else if (index >= 0 && index < this._categories.length && !this._excluded) {
      if (this._chosen.has(index)) this._chosen.delete(index); else this._chosen.add(index);
    } else return false;
    this._draw();
    return true;
  }

  get value() {
    return { moderationLabels: this._excluded ? [] : this._categories.filter((_, i) => this._chosen.has(i)) };
  }

  contribute() { return { [REKOGNITION_KEY]: this.value }; }
}

customElements.define("crowd-textract-analyze-document", CrowdTextractAnalyzeDocument);
customElements.define("crowd-rekognition-detect-moderation-labels", CrowdRekognitionDetectModerationLabels);
