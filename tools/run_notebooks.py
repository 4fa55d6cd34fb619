"""Re-execute notebooks in place so they are saved with their outputs (``make notebooks``).

Each notebook runs on a fresh kernel in its own folder, with the outputs that readers see on
GitHub kept and the volatile metadata (execution timings, widget state) left out, so a re-run
changes the file only where a reader would see a difference. Prints each notebook's run time and
exits non-zero when one fails or takes longer than ``--budget`` seconds.

Example:
    python tools/run_notebooks.py                      # every notebooks/NN-*.ipynb
    python tools/run_notebooks.py notebooks/02-flow-definitions.ipynb
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run_one(path: Path, timeout: int) -> float:
    """Execute ``path`` and save it; returns the wall time in seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per notebook")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    failed = []
    for path in paths:
        try:
            elapsed = run_one(path, args.timeout)
        except Exception as exc:  # report every notebook, then fail
            print(f"FAIL {path.name}: {type(exc).__name__}: {str(exc)[:500]}", flush=True)
            failed.append(path.name)
            continue
        over = elapsed > args.budget
        print(f"{'SLOW' if over else 'ok  '} {path.name}: {elapsed:.1f} s", flush=True)
        if over:
            failed.append(path.name)
    if failed:
        print(f"{len(failed)} notebook(s) failed or ran over {args.budget:.0f} s: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
