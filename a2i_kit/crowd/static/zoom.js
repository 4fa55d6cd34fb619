// Zoom and pan for every image tool. The picture (and any drawing layer over it) sits in a
// clipping viewport and is moved with a CSS transform (translate + scale, origin top-left), so
// coordinates read through getScreenCTM / getBoundingClientRect stay exact at any zoom.
// Mouse wheel zooms at the pointer; the toolbar's buttons and the keys + / - zoom, Home resets;
// arrow keys, Space + drag or a middle-button drag pan (a plain drag pans too where the tool
// does not draw). The scale is mirrored in the viewport's data-zoom attribute.
// Example: root.innerHTML = zoomFrame("<img src=x>"); const z = new ZoomPan(root, () => redraw());
import { escapeHtml } from "./core.js";

const MAX_ZOOM = 8;

/** Toolbar + viewport markup around `inner` (the picture and its layers). */
export function zoomFrame(inner, { label = "Image", focusable = false } = {}) {
  return `<div class="crowd-zoom-bar" role="toolbar" aria-label="Zoom">
      <button type="button" class="crowd-button crowd-small" data-zoom-in aria-label="Zoom in" title="Zoom in (+)">+</button>
      <button type="button" class="crowd-button crowd-small" data-zoom-out aria-label="Zoom out" title="Zoom out (-)">−</button>
      <button type="button" class="crowd-button crowd-small" data-zoom-reset title="Show the whole image (Home)">Fit</button>
      <span class="crowd-zoom-level" data-zoom-level aria-live="polite">100%</span></div>
    <div class="crowd-zoom-viewport" data-zoom-viewport data-zoom="1" ${focusable ? 'tabindex="0"' : ""}
      aria-label="${escapeHtml(label)}: + and - zoom, arrow keys pan"><div class="crowd-zoom-content" data-zoom-content>${inner}</div></div>`;
}

export class ZoomPan {
  /** Wire the zoomFrame found in `root`; `onChange(scale)` runs after every zoom or pan. */
  constructor(root, onChange = () => {}, { dragPans = false } = {}) {
    this.viewport = root.querySelector("[data-zoom-viewport]");
    this.content = root.querySelector("[data-zoom-content]");
    this.level = root.querySelector("[data-zoom-level]");
    this.onChange = onChange;
    this.dragPans = dragPans;
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this._space = false;
    root.querySelector("[data-zoom-in]").addEventListener("click", () => this.zoomBy(1.25));
    root.querySelector("[data-zoom-out]").addEventListener("click", () => this.zoomBy(0.8));
    root.querySelector("[data-zoom-reset]").addEventListener("click", () => this.reset());
    this.viewport.addEventListener("wheel", (e) => this._wheel(e), { passive: false });
    this.viewport.addEventListener("keydown", (e) => this._key(e));
    this.viewport.addEventListener("keyup", (e) => { if (e.key === " ") this._space = false; });
    this.viewport.addEventListener("pointerdown", (e) => this._down(e), true);
    this.viewport.addEventListener("pointermove", (e) => this._move(e), true);
    this.viewport.addEventListener("pointerup", (e) => this._up(e), true);
    this.viewport.addEventListener("auxclick", (e) => e.preventDefault());
  }

  get panning() { return Boolean(this._pan); }

  zoomBy(factor, clientX = null, clientY = null) {
    const box = this.viewport.getBoundingClientRect();
    const px = clientX === null ? box.width / 2 : clientX - box.left;
    const py = clientY === null ? box.height / 2 : clientY - box.top;
    const next = Math.min(MAX_ZOOM, Math.max(1, this.scale * factor));
    this.x = px - (px - this.x) * (next / this.scale);
    this.y = py - (py - this.y) * (next / this.scale);
    this.scale = next;
    this._apply();
  }

  panBy(dx, dy) {
    this.x += dx;
    this.y += dy;
    this._apply();
  }

  reset() {
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this._apply();
  }

  _apply() {
    const w = this.viewport.clientWidth;
    const h = this.viewport.clientHeight;
    this.x = Math.min(0, Math.max(w - w * this.scale, this.x));
    this.y = Math.min(0, Math.max(h - h * this.scale, this.y));
    this.content.style.transform = this.scale === 1 ? "" : `translate(${this.x}px, ${this.y}px) scale(${this.scale})`;
    this.viewport.dataset.zoom = String(Math.round(this.scale * 1000) / 1000);
    this.viewport.classList.toggle("crowd-zoomed", this.scale > 1);
    this.level.textContent = `${Math.round(this.scale * 100)}%`;
    this.onChange(this.scale);
  }

  _wheel(event) {
    if (event.ctrlKey && Math.abs(event.deltaY) < 1) return;
    event.preventDefault();
    this.zoomBy(Math.pow(1.2, -Math.sign(event.deltaY) * Math.min(3, Math.abs(event.deltaY) / 100 || 1)), event.clientX, event.clientY);
  }

  _key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const step = 40;
    const pans = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (event.key === "+" || event.key === "=") this.zoomBy(1.25);
    else if (event.key === "-" || event.key === "_") this.zoomBy(0.8);
    else if (event.key === "Home") this.reset();
    else if (event.key in pans && this.scale > 1) this.panBy(...pans[event.key]);
    else if (event.key === " ") { this._space = true; } else return;
    event.preventDefault();
  }

  _down(event) {
    const wants = event.button === 1 || (event.button === 0 && (this._space || this.dragPans));
    if (!wants) return;
    event.preventDefault();
    event.stopPropagation();
    this._pan = { x: event.clientX, y: event.clientY };
    this.viewport.setPointerCapture?.(event.pointerId);
  }

  _move(event) {
    if (!this._pan) return;
    event.stopPropagation();
    this.panBy(event.clientX - this._pan.x, event.clientY - this._pan.y);
    this._pan = { x: event.clientX, y: event.clientY };
  }

  _up(event) {
    if (!this._pan) return;
    event.stopPropagation();
    this._pan = null;
  }
}
