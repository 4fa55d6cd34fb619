"""Start one human loop per routed item: checked first, concurrent, retried, ledgered.

Example:
    >>> summary = launch_loops(session, routed, flow_definition_arn=flow_arn,  # doctest: +SKIP
    ...                        input_cols=["text", "label"])
    >>> summary["status"].value_counts()                                # doctest: +SKIP
    started    120

Outcome per item (``status`` column): ``started`` (this run), ``already_launched`` (the ledger
or the service already had it: nothing sent twice), ``failed`` (see ``error``). A second run
retries only the failed and unknown ones. Conflicts: an existing loop counts as already
launched only when this ledger recorded the same input for it; otherwise it is an error for that
item (``ConflictException``: a loop of that name exists with different input).

The older call with the DataFrame first and the clients by keyword (``launch_loops(df,
session=...)``, ``runtime=``/``sagemaker=``) works for one more release with a DeprecationWarning.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import pandas as pd

from a2i_kit.client.sessions import as_session, require
from a2i_kit.errors import InputError
from a2i_kit.launch import transport
from a2i_kit.launch.checks import DataAttributes, Job, build_jobs
from a2i_kit.launch.clients import CompiledStart, flow_is_public_crowd, pooled_client
from a2i_kit.launch.ledger import Ledger, default_ledger_path
from a2i_kit.launch.names import flow_name
from a2i_kit.launch.reconcile import existing_loops, loop_arn
from a2i_kit.launch.retry import RetryPolicy, call_with_retry, error_code, error_message
from a2i_kit.launch.workers import run_chunked
from a2i_kit.session import Session

__all__ = ["launch_loops"]
NAME_TAKEN = ("ConflictException", "ValidationException")
MAX_ARN = 1024  # FlowDefinitionArn's maximum length in the A2I runtime model
SUMMARY_COLUMNS = ["item_id", "loop_name", "status", "human_loop_arn", "attempts", "error"]
MAX_INTENTS = 4096  # intents per fsync'd ledger transaction, at most (batches double up to it)
NEW_CALL = "launch_loops(session, df, flow_definition_arn=...)"
OLD_CLIENTS = ("runtime", "sagemaker")
P = ParamSpec("P")
R = TypeVar("R")


def _old_call_forms(launch: Callable[P, R]) -> Callable[P, R]:
    """``launch``, also taking the old forms (DataFrame first, ``session=``/``runtime=``/``sagemaker=``)."""

    @functools.wraps(launch)
    def call(*args: Any, **kwargs: Any) -> Any:
        if (args and isinstance(args[0], pd.DataFrame)) or any(k in kwargs for k in OLD_CLIENTS):
            args, kwargs = _new_form(args, kwargs)
        return launch(*args, **kwargs)

    return cast("Callable[P, R]", call)


def _new_form(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``(session, df)`` and the other keywords of an old-form call; warns, or InputError."""
    clients = {name: kwargs.pop(name) for name in OLD_CLIENTS if name in kwargs}
    if args and not isinstance(args[0], pd.DataFrame):
        raise InputError(f"pass the clients inside the session, not as {'=/'.join(clients)}=: {NEW_CALL}")
    if len(args) > 1:
        raise InputError(f"launch_loops takes the session first, then the DataFrame: {NEW_CALL}")
    df, session = args[0] if args else kwargs.pop("df", None), kwargs.pop("session", None)
    given = {"session": session, **clients}
    source = next((value for value in given.values() if value is not None), None)
    if source is None:
        raise InputError(f"launch_loops needs the Session from a2i_kit.connect() first: {NEW_CALL}")
    base = as_session(source)
    swapped = {name: c for name, c in clients.items() if c is not None and c is not getattr(base, name)}
    if swapped:
        base = dataclasses.replace(base, extras={}, **swapped)
    named = ", ".join(f"{name}=..." for name, value in given.items() if value is not None)
    warnings.warn(f"launch_loops(df, {named}) is deprecated and stops working in the next release: call "
                  f"{NEW_CALL} with the Session from a2i_kit.connect()", DeprecationWarning, stacklevel=3)
    return (base, df), kwargs


@_old_call_forms
def launch_loops(session: Session, df: pd.DataFrame, *, flow_definition_arn: str, id_col: str = "item_id",
                 input_cols: Sequence[str] | None = None,
                 input_fn: Callable[[dict[str, Any]], Any] | None = None,
                 data_attributes: DataAttributes | Callable[[dict[str, Any]], DataAttributes] = None,
                 public_crowd: bool | None = None, only_review: bool = True,
                 ledger: Ledger | str | Path | None = None, max_workers: int = 16,
                 retry: RetryPolicy | None = None, botocore_retries: bool = False,
                 progress: bool = True, name_prefix: str | None = None) -> pd.DataFrame:
    """Start loops for ``df`` rows (only ``review == True`` ones when that column exists).

    Raises InputError (nothing started) for bad rows; returns the per-item summary DataFrame.
    ``botocore_retries=False`` turns botocore's own retry sleeps off for these calls: the
    launcher's jittered backoff (``retry``) handles the same errors with shorter first delays.
    Without ``ledger``, launches are recorded at ``default_ledger_path(session)``: beside the
    embedded service's data, or ``.a2i-kit/`` in the working directory on AWS.
    Calls go through a pooled copy of ``session.runtime`` that it signs itself
    (:func:`~a2i_kit.launch.clients.pooled_client`); to a plain-http loopback endpoint (the
    embedded service) the bytes travel over :mod:`a2i_kit.launch.transport`, and StartHumanLoop
    is replayed from botocore's first call (:class:`~a2i_kit.launch.clients.CompiledStart`: the
    same bytes and answers, less CPU per call).
    """
    session = as_session(session)
    runtime, sagemaker = require(session, "launch_loops", "runtime"), session.sagemaker
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"launch_loops: df must be a pandas DataFrame of items, not {type(df).__name__}: "
                         f"{NEW_CALL}")
    if not isinstance(flow_definition_arn, str) or not 1 <= len(flow_definition_arn) <= MAX_ARN:
        raise InputError(f"flow_definition_arn must be the FlowDefinitionArn string (1 to {MAX_ARN} "
                         f"characters) from create_flow_definition, not {flow_definition_arn!r:.80}")
    if only_review and "review" in df.columns:
        df = df[df["review"].astype(bool)]
    if public_crowd is None and sagemaker is not None:
        public_crowd = flow_is_public_crowd(sagemaker, flow_definition_arn)
    with ThreadPoolExecutor(1, thread_name_prefix="a2i-ledger") as opener:
        # Opening a new ledger waits on the disk (~50 ms): it overlaps the checks of every row.
        opening = None if isinstance(ledger, Ledger) else opener.submit(
            Ledger, ledger or default_ledger_path(session))
        jobs = build_jobs(df, flow_definition_arn=flow_definition_arn, id_col=id_col,
                          input_cols=input_cols, input_fn=input_fn, data_attributes=data_attributes,
                          public_crowd=public_crowd, name_prefix=name_prefix)
        book: Ledger = opening.result() if opening is not None else ledger  # type: ignore[assignment]
    # Every parameter sent is checked above (build_jobs), so botocore need not check it per call.
    client = pooled_client(runtime, max_workers, botocore_retries=botocore_retries, prevalidated=True)
    wire = transport.attach(client) if client is not runtime else None
    try:
        run = _Run(client, flow_definition_arn, book, retry or RetryPolicy(), max_workers)
        if wire is not None and CompiledStart.usable(client, prevalidated=True):
            run.start = CompiledStart(client, wire)
        return run.execute(jobs, progress=progress)
    finally:
        if wire is not None:
            wire.close()
        if opening is not None:
            book.close()


class _Run:
    def __init__(self, client: Any, flow: str, ledger: Ledger, retry: RetryPolicy, workers: int) -> None:
        self.client, self.flow, self.ledger, self.retry = client, flow, ledger, retry
        self.start = client.start_human_loop
        self.workers = max(1, int(workers))
        self.rng = random.Random()
        self.results: dict[str, dict[str, Any]] = {}
        self.failures = 0

    def execute(self, jobs: list[Job], *, progress: bool) -> pd.DataFrame:
        prior = self.ledger.rows(self.flow, [j.key for j in jobs])
        todo = self._sort_out(jobs, prior)
        self._start_all(todo, prior, progress)
        rows = [{"item_id": j.item_id, "loop_name": j.name, **self.results[j.key]} for j in jobs]
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def _done(self, job: Job, status: str, arn: str | None, attempts: int = 0,
              error: str | None = None) -> tuple[str, str, str | None, str | None, int]:
        self.results[job.key] = {"status": status, "human_loop_arn": arn, "attempts": attempts,
                                 "error": error}
        ledger_status = "failed" if status == "failed" else "started"
        return job.key, ledger_status, arn, error, attempts

    def _sort_out(self, jobs: list[Job], prior: dict[str, dict[str, Any]]) -> list[Job]:
        """Skip what the ledger knows; reconcile unknown outcomes; return the jobs to start."""
        unknown, todo, records = [], [], []
        for job in jobs:
            row = prior.get(job.key)
            if row is None or (row["status"] == "failed" and row["loop_name"] == job.name):
                todo.append(job)
            elif row["loop_name"] != job.name:
                todo.append(job)  # another name prefix: a different loop
            elif row["status"] == "started":
                records.append(self._known(job, row, row["arn"]))
            else:
                unknown.append(job)
        found = existing_loops(self.client, self.flow, [j.name for j in unknown], self.retry)
        for job in unknown:
            if job.name in found:
                records.append(self._known(job, prior[job.key], found[job.name]))
            else:
                todo.append(job)
        records = [r for r in records if r is not None]
        if records:
            self.ledger.record(self.flow, records)
        return todo

    def _known(self, job: Job, row: dict[str, Any], arn: str | None) -> Any:
        if row["input_sha"] == job.input_sha:
            return self._done(job, "already_launched", arn or loop_arn(self.flow, job.name))
        self.results[job.key] = {
            "status": "failed", "human_loop_arn": arn, "attempts": 0,
            "error": f"loop {job.name!r} was already started with different input for this item; "
                     "pass name_prefix= to start new loops for changed data"}
        return None

    def _start_all(self, todo: list[Job], prior: dict[str, dict[str, Any]], progress: bool) -> None:
        """Intents durably per chunk, then calls; at most two chunks released; outcomes batched."""
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=f"Starting loops ({flow_name(self.flow)})", unit="loop",
                   disable=not progress or not todo)

        def intend(batch: Sequence[Job]) -> None:
            self.ledger.intend(self.flow, [(j.key, j.name, j.input_sha) for j in batch])

        def record(outcomes: list[Any]) -> None:
            self.ledger.record(self.flow, outcomes)
            bar.update(len(outcomes))
            failed = sum(1 for r in outcomes if r[1] == "failed")
            if failed:
                self.failures += failed
                bar.set_postfix(failed=self.failures)

        try:
            run_chunked(todo, lambda job: self._start_one(job, prior.get(job.key)), workers=self.workers,
                        chunk=max(self.workers * 4, 32), max_chunk=MAX_INTENTS, before_chunk=intend,
                        on_outcomes=record)
        finally:
            bar.close()

    def _start_one(self, job: Job, row: dict[str, Any] | None) -> Any:
        params: dict[str, Any] = {"HumanLoopName": job.name, "FlowDefinitionArn": self.flow,
                                  "HumanLoopInput": {"InputContent": job.input_content}}
        if job.data_attributes:
            params["DataAttributes"] = job.data_attributes
        try:
            answer, attempts = call_with_retry(lambda: self.start(**params),
                                               self.retry, self.rng)
        except Exception as exc:
            attempts = getattr(exc, "attempts", 1)
            ours = (row is not None and row["input_sha"] == job.input_sha) or attempts > 1
            if error_code(exc) in NAME_TAKEN and ours and _name_taken(exc):
                return self._done(job, "already_launched", loop_arn(self.flow, job.name), attempts)
            return self._done(job, "failed", None, attempts, error_message(exc))
        return self._done(job, "started", answer["HumanLoopArn"], attempts)


def _name_taken(exc: BaseException) -> bool:
    """Conflict, or the 'already exists and is finished' validation error."""
    message = error_message(exc)
    return error_code(exc) == "ConflictException" or "already exist" in message
