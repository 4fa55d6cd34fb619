"""`make test-install`: a2i-kit installs where users are, checked in fresh virtual environments.

Scenarios (each a new venv under one temporary directory; Python is this interpreter's):

- ``wheel``: build the wheel from the repository's files; it must hold every static asset of
  ``a2i_kit/`` (``*.js *.css *.html *.liquid *.json *.png *.svg``).
- ``sdk2`` / ``sdk3``: a SageMaker Distribution-shaped image (numpy 1.26.4, pandas 2.3.3; with
  v2 boto3 1.37 and aiobotocore) with ``sagemaker<3`` / ``sagemaker>=3``, then ``a2i-kit[sagemaker]``:
  no installed package changes version, ``pip check`` passes, the SDK still imports, and
  ``connect()`` + one StartHumanLoop through boto3 work (``tests/install/connect_smoke.py``).
- ``oldest``: ``constraints-oldest.txt`` (every lower bound), ``a2i-kit[demo]``, then
  ``OLDEST_TESTS`` run with pytest against the installed wheel.

The scenarios run side by side (they mostly wait on the index). Downloads are kept in a
wheelhouse (``--wheelhouse``, default ``~/.cache/a2i-kit/wheelhouse``, a folder per scenario)
that later runs find first, so a rerun downloads nothing new. The machine's pip configuration
(index URLs, find-links, constraints) is kept: the wheelhouse is added to its find-links.

Example:
    $ python tools/install_check.py                 # every scenario
    $ python tools/install_check.py wheel oldest --keep /tmp/ic
    INSTALL wheel ok seconds=21.4 assets=85
    $ python tools/install_check.py --index-reachable && echo online
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("wheel", "sdk2", "sdk3", "oldest")
STATIC = (".js", ".css", ".html", ".liquid", ".json", ".png", ".svg")
# A SageMaker Distribution-shaped image: the SDK and what ships next to it. With SDK v2 (SMD 2.x
# and 3.x): boto3 1.37 held by aiobotocore's botocore pin, numpy 1.26.4, pandas 2.3.3. SDK v3
# needs boto3>=1.43.90; left open, pip takes the newest boto3 and then backtracks through every
# aiobotocore release (sdists, 20+ minutes), so its image pins the SDK and aiobotocore as an image
# does (aiobotocore 3.10.0: botocore 1.43.115-1.43.117).
SDKS = {
    "sdk2": (("sagemaker<3", "numpy==1.26.4", "pandas==2.3.3", "boto3==1.37.1", "aiobotocore==2.21.1"),
             "from sagemaker import Session, get_execution_role"),
    "sdk3": (("sagemaker==3.27.0", "aiobotocore==3.10.0"),
             "from sagemaker.core.resources import FlowDefinition, HumanTaskUi"),
}
# The quick subset on the oldest pins: service round trip with boto3, results, analytics, routing.
OLDEST_TESTS = (
    "tests/smoke/test_session.py",
    "tests/service/test_human_loops.py",
    "tests/service/test_end_to_end.py",
    "tests/results/test_results_service.py",
    "tests/results/test_results_parse.py",
    "tests/results/test_results_join.py",
    "tests/analytics/test_analytics_agreement.py",
    "tests/analytics/test_analytics_coverage.py",
    "tests/analytics/test_analytics_reviewers.py",
    "tests/routing/test_routing_policy.py",
)
TEST_TOOLS = ("pytest>=8.2,<10", "pytest-timeout>=2.3,<3")




class VenvError(Exception):
    """A step of an install scenario failed; the message says what and what to change."""


def canonical(name: str) -> str:
    """PEP 503 name: ``SQLAlchemy`` -> ``sqlalchemy``, ``python_liquid`` -> ``python-liquid``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_env(wheelhouse: Path | None = None) -> dict[str, str]:
    """The environment for pip: the machine's find-links (config files and env) plus the wheelhouse."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    env.pop("PYTHONPATH", None)
    if wheelhouse is None:
        return env
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True,
                            text=True, env=env).stdout
    links = [str(wheelhouse)]
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        if key.endswith(".find-links"):
            links += [v for v in value.strip("'\"").split() if v not in links]
    env["PIP_FIND_LINKS"] = " ".join(links)
    return env


class Venv:
    """A fresh virtual environment whose pip finds the wheelhouse first."""

    def __init__(self, path: Path, wheelhouse: Path) -> None:
        self.path, self.wheelhouse = path, wheelhouse
        self.env = pip_env(wheelhouse)
        self.seconds: dict[str, float] = {}  # per step (pip download, pip install, pytest, ...)

    @classmethod
    def create(cls, path: Path, wheelhouse: Path) -> Venv:
        shutil.rmtree(path, ignore_errors=True)
        wheelhouse.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        return cls(path, wheelhouse)

    def run(self, *args: str, cwd: Path | None = None) -> str:
        began = time.monotonic()
        done = subprocess.run([str(self.path / "bin" / "python"), *args], cwd=cwd, env=self.env,
                              capture_output=True, text=True)
        step = args[2] if args[:2] == ("-m", "pip") else args[1] if args[0] == "-m" else "python"
        self.seconds[step] = self.seconds.get(step, 0.0) + time.monotonic() - began
        if done.returncode:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise VenvError(f"{' '.join(args[:4])} ... failed in {self.path.name}:\n{tail}")
        return done.stdout

    def install(self, *requirements: str, constraints: Path | None = None) -> None:
        """Download into the wheelhouse (a cache: errors there are ignored), then pip install."""
        pinned = ["-c", str(constraints)] if constraints else []
        if not pinned and self.versions():
            frozen = self.path / "installed.txt"
            frozen.write_text("".join(f"{n}=={v}\n" for n, v in self.versions().items()))
            pinned = ["-c", str(frozen)]
        with contextlib.suppress(VenvError):
            self.run("-m", "pip", "download", "-q", "-d", str(self.wheelhouse), *pinned, *requirements)
        for ours in self.wheelhouse.glob("a2i_kit-*"):
            ours.unlink()
        self.run("-m", "pip", "install", "-q", *(["-c", str(constraints)] if constraints else []),
                 *requirements)

    def versions(self) -> dict[str, str]:
        listed = json.loads(self.run("-m", "pip", "list", "--format=json"))
        return {canonical(d["name"]): d["version"] for d in listed
                if canonical(d["name"]) not in ("pip", "setuptools", "wheel")}

    def pip_check(self) -> None:
        self.run("-m", "pip", "check")


def source_files() -> list[str]:
    """The repository's files as a checkout would have them (tracked plus new, not ignored)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return sorted(name for name in out.split("\0") if name and (ROOT / name).is_file())


def build_wheel(work: Path) -> tuple[Path, int]:
    """Copy the repository's files, build the wheel there; fail on a static asset it lacks."""
    src, dist = work / "src", work / "dist"
    files = source_files()
    for name in files:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(src)], check=True, capture_output=True, env=pip_env())
    wheel = next(dist.glob("a2i_kit-*.whl"))
    assets = {n for n in files if n.startswith("a2i_kit/") and n.endswith(STATIC)}
    missing = sorted(assets - set(zipfile.ZipFile(wheel).namelist()))
    if missing:
        raise VenvError(f"the wheel lacks {len(missing)} static file(s), first {missing[:5]}: add "
                        "their suffix or folder to [tool.setuptools.package-data] in pyproject.toml")
    return wheel, len(assets)


def check_sdk(venv: Venv, wheel: Path, scenario: str) -> str:
    """An image with the SDK, then our wheel with the sagemaker extra: nothing moves."""
    image, probe = SDKS[scenario]
    venv.install(*image)
    before = venv.versions()
    venv.install(f"{wheel}[sagemaker]")
    after = venv.versions()
    changed = {n: f"{v} -> {after.get(n)}" for n, v in before.items() if after.get(n) != v}
    if changed:
        raise VenvError(f"installing a2i-kit changed preinstalled packages {changed}: lower the "
                        "bound in requirements.txt that forces them")
    venv.pip_check()
    venv.run("-c", probe)
    line = venv.run(str(ROOT / "tests/install/connect_smoke.py"), str(venv.path.parent / f"data-{scenario}"))
    return f"sagemaker={after['sagemaker']} sagemaker-core={after.get('sagemaker-core')} {line.split(' a2i_kit=')[0]}"


def check_oldest(venv: Venv, wheel: Path, work: Path) -> str:
    """Every lower bound pinned; the wheel plus the demo extra; a test subset on top."""
    constraints = ROOT / "constraints-oldest.txt"
    venv.install(f"{wheel}[demo]", *TEST_TOOLS, constraints=constraints)
    venv.pip_check()
    pins = {canonical(n): v for n, v in (line.split("==") for line in _requirement_lines(constraints))}
    installed = venv.versions()
    wrong = {n: installed.get(n) for n, v in pins.items() if installed.get(n) != v}
    if wrong:
        raise VenvError(f"constraints-oldest.txt pins were not installed: {wrong}")
    run = work / "oldest-run"
    for name in ("pyproject.toml", *(f for f in source_files() if f.startswith("tests/"))):
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, run / name)
    out = venv.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--store=sqlite", *OLDEST_TESTS, cwd=run)  # no postgres extra here
    return out.strip().splitlines()[-1]


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line.lower() for line in lines if line]


def index_reachable() -> bool:
    """True when pip, as configured here, finds the SageMaker SDK (what the checks install first)
    on its package index within 20 seconds."""
    try:
        done = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "sagemaker"],
                              capture_output=True, timeout=20, env=pip_env())
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def run_scenario(scenario: str, work: Path, wheel: Path, wheelhouse: Path) -> str:
    """One venv scenario; returns its report lines (steps, then ``ok``/``FAILED`` and the detail).

    Each scenario downloads into a wheelhouse folder of its own, so scenarios running at the same
    time never read a wheel another one is still writing."""
    began = time.monotonic()
    venv = Venv.create(work / f"venv-{scenario}", wheelhouse / scenario)
    try:
        detail = check_oldest(venv, wheel, work) if scenario == "oldest" else check_sdk(venv, wheel, scenario)
        verdict = "ok"
    except VenvError as exc:
        detail, verdict = str(exc), "FAILED"
    steps = " ".join(f"{k}={v:.0f}s" for k, v in venv.seconds.items())
    return (f"INSTALL {scenario} steps {steps}\n"
            f"INSTALL {scenario} {verdict} seconds={time.monotonic() - began:.1f} {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--keep", type=Path, help="work here and keep the venvs (default: a temp dir)")
    parser.add_argument("--wheelhouse", type=Path, default=Path(os.environ.get(
        "XDG_CACHE_HOME", Path.home() / ".cache")) / "a2i-kit" / "wheelhouse")
    parser.add_argument("--index-reachable", action="store_true",
                        help="only say (exit status 0 or 1) whether pip reaches its package index")
    args = parser.parse_args(argv)
    if args.index_reachable:
        return 0 if index_reachable() else 1
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}: use any of {', '.join(SCENARIOS)}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="a2i-install-"))
    work.mkdir(parents=True, exist_ok=True)
    failed, started = [], time.monotonic()
    try:
        began = time.monotonic()
        wheel, count = build_wheel(work / "wheel")
        print(f"INSTALL wheel ok seconds={time.monotonic() - began:.1f} assets={count} {wheel.name}",
              flush=True)
        chosen = [s for s in args.scenarios or SCENARIOS if s != "wheel"]
        # Mostly waiting on the index and on disk: the venvs are built side by side.
        with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
            reports = pool.map(lambda scenario: run_scenario(scenario, work, wheel, args.wheelhouse), chosen)
            for scenario, report in zip(chosen, reports, strict=True):
                print(report, flush=True)
                if f"INSTALL {scenario} FAILED" in report:
                    failed.append(scenario)
    except VenvError as exc:
        failed.append("wheel")
        print(f"INSTALL wheel FAILED {exc}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"INSTALL total seconds={time.monotonic() - started:.1f} failed={json.dumps(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
