// Presentation elements (no answer): crowd-alert, crowd-badge, crowd-card, crowd-modal,
// crowd-tabs / crowd-tab, crowd-instructions, crowd-toast, crowd-fab, crowd-icon-button.
import { CrowdElement, escapeHtml } from "./core.js";

function linkOrButton(host, fallbackText) {
  const text = escapeHtml(host.attr("link-text", fallbackText));
  return host.attr("link-type", "link") === "button"
    ? `<button type="button" class="crowd-button crowd-button-normal" data-open>${text}</button>`
    : `<button type="button" class="crowd-link" data-open>${text}</button>`;
}

export class CrowdAlert extends CrowdElement {
  render(root) {
    const type = ["info", "success", "error", "warning"].includes(this.getAttribute("type")) ? this.getAttribute("type") : "info";
    root.innerHTML = `<div class="crowd-alert crowd-alert-${type}" role="${type === "error" ? "alert" : "status"}" part="alert">
      <slot></slot>${this.flag("dismissible") ? '<button type="button" class="crowd-close" aria-label="Dismiss">×</button>' : ""}</div>`;
    root.querySelector(".crowd-close")?.addEventListener("click", () => { this.hidden = true; this.remove(); });
  }
}

export class CrowdBadge extends CrowdElement {
  render(root) {
    const icon = this.getAttribute("icon");
    const inner = icon && /[/.]/.test(icon) ? `<img alt="" src="${escapeHtml(icon)}">` : escapeHtml(this.attr("label", icon || ""));
    root.innerHTML = `<span class="crowd-badge" part="badge">${inner}</span>`;
    const target = this.hasAttribute("for") ? document.getElementById(this.getAttribute("for")) : null;
    if (target && target.nextSibling !== this) target.after(this);
  }
}

export class CrowdCard extends CrowdElement {
  render(root) {
    const image = this.getAttribute("image");
    const heading = this.getAttribute("heading");
    root.innerHTML = `<div class="crowd-card" part="card">
      ${image ? `<img class="crowd-card-image" alt="" src="${escapeHtml(image)}">` : ""}
      ${heading ? `<div class="crowd-card-heading">${escapeHtml(heading)}</div>` : ""}
      <div class="crowd-card-body"><slot></slot></div></div>`;
  }
}

export class CrowdModal extends CrowdElement {
  render(root) {
    root.innerHTML = `${linkOrButton(this, "Click to open modal")}
      <dialog class="crowd-dialog"><div class="crowd-dialog-head"><h2>${escapeHtml(this.attr("header", ""))}</h2>
      <button type="button" class="crowd-close" data-close aria-label="Close">×</button></div>
      <div class="crowd-dialog-body"><slot></slot></div></dialog>`;
    const dialog = root.querySelector("dialog");
    root.querySelector("[data-open]").addEventListener("click", () => dialog.showModal());
    root.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  }

  open() { this.shadowRoot.querySelector("dialog").showModal(); }

  close() { this.shadowRoot.querySelector("dialog").close(); }
}

export class CrowdTab extends CrowdElement {
  render(root) { root.innerHTML = '<div class="crowd-tab-panel" role="tabpanel" part="panel"><slot></slot></div>'; }
}

export class CrowdTabs extends CrowdElement {
  render(root) {
    root.innerHTML = '<div class="crowd-tab-bar" role="tablist"></div><div class="crowd-tab-body"><slot></slot></div>';
    queueMicrotask(() => this._build());
  }

  _build() {
    const bar = this.shadowRoot.querySelector(".crowd-tab-bar");
    const tabs = Array.from(this.querySelectorAll(":scope > crowd-tab"));
    bar.innerHTML = tabs.map((t, i) => `<button type="button" role="tab" class="crowd-tab-button" data-i="${i}">${escapeHtml(t.getAttribute("header") || `Tab ${i + 1}`)}</button>`).join("");
    const select = (index) => {
      tabs.forEach((t, i) => { t.hidden = i !== index; });
      bar.querySelectorAll("button").forEach((b, i) => { b.setAttribute("aria-selected", String(i === index)); b.tabIndex = i === index ? 0 : -1; });
      this._selected = index;
    };
    bar.addEventListener("click", (e) => { const b = e.target.closest("button"); if (b) select(Number(b.dataset.i)); });
    bar.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step || !tabs.length) return;
      select((this._selected + step + tabs.length) % tabs.length);
      bar.querySelectorAll("button")[this._selected].focus();
    });
    select(0);
  }
}

export class CrowdInstructions extends CrowdElement {
  render(root) {
    const has = (tag) => this.querySelector(tag) !== null;
    for (const [tag, slot] of [["short-summary", "summary"], ["detailed-instructions", "detailed"],
      ["positive-example", "examples"], ["negative-example", "examples"]]) {
      for (const el of this.querySelectorAll(`:scope > ${tag}`)) el.setAttribute("slot", slot);
    }
    const tabs = [["summary", "Summary", has("short-summary")], ["detailed", "Detailed Instructions", has("detailed-instructions")],
      ["examples", "Examples", has("positive-example") || has("negative-example")]].filter((t) => t[2]);
    root.innerHTML = `${linkOrButton(this, "Click for instructions")}
      <dialog class="crowd-dialog crowd-instructions"><div class="crowd-dialog-head"><h2>Instructions</h2>
      <button type="button" class="crowd-close" data-close aria-label="Close">×</button></div>
      <div class="crowd-tab-bar" role="tablist">${tabs.map(([id, label]) => `<button type="button" role="tab" class="crowd-tab-button" data-tab="${id}">${label}</button>`).join("")}</div>
      ${tabs.map(([id]) => `<div class="crowd-dialog-body" data-panel="${id}"><slot name="${id}"></slot></div>`).join("")}</dialog>`;
    const dialog = root.querySelector("dialog");
    const show = (id) => {
      root.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== id; });
      root.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === id)));
    };
    root.querySelector(".crowd-tab-bar").addEventListener("click", (e) => { const b = e.target.closest("[data-tab]"); if (b) show(b.dataset.tab); });
    root.querySelector("[data-open]").addEventListener("click", () => { if (tabs.length) show(tabs[0][0]); dialog.showModal(); });
    root.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    for (const el of this.querySelectorAll("positive-example")) el.classList.add("crowd-example-good");
    for (const el of this.querySelectorAll("negative-example")) el.classList.add("crowd-example-bad");
  }
}

export class CrowdToast extends CrowdElement {
  render(root) { root.innerHTML = '<div class="crowd-toast" role="status" hidden></div>'; }

  show(text) {
    const box = this.shadowRoot.querySelector(".crowd-toast");
    box.textContent = text ?? this.attr("text");
    box.hidden = false;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => { box.hidden = true; }, Number(this.attr("duration", "3000")));
  }
}

export class CrowdIconButton extends CrowdElement {
  static delegatesFocus = true;

  render(root) {
    const label = escapeHtml(this.attr("title", this.attr("label", this.attr("icon", "•"))));
    root.innerHTML = `<button type="button" class="crowd-button crowd-button-icon ${this.localName === "crowd-fab" ? "crowd-fab" : ""}"
      aria-label="${label}" ${this.flag("disabled") ? "disabled" : ""}>${escapeHtml(this.attr("label", "•").slice(0, 1))}<slot></slot></button>`;
  }
}

customElements.define("crowd-alert", CrowdAlert);
customElements.define("crowd-badge", CrowdBadge);
customElements.define("crowd-card", CrowdCard);
customElements.define("crowd-modal", CrowdModal);
customElements.define("crowd-tab", CrowdTab);
customElements.define("crowd-tabs", CrowdTabs);
customElements.define("crowd-instructions", CrowdInstructions);
customElements.define("crowd-toast", CrowdToast);
customElements.define("crowd-icon-button", CrowdIconButton);
customElements.define("crowd-fab", class CrowdFab extends CrowdIconButton {});
