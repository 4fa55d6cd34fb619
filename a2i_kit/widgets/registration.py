"""Register a template as a human task UI under a versioned name (``<base>``, ``<base>-v2`` …).

Task UIs cannot be changed once created, so a changed template gets the next free version, and
the same template again reuses the version that already holds it (compared by ContentSha256).

Example:
    >>> register_task_ui(session.sagemaker, "sentiment-ui", html)       # doctest: +SKIP
    Registration(name='sentiment-ui-v2', arn='arn:aws:sagemaker:…', created=True)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from a2i_kit.errors import InputError, ServiceError

NAME = re.compile(r"^[a-z0-9](-*[a-z0-9]){0,62}$")
VERSION = re.compile(r"-v(\d+)$")
MAX_VERSIONS = 500


@dataclass(frozen=True)
class Registration:
    """Where a template was registered: ``created`` is False when an identical version existed."""

    name: str
    arn: str
    created: bool


def check_name(base: str) -> str:
    """The base name without a ``-vN`` suffix, or InputError saying what a valid name is.

    >>> check_name("sentiment-ui-v3")
    'sentiment-ui'
    """
    if not isinstance(base, str) or not NAME.match(base):
        raise InputError(f"task UI name {base!r} is not valid: use 1-63 lowercase letters, digits "
                         "and hyphens, starting and ending with a letter or digit (e.g. 'sentiment-ui')")
    stripped = VERSION.sub("", base)
    return stripped or base


def version_name(base: str, version: int) -> str:
    """``base`` for version 1, ``base-vN`` after that."""
    name = base if version == 1 else f"{base}-v{version}"
    if len(name) > 63:
        raise InputError(f"task UI name {name!r} is longer than 63 characters; choose a shorter base name")
    return name


def _describe(sagemaker: Any, name: str) -> dict[str, Any] | None:
    try:
        return sagemaker.describe_human_task_ui(HumanTaskUiName=name)
    except sagemaker.exceptions.ResourceNotFound:
        return None
    except Exception as exc:  # botocore errors without a modelled class
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code in ("ResourceNotFound", "ValidationException"):
            return None
        raise ServiceError(f"could not look up task UI {name!r}: {exc}") from exc


def register_task_ui(sagemaker: Any, base: str, template: str) -> Registration:
    """Create (or find) the task UI holding ``template``: first free or matching ``base[-vN]``."""
    base = check_name(base)
    digest = hashlib.sha256(template.encode()).hexdigest()
    for version in range(1, MAX_VERSIONS + 1):
        name = version_name(base, version)
        found = _describe(sagemaker, name)
        if found is None:
            arn = sagemaker.create_human_task_ui(HumanTaskUiName=name,
                                                 UiTemplate={"Content": template})["HumanTaskUiArn"]
            return Registration(name=name, arn=arn, created=True)
        if found.get("UiTemplate", {}).get("ContentSha256") == digest:
            return Registration(name=name, arn=found["HumanTaskUiArn"], created=False)
    raise InputError(f"task UI {base!r} already has {MAX_VERSIONS} versions; choose a new base name")
