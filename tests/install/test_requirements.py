"""The dependency lists say what the code imports: runtime vs extras, lower bounds, oldest pins.

Offline and quick: reads requirements*.txt, constraints-oldest.txt, pyproject.toml and the AST of
every module of a2i_kit. The install itself is checked by `make test-install`.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
# Import names whose distribution is not what this venv maps them to (sagemaker-core also ships a
# `sagemaker` package here; users get it from the SDK, the "sagemaker" extra).
IMPORT_DIST = {"sagemaker": "sagemaker"}
# Imported but not declared: a declared distribution requires it (checked below).
COMES_WITH = {"pillow": "matplotlib", "ipython": "ipywidgets", "threadpoolctl": "scikit-learn"}
# Declared but not imported: a bound on what an imported library uses (anywidget runs on
# ipywidgets 7 too; our widgets need 8).
BOUND_ONLY = {"ipywidgets"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


RUNTIME = {canonical(r.name): r for r in requirements(ROOT / "requirements.txt")}
EXTRA_OF = {canonical(Requirement(spec).name): extra for extra, specs in EXTRAS.items()
            if extra != "all" for spec in specs}


def third_party_imports() -> list[tuple[str, int, str, ast.AST, list[ast.AST]]]:
    """(file, line, distribution, import node, its ancestors) for every non-stdlib import."""
    dists = metadata.packages_distributions()
    found = []
    for path in sorted((ROOT / "a2i_kit").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        parents: dict[ast.AST, ast.AST] = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("a2i_kit", "__future__"):
                    continue
                dist = IMPORT_DIST.get(top) or canonical(dists.get(top, [top])[0])
                chain, at = [], node
                while at in parents:
                    at = parents[at]
                    chain.append(at)
                found.append((str(path.relative_to(ROOT)), node.lineno, dist, node, chain))
    return found


IMPORTS = third_party_imports()


def test_every_import_is_a_runtime_dependency_or_an_extra():
    undeclared = sorted({f"{f}:{line} imports {dist}" for f, line, dist, _, _ in IMPORTS
                         if dist not in RUNTIME and dist not in EXTRA_OF and dist not in COMES_WITH})
    assert undeclared == [], "add these to requirements.txt or an extra in pyproject.toml"


def test_what_comes_with_a_dependency_is_required_by_it():
    for dist, provider in COMES_WITH.items():
        assert provider in RUNTIME or provider in EXTRA_OF, provider
        assert any(canonical(Requirement(r).name) == dist for r in metadata.requires(provider) or []), \
            f"{provider} no longer requires {dist}: declare {dist} in requirements.txt"


def test_every_runtime_dependency_is_imported():
    imported = {dist for _, _, dist, _, _ in IMPORTS}
    assert sorted(set(RUNTIME) - imported - BOUND_ONLY) == [], "drop these from requirements.txt (or import them)"


def _guarded_by(chain: list[ast.AST], node: ast.AST) -> ast.Try | None:
    """The try statement whose body holds ``node`` and which catches ImportError, if any."""
    for child, parent in zip([node, *chain], chain, strict=False):
        if isinstance(parent, ast.Try) and child in parent.body:
            caught = {ast.unparse(h.type) for h in parent.handlers if h.type is not None}
            if caught & {"ImportError", "ModuleNotFoundError"}:
                return parent
    return None


def test_optional_imports_are_lazy_and_name_their_extra():
    """An extra's library is imported inside a function, under a try that names the extra when it
    raises (falling back silently is fine: the SDK's role discovery does)."""
    problems = []
    for file, line, dist, node, chain in IMPORTS:
        extra = EXTRA_OF.get(dist) or EXTRA_OF.get(COMES_WITH.get(dist, ""))
        if dist in RUNTIME or extra is None:
            continue
        if not any(isinstance(p, ast.FunctionDef | ast.AsyncFunctionDef) for p in chain):
            problems.append(f"{file}:{line}: {dist} is imported at module level (extra {extra!r})")
            continue
        guard = _guarded_by(chain, node)
        if guard is None:
            problems.append(f"{file}:{line}: import of {dist} has no `except ImportError`")
            continue
        handler = "".join(ast.unparse(h) for h in guard.handlers)
        if "raise" in handler and f"a2i-kit[{extra}]" not in handler:
            problems.append(f"{file}:{line}: the error for a missing {dist} should name 'a2i-kit[{extra}]'")
    assert problems == []


def test_every_requirement_has_a_lower_bound_and_the_oldest_pins_are_those_bounds():
    oldest = {canonical(r.name): r for r in requirements(ROOT / "constraints-oldest.txt")}
    checked = {**RUNTIME, **{canonical(Requirement(s).name): Requirement(s) for s in EXTRAS["demo"]}}
    mismatched = {}
    for name, req in checked.items():
        lower = [s.version for s in req.specifier if s.operator == ">="]
        pinned = [s.version for s in oldest[name].specifier if s.operator == "=="] if name in oldest else []
        if len(lower) != 1 or lower != pinned:
            mismatched[name] = (str(req.specifier), str(oldest[name].specifier) if name in oldest else None)
    assert mismatched == {}, "requirements.txt's >= bound and constraints-oldest.txt's == pin differ"
    assert sorted(set(oldest) - set(checked)) == []


@pytest.mark.parametrize(("package", "version"), [
    ("boto3", "1.37.1"), ("botocore", "1.37.1"), ("numpy", "1.26.4"), ("pandas", "2.3.3"),
    ("boto3", "1.40.0"), ("botocore", "1.40.76"), ("boto3", "1.44.8"), ("numpy", "2.4.6"),
])
def test_ranges_admit_what_sagemaker_images_ship(package, version):
    assert RUNTIME[package].specifier.contains(version), f"{package} {version} is refused by requirements.txt"


@pytest.mark.parametrize("version", ["2.200.0", "2.250.0", "3.0.0", "3.27.0"])
def test_the_sagemaker_extra_admits_either_sdk_major(version):
    assert Requirement(EXTRAS["sagemaker"][0]).specifier.contains(version)
    assert not any("sagemaker" in spec for spec in RUNTIME), "the SDK must stay optional"


def test_dev_requirements_install_every_extra_but_the_sdk():
    dev = {canonical(r.name): r for r in requirements(ROOT / "requirements-dev.txt")}
    wanted = {canonical(Requirement(s).name): Requirement(s) for extra, specs in EXTRAS.items()
              if extra not in ("all", "sagemaker") for s in specs}
    assert {n: str(r.specifier) for n, r in wanted.items() if n not in dev or dev[n].specifier != r.specifier} == {}
    assert set(EXTRAS) - {"all"} == {"jupyter", "crowdkit", "demo", "postgres", "parquet", "sagemaker"}
    assert EXTRAS["all"] == ["a2i-kit[jupyter,crowdkit,demo,postgres,parquet]"]


BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"crowdkit", "sklearn", "threadpoolctl"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize(("call", "message"), [
    ("from a2i_kit.analytics import consolidate\nimport pandas as pd\n"
     "consolidate(pd.DataFrame({'task': ['t'], 'worker': ['w'], 'label': ['a']}), 'dawid_skene')",
     "ConfigError: method='dawid_skene' runs crowd-kit: pip install 'a2i-kit[crowdkit]', "
     "or use method='majority_vote'"),
    ("from a2i_kit.samples import digit_predictions\ndigit_predictions(3)",
     "ConfigError: The digit samples need scikit-learn: pip install 'a2i-kit[demo]'"),
    ("from a2i_kit.experiments import split_digits\nsplit_digits()",
     "ConfigError: split_digits() needs scikit-learn: pip install 'a2i-kit[demo]'"),
    ("from a2i_kit.experiments import default_model\ndefault_model()",
     "ConfigError: default_model() needs scikit-learn: pip install 'a2i-kit[demo]'"),
], ids=["consolidate", "digit_predictions", "split_digits", "default_model"])
def test_a_missing_extra_is_an_error_naming_it(call, message):
    done = subprocess.run([sys.executable, "-c", BLOCK + call], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"a2i_kit.errors.{message}"


def test_majority_vote_and_the_package_import_without_any_extra():
    code = BLOCK + (
        "import pkgutil, importlib, a2i_kit\n"
        "from a2i_kit.analytics import consolidate\nimport pandas as pd\n"
        "print(consolidate(pd.DataFrame({'task': ['t', 't'], 'worker': ['v', 'w'], 'label': ['a', 'a']})).to_dict())\n"
        "for m in pkgutil.walk_packages(a2i_kit.__path__, 'a2i_kit.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'crowdkit', 'sklearn', 'psycopg', "
        "'jupyterlab', 'notebook', 'sagemaker'}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["{'t': 'a'}", "[]"]
