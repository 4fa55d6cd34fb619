"""The wheel built from the repository: every static asset inside, dependencies and extras as declared.

Builds offline (``pip wheel --no-deps --no-build-isolation``) with tools/install_check.py's
builder, the same one `make test-install` uses.
"""

from __future__ import annotations

import email
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import install_check  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return install_check.build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_every_static_asset(built):
    wheel, count = built
    assets = [n for n in install_check.source_files()
              if n.startswith("a2i_kit/") and n.endswith(install_check.STATIC)]
    assert count == len(assets) > 40
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [a for a in assets if a not in names] == []


def test_the_wheel_declares_runtime_dependencies_and_extras(built):
    wheel, _ = built
    with zipfile.ZipFile(wheel) as zf:
        meta = email.message_from_bytes(zf.read(next(n for n in zf.namelist() if n.endswith("METADATA"))))
    requires = meta.get_all("Requires-Dist") or []
    unconditional = {Requirement(r).name.lower() for r in requires if "extra ==" not in r}
    runtime = {line.split("#")[0].split(">")[0].strip().lower()
               for line in (ROOT / "requirements.txt").read_text().splitlines()} - {""}
    assert unconditional == runtime
    for optional in ("sagemaker", "sagemaker-core", "crowd-kit", "scikit-learn", "psycopg", "jupyterlab", "pyarrow"):
        assert optional not in unconditional
    assert sorted(meta.get_all("Provides-Extra") or []) == [
        "all", "crowdkit", "demo", "jupyter", "parquet", "postgres", "sagemaker"]
    assert 'sagemaker<4,>=2.200; extra == "sagemaker"' in requires


def test_a_static_file_missing_from_the_wheel_fails_with_the_fix(tmp_path, monkeypatch):
    shipped = [n for n in install_check.source_files() if n.startswith("a2i_kit/") and n.endswith(".md")]
    monkeypatch.setattr(install_check, "STATIC", (".md",))
    with pytest.raises(install_check.VenvError) as caught:
        install_check.build_wheel(tmp_path)
    assert str(caught.value) == (
        f"the wheel lacks {len(shipped)} static file(s), first {shipped[:5]}: add their suffix or folder "
        "to [tool.setuptools.package-data] in pyproject.toml")
