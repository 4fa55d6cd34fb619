"""Wait until loops are done, with a timeout and a progress bar; stop and delete helpers.

Example:
    >>> wait_until_done(session, flow_arn, timeout=600)              # doctest: +SKIP
    Completed    150
    ...
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.errors import error_code, is_not_found
from a2i_kit.client.retry import RetryPolicy, call_with_retry
from a2i_kit.client.sessions import as_session, require
from a2i_kit.client.statuses import OPEN
from a2i_kit.errors import A2IKitError
from a2i_kit.monitor.status import FINISHED, list_loops, status_summary

if TYPE_CHECKING:
    from a2i_kit.session import Session


def wait_until_done(session: Session, flow_definition_arns: str | Iterable[str], *,
                    names: Iterable[str] | None = None, timeout: float = 3600.0,
                    poll_seconds: float = 2.0, progress: bool = True, raise_on_timeout: bool = True,
                    sleep: Callable[[float], Any] = time.sleep) -> pd.Series:
    """Poll ListHumanLoops until every loop (or every one of ``names``) is Completed/Failed/Stopped.

    Returns the final status counts. On timeout raises A2IKitError naming how many are still
    open (or returns the counts with ``raise_on_timeout=False``).
    """
    from tqdm.auto import tqdm

    session = as_session(session)
    wanted = set(names) if names is not None else None
    deadline = time.monotonic() + timeout
    bar = None
    try:
        while True:
            counts = status_summary(session, flow_definition_arns, names=wanted)
            total = int(counts.sum()) if wanted is None else len(wanted)
            done = sum(int(counts[s]) for s in FINISHED)
            if bar is None:
                bar = tqdm(total=total, desc="Loops done", unit="loop", disable=not progress)
            bar.total = total
            bar.update(done - bar.n)
            bar.set_postfix({k: int(v) for k, v in counts.items() if v})
            if done >= total:
                return counts
            if time.monotonic() >= deadline:
                if raise_on_timeout:
                    raise A2IKitError(f"{total - done} of {total} loops are still open after {timeout:g} s "
                                      f"({ {k: int(v) for k, v in counts.items() if v} }); wait longer, stop them with "
                                      "stop_loops(), or check that reviewers have tasks")
                return counts
            sleep(poll_seconds)
    finally:
        if bar is not None:
            bar.close()


def stop_loops(session: Session, names: Iterable[str], *, retry: RetryPolicy | None = None) -> pd.DataFrame:
    """StopHumanLoop for each name; finished or unknown loops are reported, not raised."""
    runtime = require(as_session(session), "stop_loops", "runtime")
    return _each(runtime.stop_human_loop, names, retry, ok_codes={"ValidationException": "finished",
                                                                  "ResourceNotFoundException": "not_found"})


def delete_loops(session: Session, names: Iterable[str], *, stop_first: bool = True,
                 retry: RetryPolicy | None = None, timeout: float = 60.0) -> pd.DataFrame:
    """Delete loops (stopping open ones first and waiting until they are Stopped)."""
    session, names = as_session(session), list(names)
    runtime = require(session, "delete_loops", "runtime")
    if stop_first:
        stop_loops(session, names, retry=retry)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            open_ = [n for n in names if _status(runtime, n) in OPEN]
            if not open_:
                break
            time.sleep(0.2)
    return _each(runtime.delete_human_loop, names, retry,
                 ok_codes={"ResourceNotFoundException": "not_found"})


def loops_of(session: Session, flow_definition_arn: str) -> list[str]:
    """Names of every loop of a flow definition."""
    return list_loops(session, flow_definition_arn)["loop_name"].tolist()


def _status(runtime: Any, name: str) -> str | None:
    try:
        return runtime.describe_human_loop(HumanLoopName=name)["HumanLoopStatus"]
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def _each(call: Callable[..., Any], names: Iterable[str], retry: RetryPolicy | None,
          ok_codes: dict[str, str]) -> pd.DataFrame:
    retry, rng, rows = retry or RetryPolicy(), random.Random(), []
    for name in names:
        try:
            call_with_retry(partial(call, HumanLoopName=name), retry, rng)
            rows.append({"loop_name": name, "result": "ok", "error": None})
        except Exception as exc:
            code = error_code(exc)
            if code not in ok_codes:
                raise
            rows.append({"loop_name": name, "result": ok_codes[code], "error": str(exc)})
    return pd.DataFrame(rows, columns=["loop_name", "result", "error"])
