"""Layering of the task-page packages: crowd below templates, templates below portal and widgets.

Imports are read with ``ast`` (module-level and inside functions, relative ones resolved, and
``importlib.import_module("...")`` with a literal name), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import a2i_kit

PACKAGE_ROOT = Path(a2i_kit.__file__).parent
# package -> packages it must never import (at any level, in any function)
FORBIDDEN = {
    "crowd": ("templates", "portal", "widgets", "service", "session"),
    "templates": ("portal", "widgets"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module name ``source`` (the text of ``module``) imports, wherever the import is."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def violations(package: str) -> list[str]:
    banned = tuple(f"a2i_kit.{name}" for name in FORBIDDEN[package])
    found = []
    for path in sorted((PACKAGE_ROOT / package).rglob("*.py")):
        module = module_name(path)
        names = imported_names(path.read_text(encoding="utf-8"), module,
                               is_package=path.name == "__init__.py")
        found += [f"{module} imports {name}" for name in sorted(names)
                  if any(name == b or name.startswith(b + ".") for b in banned)]
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_nothing_above_it(package: str) -> None:
    modules = list((PACKAGE_ROOT / package).rglob("*.py"))
    assert len(modules) >= 2, f"a2i_kit/{package} has no modules to check"
    assert violations(package) == []


def test_the_checker_sees_function_level_relative_and_dynamic_imports() -> None:
    source = """
import importlib
def late():
    from a2i_kit.portal.pages import e
    from ..widgets import preview
    import a2i_kit.session
    return importlib.import_module("a2i_kit.service.context")
"""
    names = imported_names(source, "a2i_kit.crowd.page")
    assert {"a2i_kit.portal.pages", "a2i_kit.widgets", "a2i_kit.session",
            "a2i_kit.service.context"} <= names
    assert imported_names("from . import bundle", "a2i_kit.crowd", is_package=True) >= {
        "a2i_kit.crowd", "a2i_kit.crowd.bundle"}


def test_portal_templates_and_widgets_build_task_pages_on_crowd() -> None:
    """One pipeline: the users of task pages import a2i_kit.crowd, none keeps its own copy."""
    users = {"a2i_kit/portal/pages.py", "a2i_kit/portal/routes.py", "a2i_kit/templates/preview.py",
             "a2i_kit/widgets/preview.py"}
    for rel in sorted(users):
        path = PACKAGE_ROOT.parent / rel
        assert any(n == "a2i_kit.crowd" or n.startswith("a2i_kit.crowd.")
                   for n in imported_names(path.read_text(encoding="utf-8"), module_name(path))), rel
    own_copies = [p for p in PACKAGE_ROOT.rglob("*.py")
                  if "assets\\.crowd\\.aws/crowd-html-elements" in p.read_text(encoding="utf-8")
                  and p.parent.name != "crowd"]
    assert own_copies == []
    assert not (PACKAGE_ROOT / "portal" / "assets.py").exists()
    assert (PACKAGE_ROOT / "crowd" / "static" / "crowd-html-elements.js").is_file()
