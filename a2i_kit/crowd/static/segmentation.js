// crowd-semantic-segmentation and crowd-instance-segmentation: paint a mask over the image.
// Tools: brush (B), eraser (E), polygon fill (P: click corners, Enter / double-click / click the
// first corner fills), undo (Ctrl+Z or U), brush size, mask opacity; keys 1-9/0 pick the label,
// N starts a new instance (instance segmentation). The mask is a pixel buffer at the image's
// natural size painted without anti-aliasing, so every painted pixel has exactly its label's (or
// instance's) colour; unpainted pixels are transparent. Answers (as the A2I/GT docs show them):
//   semantic: {labeledImage: {pngImageData}, labelMappings: {Label: {color}}, inputImageProperties}
//   instance: {labeledImage: {pngImageData}, instances: [{color, label}], inputImageProperties}
// (+ initialValueModified when initial-value = {labelMappings|instances, src: "<mask png>"} was given).
// labelMappings / instances list only what has pixels in the mask.
import { CrowdElement, INSTRUCTION_SLOTS, escapeHtml, instructionLayout, wireInstructions } from "./core.js";
import { MaskBuffer, segColor } from "./mask.js";
import { ZoomPan, zoomFrame } from "./zoom.js";

const SEG_TOOLS = [["brush", "Brush", "B"], ["eraser", "Eraser", "E"], ["polygon", "Polygon fill", "P"]];

class CrowdSegmentationBase extends CrowdElement {
  static slotted = INSTRUCTION_SLOTS;
  static instances = false;

  render(root) {
    this._labels = this._labels ?? this.jsonAttr("labels", []).map(String);
    this._label = 0;
    this._tool = "brush";
    this._brush = 12;
    this._modified = false;
    this._draft = null;
    this._size = { width: 0, height: 0 };
    this._colors = {};          // semantic: label -> colour
    this._instances = [];       // instance: [{label, color}]
    this._current = -1;
    const initial = this.jsonAttr("initial-value", null);
    this._hasInitial = Boolean(initial && typeof initial === "object");
    if (this._hasInitial && initial.labelMappings) {
      for (const [label, m] of Object.entries(initial.labelMappings)) if (m?.color) this._colors[label] = String(m.color).toLowerCase();
    }
    if (this._hasInitial && Array.isArray(initial.instances)) {
      this._instances = initial.instances.map((i) => ({ label: String(i.label), color: String(i.color).toLowerCase() }));
    }
    const instanceUi = this.constructor.instances ? `<div class="crowd-seg-instances">
        <button type="button" class="crowd-button crowd-small" data-new-instance title="New instance of the chosen label (N)">New instance (N)</button>
        <ol class="crowd-shape-list" data-instances aria-label="Instances"></ol></div>` : "";
    root.innerHTML = instructionLayout(this, `
      <div class="crowd-annot crowd-seg">
        <div class="crowd-label-picker" role="radiogroup" aria-label="Labels" data-labels></div>
        <div class="crowd-seg-tools" role="toolbar" aria-label="Painting tools">
          <span role="radiogroup" aria-label="Tool" class="crowd-seg-toolset">${SEG_TOOLS.map(([id, name, key]) => `<button type="button"
            class="crowd-choice crowd-small" role="radio" data-tool="${id}" aria-checked="${id === "brush"}" title="${name} (${key})">${name}</button>`).join("")}</span>
          <label class="crowd-seg-range">Brush size <input type="range" min="1" max="80" value="${this._brush}" data-brush aria-label="Brush size"></label>
          <label class="crowd-seg-range">Mask opacity <input type="range" min="0" max="100" value="60" data-opacity aria-label="Mask opacity"></label>
          <button type="button" class="crowd-button crowd-small" data-undo disabled title="Undo (Ctrl+Z)">Undo</button>
        </div>
        <div class="crowd-stage">${zoomFrame(`<div class="crowd-seg-layer" tabindex="0" aria-label="Painting area" data-layer>
          <img class="crowd-seg-image" alt="image to segment" data-image draggable="false">
          <canvas class="crowd-seg-mask" data-mask aria-hidden="true"></canvas>
          <svg class="crowd-seg-draft" data-draft aria-hidden="true"></svg></div>`, { label: "Image" })}</div>
        <p class="crowd-hint">${this.constructor.instances
    ? "Choose a label, then paint each object as its own instance (N starts a new one)." : "Choose a label and paint the regions of that class."}
          Brush and eraser paint while you drag; polygon fill: click the corners, then Enter, double-click or click the first corner.
          Wheel, + and - zoom; Space + drag pans.</p>
        ${instanceUi}
      </div>`);
    wireInstructions(this, root);
    this._layer = root.querySelector("[data-layer]");
    this._canvas = root.querySelector("[data-mask]");
    this._svg = root.querySelector("[data-draft]");
    this._zoom = new ZoomPan(root, () => this._drawDraft());
    root.querySelector("[data-labels]").addEventListener("click", (e) => {
      const b = e.target.closest("[data-index]");
      if (b) this.pickOption(Number(b.dataset.index));
    });
    root.querySelector(".crowd-seg-toolset").addEventListener("click", (e) => {
      const b = e.target.closest("[data-tool]");
      if (b) this.setTool(b.dataset.tool);
    });
    root.querySelector("[data-brush]").addEventListener("input", (e) => { this._brush = Number(e.target.value); });
    root.querySelector("[data-opacity]").addEventListener("input", (e) => { this._canvas.style.opacity = String(Number(e.target.value) / 100); });
    root.querySelector("[data-undo]").addEventListener("click", () => this.undo());
    root.querySelector("[data-new-instance]")?.addEventListener("click", () => this.newInstance());
    root.querySelector("[data-instances]")?.addEventListener("click", (e) => {
      const b = e.target.closest("[data-instance]");
      if (b) { this._current = Number(b.dataset.instance); this._label = Math.max(0, this.labels.indexOf(this._instances[this._current].label)); this._drawLabels(); }
    });
    this._layer.addEventListener("pointerdown", (e) => this._pointer(e, "down"));
    this._layer.addEventListener("pointermove", (e) => this._pointer(e, "move"));
    this._layer.addEventListener("pointerup", (e) => this._pointer(e, "up"));
    this._layer.addEventListener("pointerleave", () => { this._hover = null; this._drawDraft(); });
    this._layer.addEventListener("dblclick", (e) => { e.preventDefault(); this.finishDraft(); });
    this.addEventListener("keydown", (e) => this._key(e));
    this._canvas.style.opacity = "0.6";
    const image = root.querySelector("[data-image]");
    image.addEventListener("load", () => this._imageLoaded(image, initial));
    image.src = this.attr("src");
    this._drawLabels();
  }

  _imageLoaded(image, initial) {
    const { naturalWidth: w, naturalHeight: h } = image;
    this._size = { width: w, height: h };
    this._canvas.width = w;
    this._canvas.height = h;
    this._svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    this._mask = new MaskBuffer(this._canvas);
    const shown = `${Math.max(w, Math.min(720, w * 3))}px`;
    this.shadowRoot.querySelector(".crowd-stage").style.maxWidth = shown;
    const done = () => {
      this.dataset.imageReady = "";
      this.dispatchEvent(new CustomEvent("crowd-image-loaded", { bubbles: true }));
    };
    if (this._hasInitial && initial.src) this._loadMask(String(initial.src), done); else done();
  }

  _loadMask(src, done) {
    const mask = new Image();
    mask.crossOrigin = "anonymous";
    mask.onload = () => {
      try { this._mask.load(mask); } catch (err) {
        this._problem = `The initial mask ${src} could not be read (${err.message}); it needs CORS or a data: URL.`;
      }
      this._drawInstances();
      done();
    };
    mask.onerror = () => { this._problem = `The initial mask ${src} did not load.`; done(); };
    mask.src = src;
  }

  get labels() { return this._labels ?? this.jsonAttr("labels", []); }

  set labels(list) { this._labels = Array.from(list || [], String); this._label = 0; this._drawLabels(); }

  labelColor(label) {
    if (!this._colors[label]) {
      const used = new Set(Object.values(this._colors));
      let n = Math.max(0, this.labels.indexOf(label));
      while (used.has(segColor(n))) n++;
      this._colors[label] = segColor(n);
    }
    return this._colors[label];
  }

  get currentLabel() { return this.labels[this._label] ?? ""; }

  /** The colour the brush paints with now (creating an instance when needed). */
  paintColor() {
    if (!this.constructor.instances) return this.labelColor(this.currentLabel);
    const cur = this._instances[this._current];
    if (!cur || cur.label !== this.currentLabel) this.newInstance();
    return this._instances[this._current].color;
  }

  newInstance() {
    if (!this.currentLabel) return;
    const used = new Set(this._instances.map((i) => i.color));
    let n = this._instances.length;
    while (used.has(segColor(n))) n++;
    this._instances.push({ label: this.currentLabel, color: segColor(n) });
    this._current = this._instances.length - 1;
    this._drawInstances();
  }

  _drawLabels() {
    const box = this.shadowRoot?.querySelector("[data-labels]");
    if (!box) return;
    const swatch = (l) => (this.constructor.instances ? "" : `<span class="crowd-swatch" style="background:${this.labelColor(l)}"></span>`);
    box.innerHTML = this.labels.map((l, i) => `<button type="button" class="crowd-choice" role="radio" aria-checked="${i === this._label}"
      data-index="${i}">${swatch(l)}${i < 10 ? `<kbd>${(i + 1) % 10}</kbd>` : ""}${escapeHtml(l)}</button>`).join("");
  }

  _drawInstances() {
    const list = this.shadowRoot?.querySelector("[data-instances]");
    if (!list) return;
    list.innerHTML = this._instances.map((inst, i) => `<li${i === this._current ? ' class="crowd-selected"' : ""}><button type="button"
      class="crowd-link" data-instance="${i}" aria-pressed="${i === this._current}"><span class="crowd-swatch" style="background:${inst.color}"></span>${escapeHtml(inst.label)} #${i + 1}</button></li>`).join("");
  }

  pickOption(index) {
    if (index < 0 || index >= this.labels.length) return false;
    this._label = index;
    this._drawLabels();
    return true;
  }

  setTool(tool) {
    this._tool = tool;
    this._draft = null;
    for (const b of this.shadowRoot.querySelectorAll("[data-tool]")) b.setAttribute("aria-checked", String(b.dataset.tool === tool));
    this._drawDraft();
  }

  handleEnter() { return this.finishDraft(); }

  _key(event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) return;
    const origin = event.composedPath()[0];
    if (origin.localName === "input" && origin.type !== "range") return;
    const key = event.key.toLowerCase();
    if ((event.ctrlKey && key === "z") || (!event.ctrlKey && key === "u")) this.undo();
    else if (event.ctrlKey) return;
    else if (key === "b") this.setTool("brush");
    else if (key === "e") this.setTool("eraser");
    else if (key === "p") this.setTool("polygon");
    else if (key === "n" && this.constructor.instances) this.newInstance();
    else if (key === "escape" && this._draft) { this._draft = null; this._drawDraft(); } else return;
    event.preventDefault();
  }

  _point(event) {
    const box = this._canvas.getBoundingClientRect();
    return { x: Math.min(Math.max((event.clientX - box.left) * (this._size.width / box.width), 0), this._size.width - 1),
      y: Math.min(Math.max((event.clientY - box.top) * (this._size.height / box.height), 0), this._size.height - 1) };
  }

  _pointer(event, phase) {
    if (!this._mask || this._zoom.panning) return;
    const p = this._point(event);
    this._hover = p;
    if (phase === "down") {
      if (event.button !== 0 || !this.currentLabel) return;
      this._layer.focus({ preventScroll: true });
      if (this._tool === "polygon") { this._addVertex(p); return; }
      this._layer.setPointerCapture?.(event.pointerId);
      this._snapshot();
      this._stroke = p;
      this._mask.disc(p, this._brush / 2, this._tool === "eraser" ? null : this.paintColor());
    } else if (phase === "move" && this._stroke) {
      const color = this._tool === "eraser" ? null : this.paintColor();
      const dist = Math.hypot(p.x - this._stroke.x, p.y - this._stroke.y);
      const steps = Math.max(1, Math.ceil(dist / Math.max(1, this._brush / 4)));
      for (let k = 1; k <= steps; k++) {
        this._mask.disc({ x: this._stroke.x + (p.x - this._stroke.x) * (k / steps), y: this._stroke.y + (p.y - this._stroke.y) * (k / steps) },
          this._brush / 2, color);
      }
      this._stroke = p;
    } else if (phase === "up" && this._stroke) {
      this._stroke = null;
      this._changed();
    }
    this._drawDraft();
  }

  _snapshot() {
    this._mask.snapshot();
    this.shadowRoot.querySelector("[data-undo]").disabled = false;
  }

  undo() {
    if (!this._mask?.undo()) return false;
    this.shadowRoot.querySelector("[data-undo]").disabled = !this._mask.canUndo;
    this._changed();
    return true;
  }

  _addVertex(p) {
    if (this._draft && this._draft.length >= 3) {
      const first = this._draft[0];
      const near = 8 * (this._size.width / this._canvas.getBoundingClientRect().width);
      if (Math.hypot(first.x - p.x, first.y - p.y) <= near) { this.finishDraft(); return; }
    }
    (this._draft ||= []).push(p);
    this._drawDraft();
  }

  /** Fill the drafted polygon with the current colour. */
  finishDraft() {
    const poly = this._draft;
    if (!poly) return false;
    this._draft = null;
    if (poly.length >= 3) {
      this._snapshot();
      this._mask.fillPolygon(poly, this.paintColor());
      this._changed();
    }
    this._drawDraft();
    return true;
  }

  _drawDraft() {
    if (!this._svg || !this._size.width) return;
    const unit = this._size.width / (this._canvas.getBoundingClientRect().width || this._size.width);
    const color = this.currentLabel ? (this.constructor.instances ? "#111827" : this.labelColor(this.currentLabel)) : "#111827";
    let svg = "";
    if (this._draft) {
      const pts = [...this._draft, ...(this._hover ? [this._hover] : [])].map((v) => `${v.x},${v.y}`).join(" ");
      svg += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2" vector-effect="non-scaling-stroke" stroke-dasharray="6 4"/>`;
      svg += this._draft.map((v) => `<circle cx="${v.x}" cy="${v.y}" r="${4 * unit}" fill="${color}"/>`).join("");
    } else if (this._hover && this._tool !== "polygon") {
      svg += `<circle cx="${this._hover.x}" cy="${this._hover.y}" r="${Math.max(0.5, this._brush / 2)}" fill="none" stroke="#111827"
        stroke-width="1" vector-effect="non-scaling-stroke"/>`;
    }
    this._svg.innerHTML = svg;
  }

  _changed() {
    this._modified = true;
    this._drawInstances();
    this.dispatchEvent(new Event("change", { bubbles: true }));
  }

  usedColors() { return this._mask ? this._mask.usedColors() : new Set(); }

  pngBase64() { return this._mask ? this._mask.pngBase64() : ""; }

  get value() {
    const used = this.usedColors();
    const out = { labeledImage: { pngImageData: this.pngBase64() } };
    if (this.constructor.instances) {
      out.instances = this._instances.filter((i) => used.has(i.color)).map((i) => ({ color: i.color, label: i.label }));
    } else {
      out.labelMappings = Object.fromEntries(Object.entries(this._colors).filter(([, c]) => used.has(c)).map(([l, c]) => [l, { color: c }]));
    }
    out.inputImageProperties = { ...this._size };
    if (this._hasInitial) out.initialValueModified = this._modified;
    return out;
  }

  contribute() { return this.name ? { [this.name]: this.value } : null; }

  validate() {
    if (this._problem) return this._problem;
    if (!this._size.width) return `${this.getAttribute("header") || this.name}: the image has not loaded yet; wait a moment or reload the task.`;
    return null;
  }
}

export class CrowdSemanticSegmentation extends CrowdSegmentationBase {}

export class CrowdInstanceSegmentation extends CrowdSegmentationBase { static instances = true; }

customElements.define("crowd-semantic-segmentation", CrowdSemanticSegmentation);
customElements.define("crowd-instance-segmentation", CrowdInstanceSegmentation);
