"""The main job, end to end on the embedded service: ``a2i-kit demo`` / ``make demo``.

Example:
    >>> from a2i_kit.demo import run_demo
    >>> result = run_demo("results/demo-example")        # doctest: +SKIP
    >>> result.figure                                     # doctest: +SKIP
    PosixPath('results/demo-example/agreement.png')
"""

from __future__ import annotations

from a2i_kit.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
