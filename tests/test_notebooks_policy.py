"""Every guided notebook stands alone on the public API and is saved with its outputs (issue 14).

For each ``notebooks/NN-*.ipynb``: the first cell is markdown (what it teaches, what it needs); no
code cell imports ``a2i_kit.demo``, ``a2i_kit.service`` or a private module (a name starting with
``_``), and a name taken from an a2i_kit package is one of its ``__all__`` or a public submodule;
at least one code cell has outputs and none is an error. The checker runs against bad notebooks
first, so it is shown to fail.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
FORBIDDEN = ("a2i_kit.demo", "a2i_kit.service")


def code_of(source: str) -> str:
    """A cell's Python with IPython lines (``!cmd``, ``%magic``) blanked out, so ``ast`` can parse it."""
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines())


def module_problem(module: str) -> str | None:
    """Why importing ``module`` breaks the policy, or None."""
    if module.split(".")[0] != "a2i_kit":
        return None
    if any(part.startswith("_") for part in module.split(".")):
        return f"{module} is a private module"
    if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN):
        return f"{module} is not public API for notebooks"
    return None


def name_problem(module: str, name: str) -> str | None:
    """Why ``from module import name`` breaks the policy, or None."""
    if module.split(".")[0] != "a2i_kit":
        return None
    if name.startswith("_"):
        return f"{module}.{name} is private"
    if module_problem(f"{module}.{name}") is not None:
        return module_problem(f"{module}.{name}")
    public = getattr(importlib.import_module(module), "__all__", None)
    if public is not None and name in public:
        return None
    try:
        importlib.import_module(f"{module}.{name}")  # a public submodule, e.g. a2i_kit.results.synthetic
    except ImportError:
        if public is None:
            return f"{module} has no __all__: import {name} from the package that exports it"
        return f"{module}.{name} is not in {module}.__all__"
    return None


def import_problems(source: str) -> list[str]:
    """Every policy problem with the imports of one code cell."""
    problems: list[str] = []
    for node in ast.walk(ast.parse(code_of(source))):
        if isinstance(node, ast.Import):
            problems += [p for alias in node.names if (p := module_problem(alias.name))]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if problem := module_problem(node.module):
                problems.append(problem)
                continue
            problems += [p for alias in node.names if (p := name_problem(node.module, alias.name))]
    return problems


def notebook_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Every policy problem of a notebook: imports, opening cell, saved outputs, errors."""
    cells = notebook.cells
    problems = []
    if not cells or cells[0].cell_type != "markdown":
        problems.append("the first cell must be markdown: what the notebook teaches and needs")
    code = [cell for cell in cells if cell.cell_type == "code"]
    for index, cell in enumerate(code):
        problems += [f"code cell {index}: {p}" for p in import_problems(cell.source)]
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        problems += [f"code cell {index}: saved with an error output ({o.get('ename')})" for o in errors]
    if not any(cell.get("outputs") for cell in code):
        problems.append("saved without outputs: run tools/run_notebooks.py on it and commit the result")
    return problems


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def test_the_checker_catches_each_kind_of_bad_notebook() -> None:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    shown = code("x = 1\nx", outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                                               execution_count=1)])
    good = notebook([md("# NN · topic"), code("!aws --version\n%matplotlib inline\nimport a2i_kit\n"
                                              "from a2i_kit.results import Results, synthetic"), shown])
    assert notebook_problems(good) == []

    bad = notebook([
        code("from a2i_kit.demo.data import digit_predictions"),
        code("import a2i_kit.service.server"),
        code("from a2i_kit.activation.inferences import form_pairs"),
        code("from a2i_kit.monitor import _status"),
        code("from a2i_kit._private import thing"),
        code("from a2i_kit import demo"),
        code("from a2i_kit.routing import not_a_public_name"),
        code("raise ValueError", outputs=[nbformat.v4.new_output("error", ename="ValueError", evalue="",
                                                                 traceback=[])]),
    ])
    assert notebook_problems(bad) == [
        "the first cell must be markdown: what the notebook teaches and needs",
        "code cell 0: a2i_kit.demo.data is not public API for notebooks",
        "code cell 1: a2i_kit.service.server is not public API for notebooks",
        "code cell 2: a2i_kit.activation.inferences has no __all__: import form_pairs from the package that exports it",
        "code cell 3: a2i_kit.monitor._status is private",
        "code cell 4: a2i_kit._private is a private module",
        "code cell 5: a2i_kit.demo is not public API for notebooks",
        "code cell 6: a2i_kit.routing.not_a_public_name is not in a2i_kit.routing.__all__",
        "code cell 7: saved with an error output (ValueError)",
    ]
    unrun = notebook([md("# NN"), code("1 + 1")])
    assert notebook_problems(unrun) == [
        "saved without outputs: run tools/run_notebooks.py on it and commit the result"]


def test_there_are_guided_notebooks() -> None:
    assert len(NOTEBOOKS) >= 13, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_follows_the_policy(path: Path) -> None:
    assert notebook_problems(nbformat.read(path, as_version=4)) == []
