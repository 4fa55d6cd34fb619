// Image annotation: crowd-bounding-box, crowd-keypoint, crowd-point, crowd-polygon, crowd-line,
// crowd-polyline. An SVG whose viewBox is the image's natural size lies over the image, so every
// coordinate is in natural pixels (rounded to integers). The browser applies EXIF orientation
// (CSS image-orientation: from-image) and inputImageProperties is the oriented natural size.
// Keys: 1-9/0 choose the label, Delete removes the selected shape, Enter finishes a polygon or
// polyline, Escape cancels the shape being drawn.
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";
import { ZoomPan, zoomFrame } from "./zoom.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#c026d3", "#65a30d", "#b45309", "#475569"];
const SVG_NS = "http://www.w3.org/2000/svg";

class CrowdAnnotatorBase extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;
  static answerKey = "shapes";
  static hint = "";

  render(root) {
    this._labels = this._labels ?? this.jsonAttr("labels", []).map(String);
    this._label = 0;
    this._shapes = [];
    this._selected = -1;
    this._draft = null;
    this._modified = false;
    this._size = { width: 0, height: 0 };
    root.innerHTML = instructionLayout(this, `
      <div class="crowd-annot">
        <div class="crowd-label-picker" role="radiogroup" aria-label="Labels" data-labels></div>
        <div class="crowd-stage">${zoomFrame(`<svg xmlns="${SVG_NS}" class="crowd-canvas" tabindex="0" aria-label="Drawing area" data-svg>
          <image data-image preserveAspectRatio="none"></image><g data-shapes></g><g data-draft pointer-events="none"></g></svg>`)}</div>
        <p class="crowd-hint">${escapeHtml(this.constructor.hint)} Wheel, + and - zoom; Space + drag pans.</p>
        <ol class="crowd-shape-list" data-list></ol>
      </div>`);
    wireInstructions(this, root);
    this._svg = root.querySelector("[data-svg]");
    this._zoom = new ZoomPan(root, () => this._draw());
    const src = this.attr("src");
    const probe = new Image();
    probe.onload = () => {
      this._size = { width: probe.naturalWidth, height: probe.naturalHeight };
      this._svg.setAttribute("viewBox", `0 0 ${probe.naturalWidth} ${probe.naturalHeight}`);
      this._svg.style.aspectRatio = `${probe.naturalWidth} / ${probe.naturalHeight}`;
      // Small images are shown up to 720px wide so points can be placed precisely.
      const shown = `${Math.max(probe.naturalWidth, Math.min(720, probe.naturalWidth * 3))}px`;
      this._svg.style.maxWidth = shown;
      root.querySelector(".crowd-stage").style.maxWidth = shown;
      const image = root.querySelector("[data-image]");
      image.setAttribute("width", probe.naturalWidth);
      image.setAttribute("height", probe.naturalHeight);
      image.setAttribute("href", src);
      this._draw();   // shapes from initial-value were drawn before the size was known
      this.dataset.imageReady = "";
      this.dispatchEvent(new CustomEvent("crowd-image-loaded", { bubbles: true }));
    };
    probe.src = src;
    root.querySelector("[data-labels]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-index]");
      if (b) this.pickOption(Number(b.dataset.index));
    });
    root.querySelector("[data-list]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-delete]");
      if (b) this.deleteShape(Number(b.dataset.delete));
      const s = e.target.closest("[data-select]");
      if (s) { this._selected = Number(s.dataset.select); this._draw(); }
    });
    this._svg.addEventListener("pointerdown", (e) => this._pointer(e, "down"));
    this._svg.addEventListener("pointermove", (e) => this._pointer(e, "move"));
    this._svg.addEventListener("pointerup", (e) => this._pointer(e, "up"));
    this._svg.addEventListener("dblclick", (e) => { e.preventDefault(); this.finishDraft(); });
    this._svg.addEventListener("keydown", (e) => this._key(e));
    this._loadInitial(this.jsonAttr("initial-value", null));
    this._drawLabels();
    this._draw();
  }

  _loadInitial(initial) {
    if (initial === null || initial === undefined) return;
    this._hasInitial = true;
    const list = Array.isArray(initial) ? initial : (initial[this.constructor.answerKey] || []);
    this._shapes = list.map((s) => this.fromInitial(s)).filter(Boolean);
  }

  fromInitial(shape) { return shape; }

  get labels() { return this._labels ?? this.jsonAttr("labels", []); }

  set labels(list) { this._labels = Array.from(list || [], String); this._label = 0; this._drawLabels(); }

  _color(label) {
    const custom = this.jsonAttr("label-colors", null);
    const i = Math.max(0, this.labels.indexOf(label));
    return (Array.isArray(custom) && custom[i]) || PALETTE[i % PALETTE.length];
  }

  _drawLabels() {
    const box = this.shadowRoot?.querySelector("[data-labels]");
    if (!box) return;
    box.innerHTML = this.labels.map((l, i) => `<button type="button" class="crowd-choice" role="radio" aria-checked="${i === this._label}"
      data-index="${i}"><span class="crowd-swatch" style="background:${this._color(l)}"></span>${i < 10 ? `<kbd>${(i + 1) % 10}</kbd>` : ""}${escapeHtml(l)}</button>`).join("");
  }

  pickOption(index) {
    if (index < 0 || index >= this.labels.length) return false;
    this._label = index;
    if (this._selected >= 0 && this._shapes[this._selected]) {
      this._shapes[this._selected].label = this.labels[index];
      this._changed();
    }
    this._drawLabels();
    this._draw();
    return true;
  }

  handleEnter() { return this.finishDraft(); }

  get currentLabel() { return this.labels[this._label] ?? ""; }

  _point(event) {
    const ctm = this._svg.getScreenCTM();
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
    return { x: Math.min(Math.max(p.x, 0), this._size.width), y: Math.min(Math.max(p.y, 0), this._size.height) };
  }

  get _scale() {
    const width = this._svg.getBoundingClientRect().width;
    return width && this._size.width ? this._size.width / width : 1;
  }

  _pointer(event, phase) {
    if (!this._size.width || this._zoom.panning || (phase === "down" && event.button !== 0)) return;
    const p = this._point(event);
    if (phase === "down") {
      this._svg.focus();
      this._svg.setPointerCapture?.(event.pointerId);
      this.onDown(p, event.target);
    } else if (phase === "move") this.onMove(p);
    else this.onUp(p);
    this._draw();
  }

  _key(event) {
    if ((event.key === "Delete" || event.key === "Backspace") && this._selected >= 0) {
      event.preventDefault();
      this.deleteShape(this._selected);
    } else if (event.key === "Escape") {
      this._draft = null;
      this._draw();
    }
  }

  onDown() {}

  onMove() {}

  onUp() {}

  finishDraft() { return false; }

  addShape(shape) {
    this._shapes.push(shape);
    this._selected = -1;   // picking a label next must not relabel the shape just drawn
    this._changed();
  }

  deleteShape(index) {
    this._shapes.splice(index, 1);
    this._selected = -1;
    this._changed();
    this._draw();
  }

  _changed() {
    this._modified = true;
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  _draw() {
    if (!this.shadowRoot) return;
    const r = 5 * this._scale;
    this.shadowRoot.querySelector("[data-shapes]").innerHTML = this._shapes.map((s, i) => this.shapeSvg(s, i, i === this._selected, r)).join("");
    this.shadowRoot.querySelector("[data-draft]").innerHTML = this._draft ? this.draftSvg(this._draft, r) : "";
    this.shadowRoot.querySelector("[data-list]").innerHTML = this._shapes.map((s, i) => `<li${i === this._selected ? ' class="crowd-selected"' : ""}>
      <button type="button" class="crowd-link" data-select="${i}"><span class="crowd-swatch" style="background:${this._color(s.label)}"></span>${escapeHtml(s.label)}</button>
      <span class="crowd-geom">${escapeHtml(this.describe(s))}</span>
      <button type="button" class="crowd-button crowd-button-normal crowd-small" data-delete="${i}" aria-label="Delete ${escapeHtml(s.label)} ${i + 1}">Delete</button></li>`).join("");
  }

  shapeSvg() { return ""; }

  draftSvg() { return ""; }

  describe() { return ""; }

  toAnswer(shape) { return shape; }

  get value() {
    const out = { [this.constructor.answerKey]: this._shapes.map((s) => this.toAnswer(s)), inputImageProperties: { ...this._size } };
    if (this._hasInitial) out.initialValueModified = this._modified;
    return out;
  }

  contribute() { return this.name ? { [this.name]: this.value } : null; }
}

const round = (v) => Math.round(v);
const vertex = (p) => ({ x: round(p.x), y: round(p.y) });
const pts = (vs) => vs.map((v) => `${v.x},${v.y}`).join(" ");

export class CrowdBoundingBox extends CrowdAnnotatorBase {
  static answerKey = "boundingBoxes";
  static hint = "Drag on the image to draw a box. Drag a box to move it, its corners to resize it; Delete removes the selected box.";

  fromInitial(b) { return { label: String(b.label), left: +b.left, top: +b.top, width: +b.width, height: +b.height }; }

  onDown(p, target) {
    const i = target.dataset?.i !== undefined ? Number(target.dataset.i) : -1;
    if (i >= 0) {
      this._selected = i;
      this._drag = { mode: target.dataset.handle || "move", start: p, orig: { ...this._shapes[i] } };
      return;
    }
    this._selected = -1;
    this._draft = { start: p, end: p };
  }

  onMove(p) {
    if (this._draft) { this._draft.end = p; return; }
    if (!this._drag || this._selected < 0) return;
    const { mode, start, orig } = this._drag;
    const dx = p.x - start.x;
    const dy = p.y - start.y;
    const box = this._shapes[this._selected];
    if (mode === "move") {
      box.left = Math.min(Math.max(orig.left + dx, 0), this._size.width - orig.width);
      box.top = Math.min(Math.max(orig.top + dy, 0), this._size.height - orig.height);
    } else {
      let [x1, y1, x2, y2] = [orig.left, orig.top, orig.left + orig.width, orig.top + orig.height];
      if (mode.includes("w")) x1 += dx; else x2 += dx;
      if (mode.includes("n")) y1 += dy; else y2 += dy;
      Object.assign(box, { left: Math.min(x1, x2), top: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) });
    }
    this._drag.moved = true;
  }

  onUp() {
    if (this._draft) {
      const { start, end } = this._draft;
      this._draft = null;
      const box = { label: this.currentLabel, left: Math.min(start.x, end.x), top: Math.min(start.y, end.y),
        width: Math.abs(end.x - start.x), height: Math.abs(end.y - start.y) };
      if (box.width >= 2 * this._scale && box.height >= 2 * this._scale && this.currentLabel) this.addShape(box);
    } else if (this._drag?.moved) this._changed();
    this._drag = null;
  }

  shapeSvg(b, i, selected, r) {
    const c = this._color(b.label);
    const corners = selected ? [["nw", b.left, b.top], ["ne", b.left + b.width, b.top], ["sw", b.left, b.top + b.height],
      ["se", b.left + b.width, b.top + b.height]].map(([h, x, y]) => `<rect class="crowd-handle crowd-handle-${h}" data-i="${i}" data-handle="${h}"
      x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" fill="#fff" stroke="${c}" stroke-width="${r / 3}"/>`).join("") : "";
    return `<rect class="crowd-shape${selected ? " crowd-shape-selected" : ""}" data-i="${i}" x="${b.left}" y="${b.top}" width="${b.width}"
      height="${b.height}" fill="${c}" fill-opacity="0" stroke="${c}" stroke-width="${selected ? 3 : 2}" vector-effect="non-scaling-stroke"/>${corners}`;
  }

  draftSvg({ start, end }, r) {
    return `<rect x="${Math.min(start.x, end.x)}" y="${Math.min(start.y, end.y)}" width="${Math.abs(end.x - start.x)}"
      height="${Math.abs(end.y - start.y)}" fill="none" stroke="${this._color(this.currentLabel)}" stroke-dasharray="${r}" stroke-width="${r / 2}"/>`;
  }

  describe(b) { return `left ${round(b.left)}, top ${round(b.top)}, ${round(b.width)}×${round(b.height)}`; }

  toAnswer(b) {
    return { label: b.label, left: round(b.left), top: round(b.top), width: round(b.width), height: round(b.height) };
  }
}

export class CrowdKeypoint extends CrowdAnnotatorBase {
  static answerKey = "keypoints";
  static hint = "Click on the image to place a point with the chosen label. Drag a point to move it.";

  fromInitial(p) { return this.labels.includes(String(p.label)) ? { label: String(p.label), x: +p.x, y: +p.y } : null; }

  onDown(p, target) {
    if (target.dataset?.i !== undefined) {
      this._selected = Number(target.dataset.i);
      this._drag = { moved: false };
      return;
    }
    if (this.currentLabel) this.addShape({ label: this.currentLabel, ...p });
  }

  onMove(p) {
    if (!this._drag || this._selected < 0) return;
    Object.assign(this._shapes[this._selected], p);
    this._drag.moved = true;
  }

  onUp() { if (this._drag?.moved) this._changed(); this._drag = null; }

  shapeSvg(p, i, selected, r) {
    return `<circle class="crowd-shape${selected ? " crowd-shape-selected" : ""}" data-i="${i}" cx="${p.x}" cy="${p.y}" r="${selected ? 1.5 * r : r}"
      fill="${this._color(p.label)}" stroke="#fff" stroke-width="${r / 3}"/>`;
  }

  describe(p) { return `x ${round(p.x)}, y ${round(p.y)}`; }

  toAnswer(p) { return { label: p.label, x: round(p.x), y: round(p.y) }; }
}

/** Not an AWS element: single labelled points, answered exactly like crowd-keypoint. */
export class CrowdPoint extends CrowdKeypoint {}

class CrowdVertexShape extends CrowdAnnotatorBase {
  static closed = false;
  static maxVertices = Infinity;
  static minVertices = 2;

  fromInitial(s) { return { label: String(s.label), vertices: (s.vertices || []).map((v) => ({ x: +v.x, y: +v.y })) }; }

  onDown(p, target) {
    if (!this._draft && target.dataset?.v !== undefined) {   // drag one corner of the selected shape
      this._selected = Number(target.dataset.i);
      this._drag = { vertex: Number(target.dataset.v), moved: false };
      return;
    }
    if (!this._draft && target.dataset?.i !== undefined) { this._selected = Number(target.dataset.i); return; }
    if (!this.currentLabel) return;
    if (!this._draft) { this._selected = -1; this._draft = { vertices: [p], cursor: p }; return; }
    const first = this._draft.vertices[0];
    const near = Math.hypot(first.x - p.x, first.y - p.y) <= 8 * this._scale;
    if (this.constructor.closed && near && this._draft.vertices.length >= 3) { this.finishDraft(); return; }
    // The second press of the double-click that finishes a shape lands on its last point again.
    const last = this._draft.vertices[this._draft.vertices.length - 1];
    if (Math.hypot(last.x - p.x, last.y - p.y) <= 3 * this._scale) return;
    this._draft.vertices.push(p);
    if (this._draft.vertices.length >= this.constructor.maxVertices) this.finishDraft();
  }

  onMove(p) {
    if (this._draft) { this._draft.cursor = p; return; }
    if (!this._drag || this._selected < 0) return;
    Object.assign(this._shapes[this._selected].vertices[this._drag.vertex], p);
    this._drag.moved = true;
  }

  onUp() { if (this._drag?.moved) this._changed(); this._drag = null; }

  finishDraft() {
    if (!this._draft) return false;
    const vertices = this._draft.vertices;
    this._draft = null;
    const min = this.constructor.closed ? 3 : this.constructor.minVertices;
    if (vertices.length >= min) this.addShape({ label: this.currentLabel, vertices });
    this._draw();
    return true;
  }

  shapeSvg(s, i, selected, r) {
    const c = this._color(s.label);
    const tag = this.constructor.closed ? "polygon" : "polyline";
    return `<${tag} class="crowd-shape${selected ? " crowd-shape-selected" : ""}" data-i="${i}" points="${pts(s.vertices)}"
      fill="${this.constructor.closed ? c : "none"}" fill-opacity="0" stroke="${c}" stroke-width="${selected ? 3 : 2}" vector-effect="non-scaling-stroke"/>
      ${s.vertices.map((v, k) => (selected
    ? `<circle class="crowd-handle" data-i="${i}" data-v="${k}" cx="${v.x}" cy="${v.y}" r="${r}" fill="#fff" stroke="${c}" stroke-width="${r / 3}"/>`
    : `<circle cx="${v.x}" cy="${v.y}" r="${r / 2}" fill="${c}" pointer-events="none"/>`)).join("")}`;
  }

  draftSvg(d, r) {
    const c = this._color(this.currentLabel);
    return `<polyline points="${pts([...d.vertices, d.cursor])}" fill="none" stroke="${c}" stroke-dasharray="${r}" stroke-width="${r / 2}"/>
      ${d.vertices.map((v) => `<circle cx="${v.x}" cy="${v.y}" r="${r / 2}" fill="${c}"/>`).join("")}`;
  }

  describe(s) { return `${s.vertices.length} points`; }

  toAnswer(s) { return { label: s.label, vertices: s.vertices.map(vertex) }; }
}

export class CrowdPolygon extends CrowdVertexShape {
  static answerKey = "polygons";
  static closed = true;
  static hint = "Click to add corners; click the first corner, double-click or press Enter to close the polygon. Click a polygon, then drag its corners to adjust it. Escape cancels.";
}

export class CrowdLine extends CrowdVertexShape {
  static answerKey = "lines";
  static maxVertices = 2;
  static hint = "Click the start and then the end of each line.";
}

export class CrowdPolyline extends CrowdVertexShape {
  static answerKey = "polylines";
  static hint = "Click to add points; double-click or press Enter to finish the line. Escape cancels.";
}

customElements.define("crowd-bounding-box", CrowdBoundingBox);
customElements.define("crowd-keypoint", CrowdKeypoint);
customElements.define("crowd-point", CrowdPoint);
customElements.define("crowd-polygon", CrowdPolygon);
customElements.define("crowd-line", CrowdLine);
customElements.define("crowd-polyline", CrowdPolyline);
