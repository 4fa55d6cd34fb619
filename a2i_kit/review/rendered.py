"""What a simulated reviewer reads off a rendered task page: its answer shape and box labels.

Categories, names and labels written with Liquid are literal only after rendering, so a
reviewer that answers from the rendered page gets real labels where the raw template has
``{{ ... }}``. Segmentation answers get a real, fully transparent PNG mask.

Example:
    >>> rendered_shape("<crowd-form><crowd-input name='n'></crowd-input></crowd-form>")["properties"]["n"]["type"]
    'string'
"""

from __future__ import annotations

from typing import Any


def rendered_shape(html: str) -> dict[str, Any] | None:
    """Answer shape of the rendered task: categories and names made with Liquid are literal there."""
    if not html:
        return None
    try:
        from a2i_kit.templates import answer_shape

        shape = answer_shape(html)
        add_box_labels(shape, html)
    except Exception:  # fall back to the shape of the raw template
        return None
    return shape if shape.get("properties") else None


def add_box_labels(shape: dict[str, Any], html: str) -> None:
    """Put a crowd-bounding-box's literal ``labels`` into its shape, so boxes get real labels."""
    from a2i_kit.templates.answer_shape import literal_categories
    from a2i_kit.templates.html_scan import scan_html

    for element in scan_html(html).by_tag("crowd-bounding-box"):
        schema = shape["properties"].get(element.value("name") or "")
        labels = literal_categories(element, "labels")
        if schema and labels:
            item = schema["properties"]["boundingBoxes"]["items"]
            item["properties"]["label"] = {"type": "string", "enum": labels}


def blank_masks(answer: dict[str, Any], shape: Any) -> None:
    """Segmentation answers paint nothing: a real, fully transparent PNG mask (not random text).

    >>> a = {"seg": {"labeledImage": {"pngImageData": "x"}, "labelMappings": {"A": {}},
    ...              "inputImageProperties": {"width": 3.2, "height": 2.7}}}
    >>> blank_masks(a, {"properties": {"seg": {"x-element": "crowd-semantic-segmentation"}}})
    >>> a["seg"]["labelMappings"], a["seg"]["inputImageProperties"]
    ({}, {'width': 3, 'height': 3})
    """
    import base64
    import io

    from PIL import Image

    for name, schema in (shape or {}).get("properties", {}).items():
        element = schema.get("x-element") if isinstance(schema, dict) else None
        if element not in ("crowd-semantic-segmentation", "crowd-instance-segmentation") or name not in answer:
            continue
        size = answer[name].get("inputImageProperties") or {}
        width, height = (max(1, round(float(size.get(k) or 1))) for k in ("width", "height"))
        out = io.BytesIO()
        Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(out, format="PNG")
        answer[name]["labeledImage"] = {"pngImageData": base64.b64encode(out.getvalue()).decode()}
        answer[name]["inputImageProperties"] = {"width": width, "height": height}
        answer[name]["labelMappings" if element.endswith("semantic-segmentation") else "instances"] = (
            {} if element.endswith("semantic-segmentation") else [])
