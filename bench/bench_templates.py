"""Benchmark: render + lint of every built-in vs a bare python-liquid render of it.

Prints one line: ``BENCH template_render_lint ratio=<bare/ours> target=0.33 ...``.
The bare baseline parses and renders the same template with a plain autoescaping
``liquid.Environment`` (A2I filters stubbed); ours renders through a2i_kit.templates (with
every cache cleared, so each template is parsed and scanned from scratch) and lints with the sample input.

Run: .venv/bin/python bench/bench_templates.py
"""

from __future__ import annotations

import json
import time

from liquid import Environment

from a2i_kit.templates import builtin, builtin_names, lint, render
from a2i_kit.templates.html_scan import scan_html
from a2i_kit.templates.liquid_scan import _scan_cached
from a2i_kit.templates.render import _parse_cached

ROUNDS = 15


def bare_environment() -> Environment:
    env = Environment(autoescape=True)
    env.add_filter("grant_read_access", lambda v: f"https://signed.example/{v}")
    env.add_filter("to_json", json.dumps)
    env.add_filter("skip_autoescape", lambda v: v)
    return env


def best_of_interleaved(first, second, rounds: int = ROUNDS) -> tuple[float, float]:
    """Best time of each, alternating runs so both see the same machine load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for func, bucket in ((first, times[0]), (second, times[1])):
            start = time.process_time()
            func()
            bucket.append(time.process_time() - start)
    return min(times[0]), min(times[1])


def main() -> None:
    items = [builtin(name) for name in builtin_names()]
    env = bare_environment()

    def signer(bucket: str, key: str) -> str:
        return f"https://signed.example/{bucket}/{key}"

    def bare() -> None:
        for _ in range(10):
            for item in items:
                env.from_string(item.content).render(task={"input": item.sample_input})

    def ours() -> None:
        for _ in range(10):
            for item in items:
                for cache in (_parse_cached, scan_html, _scan_cached):
                    cache.cache_clear()
                render(item.content, item.sample_input, signer=signer)
                if lint(item.content, item.sample_input):
                    raise SystemExit(f"{item.name} does not lint clean")

    bare_s, ours_s = best_of_interleaved(bare, ours)
    per = ours_s / (10 * len(items)) * 1000
    print(f"BENCH template_render_lint ratio={bare_s / ours_s:.3f} target=0.33 "
          f"templates={len(items)} bare_ms_per_template={bare_s / (10 * len(items)) * 1000:.2f} "
          f"ours_ms_per_template={per:.2f} (render+lint, caches cleared)")


if __name__ == "__main__":
    main()
