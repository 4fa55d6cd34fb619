"""prepare_task_html and the single-file bundle (no browser needed)."""

from __future__ import annotations

import re

import pytest

from a2i_kit.crowd import CROWD_DIR, crowd_elements_js, prepare_task_html

V1 = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>'
V2 = ('<link rel="stylesheet" href="https://assets.crowd.aws/css/crowd-html-elements-v2.css">'
      "<script src='https://assets.crowd.aws/crowd-html-elements-v2.js'></script>")


@pytest.mark.parametrize("loader", [V1, V2, V1.replace("https:", ""), V1 + "\n" + V2])
def test_loader_tags_are_replaced(loader: str) -> None:
    html = prepare_task_html(loader + "<crowd-form></crowd-form>", static_base="/_a2i/static/")
    assert "assets.crowd.aws" not in html
    assert html.count('src="/_a2i/static/crowd/crowd-html-elements.js"') == 1
    assert html.endswith("<crowd-form></crowd-form>")


def test_inline_mode_embeds_the_bundle_and_bridge() -> None:
    html = prepare_task_html(V1 + "<crowd-form></crowd-form>", static_base=None)
    assert 'customElements.define("crowd-form"' in html
    assert "a2i-kit:ready" in html
    assert not re.search(r"<script[^>]*\ssrc=", html)   # nothing to fetch: works in a srcdoc frame


def test_page_without_loader_gets_elements_in_head() -> None:
    html = prepare_task_html("<html><head><title>t</title></head><body><crowd-entity-annotation>"
                             "</crowd-entity-annotation></body></html>", static_base="/s")
    assert re.search(r'<head><script type="module" src="/s/crowd/crowd-html-elements.js">', html)
    bare = prepare_task_html("<crowd-form></crowd-form>", static_base="/s")
    assert bare.startswith('<script type="module" src="/s/crowd/crowd-html-elements.js">')


def test_bundle_has_every_module_once_and_no_imports() -> None:
    bundle = crowd_elements_js()
    modules = sorted(p.name for p in CROWD_DIR.glob("*.js"))
    assert [m for m in modules if f"// ---- {m} ----" not in bundle] == []
    assert not re.search(r"^\s*(import|export)\b", bundle, re.M)
    assert "</script" not in prepare_task_html("", static_base=None).split("<script type=\"module\">", 1)[1].rsplit("</script>", 2)[0]


def test_every_element_is_defined() -> None:
    bundle = crowd_elements_js()
    wanted = ["crowd-form", "crowd-button", "crowd-classifier", "crowd-classifier-multi-select",
              "crowd-image-classifier", "crowd-image-classifier-multi-select", "crowd-bounding-box",
              "crowd-keypoint", "crowd-polygon", "crowd-line", "crowd-point", "crowd-entity-annotation",
              "crowd-input", "crowd-text-area", "crowd-checkbox", "crowd-radio-group", "crowd-radio-button",
              "crowd-slider", "crowd-toggle-button", "crowd-instructions", "crowd-alert", "crowd-badge",
              "crowd-card", "crowd-modal", "crowd-tabs", "crowd-tab", "crowd-textract-analyze-document",
              "crowd-rekognition-detect-moderation-labels"]
    assert [tag for tag in wanted if f'customElements.define("{tag}"' not in bundle] == []
