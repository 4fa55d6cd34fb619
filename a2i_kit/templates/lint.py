"""Lint worker task templates: Liquid syntax, crowd elements, names, signing, inputs.

Example:
    >>> [f.code for f in lint('<crowd-classifier name="x"></crowd-classifier>')]
    ['missing-crowd-form', 'missing-required-attribute', 'missing-required-attribute', 'missing-loader', 'element-outside-form']
"""

from __future__ import annotations

from typing import Any

from a2i_kit.errors import TemplateError
from a2i_kit.templates.errors import TemplateRenderError
from a2i_kit.templates.findings import SEVERITIES, Collector, Finding
from a2i_kit.templates.html_scan import HtmlScan, scan_html
from a2i_kit.templates.lint_liquid import input_rules, liquid_rules, rendered_rules
from a2i_kit.templates.lint_rules import element_rules
from a2i_kit.templates.liquid_scan import scan_liquid

__all__ = ["Finding", "has_errors", "lint"]


def lint(template: str, sample_input: dict[str, Any] | str | None = None) -> list[Finding]:
    """Check a template; returns findings sorted by position (errors first on a tie).

    With ``sample_input``, also reports ``task.input`` paths the sample lacks and
    renders the template with it.
    """
    from a2i_kit.templates.render import check_source, parse_input, parse_template, render

    out = Collector(template if isinstance(template, str) else "")
    try:
        check_source(template)
    except TemplateRenderError as exc:
        out.at("invalid-template", "error", exc.line or 1, exc.column or 1, exc.message)
        return out.findings
    except TemplateError as exc:
        out.at("invalid-template", "error", 1, 1, str(exc))
        return out.findings
    html: HtmlScan = scan_html(template)
    liquid = None
    try:
        parse_template(template)
        liquid = scan_liquid(template)
    except TemplateRenderError as exc:
        out.at("liquid-syntax", "error", exc.line or 1, exc.column or 1, exc.message, exc.hint)
    element_rules(out, html)
    if liquid is not None:
        liquid_rules(out, html, liquid)
    if sample_input is not None and liquid is not None:
        try:
            data = parse_input(sample_input)
        except TemplateRenderError as exc:
            out.at("invalid-sample-input", "error", 1, 1, exc.message)
        else:
            input_rules(out, template, data)
            rendered = _render_check(out, template, data, render)
            if rendered is not None:
                rendered_rules(out, html, rendered)
    return sorted(out.findings, key=lambda f: (f.line, f.column, SEVERITIES.index(f.severity)))


def _render_check(out: Collector, template: str, data: dict[str, Any],
                  render: Any) -> str | None:
    def fake_signer(bucket: str, key: str) -> str:
        return f"https://example.invalid/{bucket}/{key}"

    try:
        return str(render(template, data, signer=fake_signer))
    except TemplateRenderError as exc:
        if not any(f.code in ("missing-input-path", "liquid-syntax") and f.severity == "error"
                   for f in out.findings):
            out.at("render-error", "error", exc.line or 1, exc.column or 1,
                   f"rendering with the sample input fails: {exc.message}", exc.hint)
    return None


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
