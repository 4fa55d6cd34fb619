"""Built-ins shown the way preview() shows them: in Chromium, with the offline crowd elements."""

from __future__ import annotations

import pytest

from a2i_kit.crowd import prepare_task_html
from a2i_kit.templates import builtin, builtin_names, render
from a2i_kit.templates.preview import data_uri_signer

pytestmark = pytest.mark.browser


@pytest.mark.timeout(120)
def test_builtins_load_without_page_errors(page) -> None:
    errors: list[str] = []
    context = page.context
    for name in builtin_names():
        item = builtin(name)
        tab = context.new_page()  # a fresh custom-element registry per task
        tab.on("pageerror", lambda exc, name=name: errors.append(f"{name}: {exc}"))
        html = prepare_task_html(render(item.content, item.sample_input, signer=data_uri_signer()),
                                 static_base=None)
        tab.set_content(html, wait_until="load")
        tab.wait_for_function("customElements.get('crowd-form') !== undefined", timeout=15000)
        tag = "crowd-entity-annotation" if name == "entity-annotation" else "crowd-form"
        assert tab.locator(tag).count() == 1, name
        tab.close()
    assert errors == []
