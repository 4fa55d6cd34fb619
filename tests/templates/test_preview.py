"""Notebook preview: a sandboxed srcdoc iframe with the offline crowd elements."""

from __future__ import annotations

import html

import pytest

from a2i_kit.errors import TemplateError
from a2i_kit.templates import builtin, preview, preview_html
from a2i_kit.templates.preview import data_uri_signer


def srcdoc(markup: str) -> str:
    start = markup.index('srcdoc="') + len('srcdoc="')
    return html.unescape(markup[start : markup.index('"', start)])


def test_preview_iframe_is_sandboxed_without_same_origin() -> None:
    item = builtin("image-classification")
    markup = preview_html(item.content, item.sample_input, height=420)
    assert markup.startswith('<iframe sandbox="allow-scripts allow-forms" srcdoc="')
    assert "allow-same-origin" not in markup
    assert "height: 420px" in markup
    page = srcdoc(markup)
    assert "<crowd-image-classifier" in page
    assert "data:image/png;base64," in page  # sample image inlined for offline use
    assert "https://assets.crowd.aws/crowd-html-elements.js" not in page  # portal elements


def test_preview_displays_html(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[object] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    result = preview("<p>{{ task.input.t }}</p>", {"t": "x & y"})
    assert shown == [result]
    assert "x &amp;amp; y" in result.data


def test_data_uri_signer_reads_mirror_and_refuses_unknown(tmp_path) -> None:
    (tmp_path / "bkt" / "d").mkdir(parents=True)
    (tmp_path / "bkt" / "d" / "a.txt").write_text("hello")
    sign = data_uri_signer(tmp_path)
    assert sign("bkt", "d/a.txt") == "data:text/plain;base64,aGVsbG8="
    with pytest.raises(TemplateError, match=r"s3://bkt/missing\.png is not available offline"):
        sign("bkt", "missing.png")
