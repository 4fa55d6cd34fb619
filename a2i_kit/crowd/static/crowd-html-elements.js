// Entry point of the offline crowd elements (same tag names as assets.crowd.aws, plain ESM).
// Loading it defines every element, then fires `all-crowd-elements-ready` on document.
import { flagUnknownElements, handleCrowdKey } from "./core.js";
import "./inputs.js";
import "./form.js";
import "./layout.js";
import "./classifiers.js";
import "./annotators.js";
import "./segmentation.js";
import "./entity.js";
import "./a2i.js";
import "./textract.js";

document.addEventListener("keydown", (event) => handleCrowdKey(event));

function announceReady() {
  setTimeout(() => {
    flagUnknownElements();
    document.documentElement.setAttribute("data-crowd-ready", "");
    document.dispatchEvent(new CustomEvent("all-crowd-elements-ready", { bubbles: true }));
  }, 0);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", announceReady, { once: true });
else announceReady();
