// The segmentation mask: an RGBA pixel buffer at the image's natural size, painted without
// anti-aliasing (every painted pixel has exactly one label's or instance's colour, unpainted
// pixels are transparent), shown on a canvas, with an undo stack.
// Example: const m = new MaskBuffer(canvas); m.snapshot(); m.disc({x: 5, y: 5}, 4, "#1f77b4"); m.pngBase64();

export const SEG_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
const UNDO_DEPTH = 12;

const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const hexOf = (r, g, b) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;

/** The n-th distinct colour: the palette, then hues spread by the golden angle. */
export function segColor(n) {
  if (n < SEG_PALETTE.length) return SEG_PALETTE[n];
  const h = (n * 137.508) % 360;
  const f = (k) => { const a = (k + h / 30) % 12; return Math.round(255 * (0.5 - 0.4 * Math.max(-1, Math.min(a - 3, 9 - a, 1)))); };
  return hexOf(f(0), f(8), f(4));
}

export class MaskBuffer {
  /** A transparent mask the size of `canvas` (set canvas.width/height to the natural size first). */
  constructor(canvas) {
    this.canvas = canvas;
    this.width = canvas.width;
    this.height = canvas.height;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.image = this.ctx.createImageData(this.width, this.height);
    this.history = [];
  }

  get canUndo() { return this.history.length > 0; }

  /** Remember the current pixels (call before each stroke or fill). */
  snapshot() {
    this.history.push(new Uint8ClampedArray(this.image.data));
    if (this.history.length > UNDO_DEPTH) this.history.shift();
  }

  undo() {
    const prev = this.history.pop();
    if (!prev) return false;
    this.image.data.set(prev);
    this.flush();
    return true;
  }

  /** Replace the pixels with those of an image (an initial mask); throws when it is unreadable. */
  load(source) {
    const scratch = document.createElement("canvas");
    [scratch.width, scratch.height] = [this.width, this.height];
    const ctx = scratch.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(source, 0, 0, this.width, this.height);
    this.image.data.set(ctx.getImageData(0, 0, this.width, this.height).data);
    this.flush();
  }

  _set(x, y, rgb) {
    const i = (y * this.width + x) * 4;
    const d = this.image.data;
    if (rgb) { d[i] = rgb[0]; d[i + 1] = rgb[1]; d[i + 2] = rgb[2]; d[i + 3] = 255; } else { d[i] = d[i + 1] = d[i + 2] = d[i + 3] = 0; }
  }

  /** Paint (colour) or erase (null) the pixels whose centres lie within `radius` of p. */
  disc(p, radius, color) {
    const rgb = color ? rgbOf(color) : null;
    const r = Math.max(0.5, radius);
    const [x0, x1] = [Math.max(0, Math.floor(p.x - r)), Math.min(this.width - 1, Math.ceil(p.x + r))];
    const [y0, y1] = [Math.max(0, Math.floor(p.y - r)), Math.min(this.height - 1, Math.ceil(p.y + r))];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) if ((x + 0.5 - p.x) ** 2 + (y + 0.5 - p.y) ** 2 <= r * r) this._set(x, y, rgb);
    }
    this.flush(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }

  /** Fill a polygon (even-odd rule, pixel centres) with `color`. */
  fillPolygon(poly, color) {
    const rgb = rgbOf(color);
    for (let y = 0; y < this.height; y++) {
      const cy = y + 0.5;
      const xs = [];
      for (let k = 0; k < poly.length; k++) {
        const a = poly[k];
        const b = poly[(k + 1) % poly.length];
        if ((a.y <= cy) !== (b.y <= cy)) xs.push(a.x + ((cy - a.y) / (b.y - a.y)) * (b.x - a.x));
      }
      xs.sort((m, n) => m - n);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const last = Math.min(this.width - 1, Math.floor(xs[k + 1] - 0.5));
        for (let x = Math.max(0, Math.ceil(xs[k] - 0.5)); x <= last; x++) this._set(x, y, rgb);
      }
    }
    this.flush();
  }

  flush(x = 0, y = 0, w = this.width, h = this.height) {
    if (w > 0 && h > 0) this.ctx.putImageData(this.image, 0, 0, x, y, w, h);
  }

  /** Colours present in the mask (opaque pixels), as lower-case hex strings. */
  usedColors() {
    const seen = new Set();
    const d = this.image.data;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3]) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return new Set([...seen].map((v) => hexOf(v >> 16, (v >> 8) & 255, v & 255)));
  }

  pngBase64() { return this.canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, ""); }
}
