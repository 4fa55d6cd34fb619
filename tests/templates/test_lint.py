"""Every lint rule: a template that trips it and a close one that does not."""

from __future__ import annotations

import json

import pytest

from a2i_kit.templates import Finding, lint

LOADER = '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'


def form(body: str) -> str:
    return f"{LOADER}<crowd-form>\n{body}\n</crowd-form>\n"


CLASSIFIER = ('<crowd-classifier name="v" header="Spam?" categories="[\'Spam\', \'Ham\']">'
              "</crowd-classifier>")

# (code, severity, failing template, passing template, sample input or None)
RULES = [
    ("liquid-syntax", "error", form(CLASSIFIER + "{% if task.input.a %}"),
     form(CLASSIFIER + "{% if task.input.a %}{% endif %}"), None),
    ("unknown-filter", "error", form(CLASSIFIER + "{{ task.input.a | upcasee }}"),
     form(CLASSIFIER + "{{ task.input.a | upcase }}"), None),
    ("missing-loader", "warning", "<crowd-form>" + CLASSIFIER + "</crowd-form>",
     form(CLASSIFIER), None),
    ("missing-crowd-form", "error", LOADER + CLASSIFIER, form(CLASSIFIER), None),
    ("multiple-crowd-forms", "warning", form(CLASSIFIER) + "<crowd-form></crowd-form>",
     form(CLASSIFIER), None),
    ("entity-annotation-in-form", "error",
     form('<crowd-entity-annotation name="e" text="t" labels="[{label: \'a\'}]">'
          "</crowd-entity-annotation>"),
     LOADER + '<crowd-entity-annotation name="e" text="t" labels="[{label: \'a\'}]">'
     "</crowd-entity-annotation>", None),
    ("unknown-element", "error", form(CLASSIFIER + "<crowd-keyvalue></crowd-keyvalue>"),
     form(CLASSIFIER + "<crowd-card></crowd-card>"), None),
    ("unknown-attribute", "warning", form(CLASSIFIER.replace("header=", "heder=", 1)
                                          .replace('name="v"', 'name="v" header="h"')),
     form(CLASSIFIER.replace('name="v"', 'name="v" data-x="1" id="c"')), None),
    ("missing-name", "error", form(CLASSIFIER.replace('name="v" ', "")), form(CLASSIFIER), None),
    ("missing-name", "warning", form(CLASSIFIER + '<input type="text">'),
     form(CLASSIFIER + '<input type="text" name="t">'), None),
    ("duplicate-name", "warning",
     form('<crowd-input name="a"></crowd-input><crowd-input name="a"></crowd-input>'),
     form('<crowd-input name="a"></crowd-input><crowd-input name="b"></crowd-input>'), None),
    ("duplicate-name", "warning",
     form('{% for r in task.input.rows %}<crowd-input name="a"></crowd-input>{% endfor %}'),
     form('{% for r in task.input.rows %}<crowd-input name="a{{ forloop.index }}">'
          "</crowd-input>{% endfor %}"), None),
    ("dotted-name", "warning", form('<crowd-input name="user.age"></crowd-input>'),
     form('<crowd-input name="user_age"></crowd-input>'), None),
    ("dotted-name", "warning", form('<crowd-input name="Change Reason"></crowd-input>'),
     form('<crowd-input name="change-reason"></crowd-input>'), None),
    ("grant-read-access-context", "warning",
     form(CLASSIFIER + "<p>{{ task.input.img | grant_read_access }}</p>"),
     form(CLASSIFIER + '<img src="{{ task.input.img | grant_read_access }}">'), None),
    ("grant-read-access-literal", "error",
     form(CLASSIFIER + '<img src="{{ "bucket/key.png" | grant_read_access }}">'),
     form(CLASSIFIER + '<img src="{{ "s3://bucket/key.png" | grant_read_access }}">'), None),
    ("missing-grant-read-access", "error",
     form(CLASSIFIER + '<img src="{{ task.input.img }}">'),
     form(CLASSIFIER + '<img src="{{ task.input.img | grant_read_access }}">'),
     {"img": "s3://bucket/a.png"}),
    ("missing-grant-read-access", "error",
     form(CLASSIFIER + '<audio src="s3://bucket/a.mp3"></audio>'),
     form(CLASSIFIER + '<audio src="{{ \'s3://bucket/a.mp3\' | grant_read_access }}"></audio>'),
     None),
    ("skip-autoescape", "warning", form(CLASSIFIER + "{{ task.input.table | skip_autoescape }}"),
     form(CLASSIFIER + "{{ task.input.table }}"), None),
    ("missing-input-path", "warning", form(CLASSIFIER + "<p>{{ task.input.txt }}</p>"),
     form(CLASSIFIER + "<p>{{ task.input.text }}</p>"), {"text": "hello"}),
    ("missing-input-path", "error",
     form(CLASSIFIER + '<img src="{{ task.input.image | grant_read_access }}">'),
     form(CLASSIFIER + '<img src="{{ task.input.img | grant_read_access }}">'),
     {"img": "s3://b/k.png"}),
    ("missing-required-attribute", "error", form(CLASSIFIER.replace(' header="Spam?"', "")),
     form(CLASSIFIER), None),
    ("malformed-attribute", "error", form(CLASSIFIER.replace("'Ham']", "'Ham'")),
     form(CLASSIFIER.replace("'Ham']", "'Ham',]")), None),
    ("malformed-attribute", "error",
     form(CLASSIFIER.replace("\"['Spam', 'Ham']\"", "\"{text: 'Spam'}\"")),
     form(CLASSIFIER.replace("\"['Spam', 'Ham']\"", "'[\"Spam\", \"Ham\"]'")), None),
    ("too-many-labels", "warning",
     form('<crowd-image-classifier name="c" header="h" src="https://x.org/a.png" '
          f'categories="{list(map(str, range(11)))}"></crowd-image-classifier>'),
     form('<crowd-image-classifier name="c" header="h" src="https://x.org/a.png" '
          f'categories="{list(map(str, range(10)))}"></crowd-image-classifier>'), None),
    ("no-answer-field", "error", form("<p>Nothing to answer</p>"),
     form('<input type="hidden" name="seen" value="1">'), None),
    ("self-closing-crowd-tag", "error", form('<crowd-input name="a"/>'),
     form('<crowd-input name="a"></crowd-input>'), None),
    ("radio-required", "warning",
     form('<crowd-radio-group><crowd-radio-button name="y" required>Y</crowd-radio-button>'
          "</crowd-radio-group>"),
     form('<crowd-radio-group><crowd-radio-button name="y">Y</crowd-radio-button>'
          "</crowd-radio-group>"), None),
    ("element-outside-form", "warning", form("") + '<crowd-input name="late"></crowd-input>',
     form('<crowd-input name="late"></crowd-input>'), None),
    ("malformed-attribute", "error",
     form(CLASSIFIER.replace("\"['Spam', 'Ham']\"",
                             "\"[{% for l in task.input.ls %}{{ l }},{% endfor %}]\"")),
     form(CLASSIFIER.replace("\"['Spam', 'Ham']\"",
                             "\"[{% for l in task.input.ls %}'{{ l }}',{% endfor %}]\"")),
     {"ls": ["a", "b"]}),
    ("render-error", "error", form(CLASSIFIER + "{{ task.input.n | divided_by: 0 }}"),
     form(CLASSIFIER + "{{ task.input.n | divided_by: 2 }}"), {"n": 4}),
    ("invalid-sample-input", "error", form(CLASSIFIER), form(CLASSIFIER), "[1]"),
]


def codes(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.severity) for f in findings}


@pytest.mark.parametrize(("code", "severity", "bad", "good", "sample"), RULES,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_rule_fails_and_passes(code: str, severity: str, bad: str, good: str,
                               sample: object) -> None:
    found = lint(bad, sample)
    assert (code, severity) in codes(found), [str(f) for f in found]
    hit = next(f for f in found if f.code == code)
    assert hit.line >= 1
    assert hit.column >= 1
    assert hit.message
    if code == "invalid-sample-input":
        assert (code, severity) not in codes(lint(good, {"ok": 1}))
        return
    assert code not in {f.code for f in lint(good, sample)}, [str(f) for f in lint(good, sample)]


def test_finding_positions_and_json() -> None:
    template = form('<crowd-input name="a.b"></crowd-input>')
    finding = next(f for f in lint(template) if f.code == "dotted-name")
    assert (finding.line, finding.column) == (3, 14)
    data = json.loads(json.dumps([f.to_dict() for f in lint(template)]))
    assert data[0].keys() == {"code", "severity", "line", "column", "message", "hint"}
    assert str(finding).startswith("3:14: warning [dotted-name]")


def test_liquid_syntax_error_has_location_and_html_rules_still_run() -> None:
    template = LOADER + "<crowd-form>\n<crowd-input name='a'/>\n{% for x in task.input.y %}"
    found = lint(template)
    syntax = next(f for f in found if f.code == "liquid-syntax")
    assert syntax.line == 4
    assert "never closed" in syntax.hint
    assert "self-closing-crowd-tag" in {f.code for f in found}


def test_findings_are_sorted_by_position() -> None:
    found = lint("<crowd-input name='x.y'/>\n<crowd-bogus></crowd-bogus>")
    positions = [(f.line, f.column) for f in found]
    assert positions == sorted(positions)
