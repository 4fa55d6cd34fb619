// The two A2I-only elements (crowd-textract-analyze-document lives in textract.js). Their
// answers sit under fixed keys, not under `name`:
//   crowd-textract-analyze-document  -> {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [...]}}
//   crowd-rekognition-detect-moderation-labels
//                                    -> {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [...]}}
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";
import { ZoomPan, zoomFrame } from "./zoom.js";

export const TEXTRACT_KEY = "AWS/Textract/AnalyzeDocument/Forms/V1";
export const REKOGNITION_KEY = "AWS/Rekognition/DetectModerationLabels/Image/V3";

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
      <div class="crowd-image-wrap">${zoomFrame(`<img class="crowd-target-image" alt="image under review" draggable="false" src="${escapeHtml(this.attr("src"))}">`, { focusable: true })}</div>
      <div class="crowd-choices" role="group" data-choices></div>`);
    wireInstructions(this, root);
    this._zoom = new ZoomPan(root, () => {}, { dragPans: true });
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

customElements.define("crowd-rekognition-detect-moderation-labels", CrowdRekognitionDetectModerationLabels);
