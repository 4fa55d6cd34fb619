// <crowd-textract-analyze-document>: Textract key-value review. The page image shows every pair's
// key box (blue, dashed) and value box (green) from the blocks' geometry (BoundingBox ratios of the
// page); the table lists each pair with Textract's confidences, an editable value, "Value is blank"
// and "Not a key-value pair". Choosing a row (or clicking a box) selects the pair: drag its value
// box to move it, drag a corner to resize it, or drag on the page to draw a new value box (unless
// no-geometry-edit). An edited box is answered as the value block's geometry (boundingBox and a
// four-point polygon, page ratios). The page zooms and pans (zoom.js).
// Answer: {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [key, value, ...]}}.
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";
import { TEXTRACT_KEY } from "./a2i.js";
import { ZoomPan, zoomFrame } from "./zoom.js";

const KV_SVG = "http://www.w3.org/2000/svg";

function blockText(block, byId) {
  if (!block) return "";
  const ids = (block.relationships || []).filter((r) => r.type === "CHILD").flatMap((r) => r.ids || []);
  const words = ids.map((id) => byId.get(id)).filter((b) => b && b.blockType === "WORD").map((b) => b.text);
  return words.length ? words.join(" ") : (block.text || "");
}

/** A block's BoundingBox as {left, top, width, height} page ratios, or null. */
function blockBox(block) {
  const g = block?.geometry || block?.Geometry;
  const b = g?.boundingBox || g?.BoundingBox;
  if (!b) return null;
  const n = (k) => Number(b[k] ?? b[k[0].toUpperCase() + k.slice(1)]);
  const box = { left: n("left"), top: n("top"), width: n("width"), height: n("height") };
  return Object.values(box).every(Number.isFinite) ? box : null;
}

const pct = (c) => (typeof c === "number" ? `${Math.round(c * 10) / 10}%` : "");
const ratio = (v) => Math.round(v * 1e6) / 1e6;

export class CrowdTextractAnalyzeDocument extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;

  render(root) {
    const blocks = this.jsonAttr("initial-value", []) || [];
    const byId = new Map(blocks.map((b) => [b.id, b]));
    this._pairs = blocks.filter((b) => b.blockType === "KEY_VALUE_SET" && (b.entityTypes || []).includes("KEY")).map((key) => {
      const valueId = (key.relationships || []).find((r) => r.type === "VALUE")?.ids?.[0];
      const value = byId.get(valueId);
      return { key, value, keyText: blockText(key, byId), valueText: blockText(value, byId), drop: false, blank: false,
        keyBox: blockBox(key), valueBox: blockBox(value), moved: false };
    });
    this._selected = -1;
    this._size = { width: 0, height: 0 };
    const important = (this.jsonAttr("keys", []) || []).map((k) => (typeof k === "object" ? k.importantFormKey : String(k)));
    const missing = important.filter((k) => !this._pairs.some((p) => p.keyText.toLowerCase() === String(k).toLowerCase()));
    const editable = !this.flag("no-geometry-edit");
    root.innerHTML = instructionLayout(this, `
      <div class="crowd-doc crowd-stage">${zoomFrame(`<svg xmlns="${KV_SVG}" class="crowd-canvas crowd-doc-page" tabindex="0" data-svg
        aria-label="Document page"><image data-image preserveAspectRatio="none"></image><g data-boxes></g><g data-draft></g></svg>`, { label: "Document" })}</div>
      <p class="crowd-hint"><span class="crowd-kv-legend crowd-kv-legend-key"></span>key <span class="crowd-kv-legend crowd-kv-legend-value"></span>value.
        Choose a row or click a box to select its pair${editable ? "; then drag the value box to move it, a corner to resize it, or drag on the page to draw it again" : ""}.
        Wheel, + and - zoom; Space + drag pans.</p>
      <div class="crowd-kv-scroll"><table class="crowd-kv"><thead><tr><th>#</th><th>Key</th><th>Value</th><th>Value is blank</th><th>Not a key-value pair</th></tr></thead>
      <tbody data-rows></tbody></table></div>
      ${missing.length ? `<div class="crowd-kv-add"><label class="crowd-label">Key not found in the list? Add it:</label>
        <select data-add-key aria-label="Missing key">${missing.map((k) => `<option>${escapeHtml(k)}</option>`).join("")}</select>
        <input class="crowd-field" data-add-value aria-label="Value of the missing key" placeholder="value">
        <button type="button" class="crowd-button crowd-button-normal" data-add>Add</button></div>` : ""}`);
    wireInstructions(this, root);
    this._svg = root.querySelector("[data-svg]");
    this._zoom = new ZoomPan(root, () => this._drawBoxes());
    const probe = new Image();
    probe.onload = () => {
      this._size = { width: probe.naturalWidth, height: probe.naturalHeight };
      this._svg.setAttribute("viewBox", `0 0 ${probe.naturalWidth} ${probe.naturalHeight}`);
      this._svg.style.aspectRatio = `${probe.naturalWidth} / ${probe.naturalHeight}`;
      // Small scans are enlarged for precise boxes; large pages start at a readable 900px (zoom for detail).
      root.querySelector(".crowd-stage").style.maxWidth = `${Math.min(900, Math.max(probe.naturalWidth, Math.min(720, probe.naturalWidth * 3)))}px`;
      const image = root.querySelector("[data-image]");
      image.setAttribute("width", probe.naturalWidth);
      image.setAttribute("height", probe.naturalHeight);
      image.setAttribute("href", this.attr("src"));
      this._drawBoxes();
      this.dataset.imageReady = "";
    };
    probe.src = this.attr("src");
    root.querySelector("[data-add]")?.addEventListener("click", () => {
      const keyText = root.querySelector("[data-add-key]").value;
      const id = `worker-${this._pairs.length + 1}`;
      this._pairs.push({ key: { blockType: "KEY_VALUE_SET", id: `${id}-key`, entityTypes: ["KEY"] },
        value: { blockType: "KEY_VALUE_SET", id: `${id}-value`, entityTypes: ["VALUE"] },
        keyText, valueText: root.querySelector("[data-add-value]").value, drop: false, blank: false, keyBox: null, valueBox: null, moved: false });
      this._drawRows();
      this.select(this._pairs.length - 1);
    });
    const rows = root.querySelector("[data-rows]");
    rows.addEventListener("input", (e) => {
      const pair = this._pairs[Number(e.target.dataset.i)];
      if (e.target.dataset.field === "value") pair.valueText = e.target.value;
      if (e.target.dataset.field === "key") pair.keyText = e.target.value;
      if (e.target.dataset.field === "blank") pair.blank = e.target.checked;
      if (e.target.dataset.field === "drop") { pair.drop = e.target.checked; this._drawBoxes(); }
    });
    rows.addEventListener("focusin", (e) => { const tr = e.target.closest("[data-row]"); if (tr) this.select(Number(tr.dataset.row)); });
    rows.addEventListener("click", (e) => { const tr = e.target.closest("[data-row]"); if (tr) this.select(Number(tr.dataset.row)); });
    this._svg.addEventListener("pointerdown", (e) => this._pointer(e, "down"));
    this._svg.addEventListener("pointermove", (e) => this._pointer(e, "move"));
    this._svg.addEventListener("pointerup", (e) => this._pointer(e, "up"));
    this._drawRows();
  }

  _drawRows() {
    const noKeyEdit = this.flag("no-key-edit");
    const conf = (b) => (b && typeof b.confidence === "number"
      ? `<span class="crowd-conf${b.confidence < 80 ? " crowd-conf-low" : ""}" title="Textract confidence">${pct(b.confidence)}</span>` : "");
    this.shadowRoot.querySelector("[data-rows]").innerHTML = this._pairs.map((p, i) => `<tr data-row="${i}"${i === this._selected ? ' class="crowd-kv-selected"' : ""}>
      <td>${i + 1}</td>
      <td>${noKeyEdit ? escapeHtml(p.keyText) : `<input class="crowd-field" data-i="${i}" data-field="key" value="${escapeHtml(p.keyText)}" aria-label="key ${i + 1}">`}${conf(p.key)}</td>
      <td><input class="crowd-field" data-i="${i}" data-field="value" value="${escapeHtml(p.valueText)}" aria-label="value of ${escapeHtml(p.keyText)}">${conf(p.value)}</td>
      <td><input type="checkbox" data-i="${i}" data-field="blank" ${p.blank ? "checked" : ""} aria-label="value of ${escapeHtml(p.keyText)} is blank"></td>
      <td><input type="checkbox" data-i="${i}" data-field="drop" ${p.drop ? "checked" : ""} aria-label="${escapeHtml(p.keyText)} is not a key-value pair"></td></tr>`).join("");
  }

  /** Select pair `index`: its row and boxes are highlighted; its value box becomes editable. */
  select(index) {
    if (index === this._selected) return;
    this._selected = index;
    for (const tr of this.shadowRoot.querySelectorAll("[data-row]")) tr.classList.toggle("crowd-kv-selected", Number(tr.dataset.row) === index);
    this._drawBoxes();
  }

  get _unit() {
    const width = this._svg.getBoundingClientRect().width;
    return width && this._size.width ? this._size.width / width : 1;
  }

  _px(box) {
    const { width: W, height: H } = this._size;
    return { x: box.left * W, y: box.top * H, w: box.width * W, h: box.height * H };
  }

  _drawBoxes() {
    if (!this._size.width) return;
    const r = 5 * this._unit;
    const rect = (b, cls, i, extra = "") => {
      const p = this._px(b);
      return `<rect class="${cls}" data-pair="${i}" x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" vector-effect="non-scaling-stroke" ${extra}/>`;
    };
    let out = "";
    this._pairs.forEach((p, i) => {
      if (p.drop) return;
      const sel = i === this._selected ? " crowd-kv-box-selected" : "";
      if (p.keyBox) out += rect(p.keyBox, `crowd-kv-box crowd-kv-box-key${sel}`, i);
      if (p.valueBox) out += rect(p.valueBox, `crowd-kv-box crowd-kv-box-value${sel}`, i, 'data-move=""');
    });
    const sel = this._pairs[this._selected];
    if (sel?.valueBox && !this.flag("no-geometry-edit")) {
      const p = this._px(sel.valueBox);
      out += [["nw", p.x, p.y], ["ne", p.x + p.w, p.y], ["sw", p.x, p.y + p.h], ["se", p.x + p.w, p.y + p.h]].map(([h, x, y]) =>
        `<rect class="crowd-handle crowd-handle-${h}" data-pair="${this._selected}" data-handle="${h}" x="${x - r}" y="${y - r}" width="${2 * r}"
          height="${2 * r}" fill="#fff" stroke="#ea580c" stroke-width="1.5" vector-effect="non-scaling-stroke"/>`).join("");
    }
    this.shadowRoot.querySelector("[data-boxes]").innerHTML = out;
    const d = this._draft;
    this.shadowRoot.querySelector("[data-draft]").innerHTML = d ? `<rect x="${Math.min(d.a.x, d.b.x)}" y="${Math.min(d.a.y, d.b.y)}"
      width="${Math.abs(d.b.x - d.a.x)}" height="${Math.abs(d.b.y - d.a.y)}" fill="none" stroke="#ea580c" stroke-width="2"
      stroke-dasharray="6 4" vector-effect="non-scaling-stroke"/>` : "";
  }

  _point(event) {
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(this._svg.getScreenCTM().inverse());
    return { x: Math.min(Math.max(p.x, 0), this._size.width), y: Math.min(Math.max(p.y, 0), this._size.height) };
  }

  _pointer(event, phase) {
    if (!this._size.width || this._zoom.panning) return;
    const p = this._point(event);
    if (phase === "down") {
      if (event.button !== 0) return;
      this._svg.focus({ preventScroll: true });
      const hit = event.target.dataset?.pair;
      if (hit !== undefined && Number(hit) !== this._selected) { this.select(Number(hit)); return; }
      if (this.flag("no-geometry-edit") || this._selected < 0) return;
      this._svg.setPointerCapture?.(event.pointerId);
      const pair = this._pairs[this._selected];
      if (hit !== undefined && (event.target.dataset.handle || event.target.dataset.move !== undefined) && pair.valueBox) {
        this._drag = { mode: event.target.dataset.handle || "move", start: p, orig: this._px(pair.valueBox) };
      } else {
        this._draft = { a: p, b: p };
      }
    } else if (phase === "move") {
      if (this._draft) this._draft.b = p; else if (this._drag) this._dragTo(p); else return;
    } else {
      if (this._draft) {
        const { a, b } = this._draft;
        this._draft = null;
        if (Math.abs(b.x - a.x) >= 3 * this._unit && Math.abs(b.y - a.y) >= 3 * this._unit) {
          this._setValueBox({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) });
        }
      }
      this._drag = null;
    }
    this._drawBoxes();
  }

  _dragTo(p) {
    const { mode, start, orig } = this._drag;
    const [dx, dy] = [p.x - start.x, p.y - start.y];
    const { width: W, height: H } = this._size;
    if (mode === "move") {
      this._setValueBox({ x: Math.min(Math.max(orig.x + dx, 0), W - orig.w), y: Math.min(Math.max(orig.y + dy, 0), H - orig.h), w: orig.w, h: orig.h });
      return;
    }
    let [x1, y1, x2, y2] = [orig.x, orig.y, orig.x + orig.w, orig.y + orig.h];
    if (mode.includes("w")) x1 += dx; else x2 += dx;
    if (mode.includes("n")) y1 += dy; else y2 += dy;
    this._setValueBox({ x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) });
  }

  _setValueBox({ x, y, w, h }) {
    const { width: W, height: H } = this._size;
    const pair = this._pairs[this._selected];
    pair.valueBox = { left: x / W, top: y / H, width: w / W, height: h / H };
    pair.moved = true;
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  get value() {
    const blocks = [];
    for (const p of this._pairs.filter((x) => !x.drop)) {
      const key = { ...p.key, text: p.keyText };
      const value = { ...(p.value || { blockType: "KEY_VALUE_SET", id: `${p.key.id}-value`, entityTypes: ["VALUE"] }), text: p.blank ? "" : p.valueText };
      if (p.moved && p.valueBox) {
        const b = p.valueBox;
        value.geometry = { boundingBox: { width: ratio(b.width), height: ratio(b.height), left: ratio(b.left), top: ratio(b.top) },
          polygon: [[b.left, b.top], [b.left + b.width, b.top], [b.left + b.width, b.top + b.height], [b.left, b.top + b.height]]
            .map(([px, py]) => ({ x: ratio(px), y: ratio(py) })) };
      }
      const rel = (key.relationships || []).filter((r) => r.type !== "VALUE");
      key.relationships = [{ type: "VALUE", ids: [value.id] }, ...rel];
      blocks.push(key, value);
    }
    return { blocks };
  }

  contribute() { return { [TEXTRACT_KEY]: this.value }; }
}

customElements.define("crowd-textract-analyze-document", CrowdTextractAnalyzeDocument);
