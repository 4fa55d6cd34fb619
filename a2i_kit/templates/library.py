"""Built-in worker task templates, each with a sample input and a short description.

Example:
    >>> "bounding-boxes" in builtin_names()
    True
    >>> builtin("image-classification").sample_input["taskObject"]
    's3://a2i-kit-samples/images/shapes-1.png'
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from a2i_kit.errors import TemplateError

HERE = Path(__file__).resolve().parent / "builtin"
SAMPLE_BUCKET = "a2i-kit-samples"
_ASSET_KEYS = {
    "shapes-1.png": "images/shapes-1.png",
    "shapes-2.png": "images/shapes-2.png",
    "form-1.png": "documents/form-1.png",
}


@dataclass(frozen=True)
class BuiltinTemplate:
    """A packaged template: ``content`` (Liquid/HTML), ``sample_input`` (task.input)."""

    name: str
    title: str
    description: str
    content: str
    sample_input: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return HERE / f"{self.name}.html"


def builtin_names() -> list[str]:
    """Names of the built-in templates, sorted."""
    return sorted(p.stem for p in HERE.glob("*.html"))


@functools.cache
def builtin(name: str) -> BuiltinTemplate:
    """Load one built-in template by name (see :func:`builtin_names`)."""
    html = HERE / f"{name}.html"
    if "/" in name or not html.is_file():
        raise TemplateError(
            f"no built-in template named {name!r}; choose one of: {', '.join(builtin_names())}"
        )
    meta = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    return BuiltinTemplate(
        name=name,
        title=meta["title"],
        description=meta["description"],
        content=html.read_text(encoding="utf-8"),
        sample_input=meta["sample_input"],
    )


def builtin_assets() -> list[tuple[str, str, Path]]:
    """Sample images the built-ins' sample inputs point at: ``(bucket, key, local path)``.

    Upload them to the local mirror (``mirror_dir/bucket/key``) or a bucket before
    rendering a built-in with a signer.

    Example:
        >>> [key for _, key, _ in builtin_assets()][:1]
        ['documents/form-1.png']
    """
    assets = HERE / "assets"
    return [(SAMPLE_BUCKET, key, assets / file) for file, key in sorted(
        _ASSET_KEYS.items(), key=lambda item: item[1])]


def install_assets(mirror_dir: str | Path) -> list[Path]:
    """Copy the sample images into a local S3 mirror folder (``mirror_dir/bucket/key``)."""
    written = []
    for bucket, key, path in builtin_assets():
        target = Path(mirror_dir) / bucket / key
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # private, as the service makes its data dir
        target.write_bytes(path.read_bytes())
        written.append(target)
    return written
