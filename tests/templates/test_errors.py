"""Errors point at template, line, column with a caret; hostile templates stop quickly."""

from __future__ import annotations

import pytest

from a2i_kit.templates import MAX_TEMPLATE_CHARS, TemplateRenderError, lint, render


@pytest.mark.parametrize(
    ("template", "line", "column", "message", "caret_line"),
    [
        ("hello\n{{ task.input | nope }}", 2, 17, "unknown filter 'nope'", "2 | {{ task.input | nope }}"),
        ("a\nb\n{% endfor %}", 3, 4, "unexpected tag 'endfor'", "3 | {% endfor %}"),
        ("{% for i in task.input.x %}\n{{ i }", 2, 1, "expected '}}'", "2 | {{ i }"),
        ("<p>\n{{ task.input.a | append }}</p>", 2, 19, "append() missing", "2 | {{ task.input.a | append }}</p>"),
        ("x\n  {{ task.input.u | grant_read_access }}", 2, 3,
         '"grant_read_access" input is not a valid S3 URI: "".', "2 |   {{ task.input.u | grant_read_access }}"),
    ],
)
def test_error_location_and_caret(template: str, line: int, column: int, message: str,
                                  caret_line: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render(template, {}, name="task.html")
    err = info.value
    assert (err.name, err.line, err.column) == ("task.html", line, column)
    assert message in err.message
    first, caret = err.excerpt.split("\n")
    assert first == caret_line
    assert caret.index("^") == len(f"{line} | ") + column - 1
    assert str(err).startswith(f"task.html:{line}:{column}: ")


@pytest.mark.parametrize(
    ("template", "opened"),
    [
        ("<crowd-form>\n{% if task.input.a %}\n<p>x</p>", "'if' block opened at line 2"),
        ("{% for r in task.input.rows %}\n  {% if r %}{% endif %}\nend", "'for' block opened at line 1"),
        ("{% capture x %}\nabc", "'capture' block opened at line 1"),
    ],
)
def test_error_at_end_of_input_points_after_last_character(template: str, opened: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render(template, {})
    err = info.value
    last = template.split("\n")[-1]
    assert err.line == template.count("\n") + 1
    assert err.column == len(last) + 1
    assert "end of template" in err.message
    assert opened in err.hint
    assert err.excerpt.split("\n")[1].endswith("^")


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}",
         "loop iteration limit"),
        ("{% for i in (1..99999) %}{% endfor %}" * 40, "loop iteration limit"),
        ("{% for i in (1..1000000000) %}x{% endfor %}", "loop iteration limit"),
        ("{{ (1..100000000) | join: ',' }}", "range of 100,000,000 items"),
        ("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}"
         "{% endfor %}{{ s }}", "limit"),
        ("{% for i in (1..60000) %}{{ task.input.big }}{% endfor %}", "output stream limit"),
        ("{% if a %}" * 60 + "x" + "{% endif %}" * 60, "nest"),
    ],
)
@pytest.mark.parametrize("mode", ["strict", "lax"])
def test_runaway_templates_stop_with_a_clear_error(template: str, fragment: str, mode: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render(template, {"big": "y" * 1000}, mode=mode)
    assert fragment in info.value.message
    assert info.value.code in ("ResourceLimitExceeded", "TemplateSyntaxError")


def test_template_over_128000_characters_is_refused() -> None:
    ok = "a" * MAX_TEMPLATE_CHARS
    assert render(ok, {}) == ok
    with pytest.raises(TemplateRenderError) as info:
        render(ok + "a", {})
    assert info.value.code == "ValidationException"
    assert "128,001 characters; the limit is 128,000" in info.value.message
    findings = lint(ok + "a")
    assert [(f.code, f.severity) for f in findings] == [("invalid-template", "error")]


@pytest.mark.parametrize(
    ("garbage", "fragment"),
    [
        (bytes(range(256)) * 4, "not UTF-8"),
        ("PNG\x00\x01\x02\x1a" * 50, "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
@pytest.mark.timeout(30)
def test_binary_garbage_is_refused(garbage: bytes | str, fragment: str) -> None:
    with pytest.raises(TemplateRenderError) as info:
        render(garbage, {})  # type: ignore[arg-type]
    assert fragment in info.value.message
    text = garbage.decode("latin-1") if isinstance(garbage, bytes) else garbage
    findings = lint(text)
    assert any(f.severity == "error" for f in findings)


@pytest.mark.timeout(30)
def test_random_printable_garbage_lints_without_hanging() -> None:
    import random

    rnd = random.Random(7)
    junk = "".join(rnd.choice("{}%<>/\"'=- abc\n") for _ in range(20000))
    findings = lint(junk)
    assert findings  # at least the missing loader / form
    assert all(f.line >= 1 and f.column >= 1 for f in findings)
