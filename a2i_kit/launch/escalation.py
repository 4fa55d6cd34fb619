"""Escalation: when a completed loop's reviewers disagree, ask one more reviewer, exactly once.

``escalate(session, flow)`` reads the flow definition's completed loops, finds those whose answers
for ``field`` disagree (two or more answers whose agreement, the share giving the most frequent
label, is below ``min_agreement``), and starts one follow-up loop per such loop: same input, on a
flow definition with TaskCount 1 (see :mod:`a2i_kit.launch.followup_flow`).

Exactly once: the follow-up's name derives from the original loop's name alone
(:func:`followup_loop_name`), the ledger durably notes the intent before StartHumanLoop and the
outcome after it, a re-run skips what the ledger recorded, reconciles an unknown outcome (a crash
between the call and the record) with DescribeHumanLoop, and a name the service already holds
(``ConflictException``, or ``ValidationException`` "already exists") counts as escalated. The
ledger's ``escalations`` table keeps the link original -> follow-up, which
:class:`a2i_kit.results.escalated.EscalatedResults` uses to consolidate.

Example:
    >>> followup_loop_name("claims-doc-7-k3j2h4g5f6d7")
    'followup-claims-doc-7-k3j2h4g5f6d7-edlsvvaw2u5c'
    >>> escalate(session, "claims-review", field="category")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.errors import error_code, error_message
from a2i_kit.client.retry import RetryPolicy, call_with_retry
from a2i_kit.errors import InputError, LaunchError
from a2i_kit.launch.followup_flow import derived_followup_flow, describe_flow, given_followup_flow
from a2i_kit.launch.ledger import Ledger, default_ledger_path
from a2i_kit.launch.names import loop_name
from a2i_kit.launch.reconcile import existing_loops

if TYPE_CHECKING:
    from a2i_kit.results.core import Results
    from a2i_kit.session import Session

__all__ = ["ESCALATION_COLUMNS", "escalate", "followup_loop_name"]
ESCALATION_COLUMNS = ["human_loop_name", "task", "answers", "agreement", "labels", "followup_loop_name",
                      "followup_flow_definition_arn", "status", "human_loop_arn", "error"]
FOLLOWUP_PREFIX = "followup"


def followup_loop_name(original_loop: str) -> str:
    """The follow-up loop's name: from the original loop's name only, the same on every run."""
    return loop_name(FOLLOWUP_PREFIX, original_loop)


def escalate(session: Session, flow_definition: str, *, field: str | None = None,
             min_agreement: float = 1.0, followup_flow_definition: str | None = None,
             item_key: str | None = None, results: Results | None = None,
             data_attributes: dict[str, Any] | None = None, ledger: Ledger | str | Path | None = None,
             dry_run: bool = False, retry: RetryPolicy | None = None) -> pd.DataFrame:
    """Start one follow-up loop per disagreeing loop of ``flow_definition``; one row per such loop.

    ``field`` names the answer element compared (default: each answer's main label, as
    :class:`~a2i_kit.results.Results` picks it). ``status`` per row: ``started``,
    ``already_escalated`` (ledger or service had it: nothing sent), ``would_start``
    (``dry_run=True``: nothing created) or ``failed`` (see ``error``; a re-run retries it).
    ``results`` (a synced Results of the flow) saves reading the outputs again; ``data_attributes``
    goes to each StartHumanLoop (e.g. content classifiers for a public workteam).
    """
    for client in ("sagemaker", "runtime"):
        if getattr(session, client, None) is None:
            raise LaunchError("pass the Session from a2i_kit.connect() (it needs .sagemaker and .runtime)")
    if isinstance(min_agreement, bool) or not isinstance(min_agreement, int | float) \
            or not 0 < min_agreement <= 1:
        raise InputError(f"min_agreement={min_agreement!r}: pass a share in (0, 1]; 1.0 escalates any "
                         "disagreement, 0.6 only loops where fewer than 60 % of answers agree")
    original = describe_flow(session.sagemaker, flow_definition, role="original")
    flow_arn = original["FlowDefinitionArn"]
    if results is None:
        from a2i_kit.results.core import Results

        results = Results.from_session(session, original["FlowDefinitionName"], label_field=field,
                                       item_key=item_key, with_statuses=False).sync()
    book = ledger if isinstance(ledger, Ledger) else Ledger(ledger or default_ledger_path(session))
    try:
        found = _disagreements(results, book, field, min_agreement)
        if found.empty:
            return pd.DataFrame(columns=ESCALATION_COLUMNS)
        followup = (given_followup_flow(session.sagemaker, followup_flow_definition)
                    if followup_flow_definition is not None
                    else derived_followup_flow(session.sagemaker, original, create=not dry_run))
        run = _Run(session, results, book, flow_arn, followup["FlowDefinitionArn"], data_attributes,
                   retry or RetryPolicy())
        return run.execute(found, dry_run=dry_run)
    finally:
        if not isinstance(ledger, Ledger):
            book.close()


def _disagreements(results: Results, ledger: Ledger, field: str | None, min_agreement: float) -> pd.DataFrame:
    """Loops of ``results`` with two or more answers agreeing less than ``min_agreement``."""
    # Imported here: analytics loads scipy, results pandas' readers; ``import a2i_kit.launch`` stays quick.
    from a2i_kit.analytics.consolidation import loop_agreement

    answers = results.answers
    if answers.empty:
        return pd.DataFrame(columns=["task", "answers", "agreement", "labels"])
    if field is not None and answers["label"].isna().all():
        fields = sorted({c.split(".")[1] for c in answers.columns if c.startswith("answer.")})
        raise InputError(f"field={field!r} is in no answer of this flow definition; the answers hold "
                         f"{fields}: pass one of them")
    followups = {row["followup_loop"] for row in ledger.escalations().values()}
    answers = answers[~answers["human_loop_name"].isin(followups)]
    stats = loop_agreement(answers)
    chosen = stats[(stats["answers"] >= 2) & (stats["agreement"] < min_agreement)]
    picked = answers[answers["human_loop_name"].isin(chosen.index)]
    grouped = picked.groupby("human_loop_name", sort=True)
    return chosen.assign(task=grouped["task"].first(), labels=grouped["label"].agg(list))[
        ["task", "answers", "agreement", "labels"]]


class _Run:
    """One escalation pass: intents, reconciliation, starts and outcomes, in that order."""

    def __init__(self, session: Any, results: Results, ledger: Ledger, flow: str, followup_flow: str,
                 data_attributes: dict[str, Any] | None, retry: RetryPolicy) -> None:
        self.runtime, self.results, self.ledger = session.runtime, results, ledger
        self.flow, self.followup_flow, self.data_attributes = flow, followup_flow, data_attributes
        self.retry, self.rng = retry, random.Random()
        self.outcome: dict[str, dict[str, Any]] = {}

    def execute(self, found: pd.DataFrame, *, dry_run: bool) -> pd.DataFrame:
        names = list(found.index)
        prior = self.ledger.escalations()
        open_ = [n for n in names if prior.get(n, {}).get("status") != "started"]
        for name in names:
            if name not in open_:
                self._set(name, prior[name], "already_escalated", prior[name]["arn"])
        if not dry_run and open_:
            self.ledger.intend_escalations([(n, self.flow, followup_loop_name(n), self.followup_flow,
                                             _reason(found.loc[n])) for n in open_])
            prior = self.ledger.escalations()
        rows = {n: prior.get(n) or {"followup_loop": followup_loop_name(n),
                                    "followup_flow_arn": self.followup_flow} for n in open_}
        exist = self._existing(rows)
        todo = []
        for name in open_:
            arn = exist.get(rows[name]["followup_loop"])
            if arn is not None:
                self._set(name, rows[name], "already_escalated", arn)
            elif dry_run:
                self._set(name, rows[name], "would_start", None)
            else:
                todo.append(name)
        if not dry_run:
            self._start_all(todo, rows)
            done = [(n, "failed" if o["status"] == "failed" else "started", o["human_loop_arn"], o["error"])
                    for n, o in self.outcome.items() if n in rows]
            self.ledger.record_escalations(done)
        frame = found.assign(**{col: pd.Series([self.outcome[n][col] for n in names], index=found.index,
                                               dtype=object)
                                for col in ("followup_loop_name", "followup_flow_definition_arn", "status",
                                            "human_loop_arn", "error")})
        return frame.rename_axis("human_loop_name").reset_index()[ESCALATION_COLUMNS]

    def _set(self, name: str, row: dict[str, Any], status: str, arn: str | None, error: str | None = None) -> None:
        self.outcome[name] = {"followup_loop_name": row["followup_loop"], "status": status,
                              "followup_flow_definition_arn": row["followup_flow_arn"],
                              "human_loop_arn": arn, "error": error}

    def _existing(self, rows: dict[str, dict[str, Any]]) -> dict[str, str]:
        """Follow-up loops the service already holds (an earlier run, or a crash before its record)."""
        by_flow: dict[str, list[str]] = {}
        for row in rows.values():
            by_flow.setdefault(row["followup_flow_arn"], []).append(row["followup_loop"])
        found: dict[str, str] = {}
        for flow, names in by_flow.items():
            found.update(existing_loops(self.runtime, flow, names, self.retry))
        return found

    def _start_all(self, todo: list[str], rows: dict[str, dict[str, Any]]) -> None:
        outputs = self.results.loops.set_index("human_loop_name")["output_uri"]
        for name in todo:
            row = rows[name]
            try:
                content = _input_content(self.results.source, outputs.get(name), name)
            except (OSError, ValueError, LaunchError) as exc:
                self._set(name, row, "failed", None, str(exc))
                continue
            self._start_one(name, row, content)

    def _start_one(self, name: str, row: dict[str, Any], content: str) -> None:
        params: dict[str, Any] = {"HumanLoopName": row["followup_loop"], "FlowDefinitionArn": row["followup_flow_arn"],
                                  "HumanLoopInput": {"InputContent": content}}
        if self.data_attributes is not None:
            params["DataAttributes"] = self.data_attributes
        try:
            answer, _ = call_with_retry(lambda: self.runtime.start_human_loop(**params), self.retry, self.rng)
        except Exception as exc:
            taken = error_code(exc) == "ConflictException" or (
                error_code(exc) == "ValidationException" and "already exist" in error_message(exc))
            held = existing_loops(self.runtime, row["followup_flow_arn"], [row["followup_loop"]], self.retry) \
                if taken else {}
            if held:
                self._set(name, row, "already_escalated", held[row["followup_loop"]])
            else:
                self._set(name, row, "failed", None, error_message(exc))
            return
        self._set(name, row, "started", answer["HumanLoopArn"])


def _reason(stats: pd.Series) -> str:
    return f"{int(stats['answers'])} answers, agreement {float(stats['agreement']):.2f}"


def _input_content(source: Any, uri: Any, loop: str) -> str:
    """The original loop's ``inputContent`` (from its output.json) as StartHumanLoop's InputContent."""
    from a2i_kit.results.keys import split_s3_uri, uri_to_path

    if not isinstance(uri, str):
        raise LaunchError(f"loop {loop!r} has no output.json to read its input from; sync the results again")
    mirror = getattr(source, "mirror_dir", None)
    if mirror is not None:
        data = uri_to_path(mirror, uri).read_bytes()
    else:
        bucket, key = split_s3_uri(uri)
        data = source.client.get_object(Bucket=bucket, Key=key)["Body"].read()
    content = json.loads(data).get("inputContent")
    if not isinstance(content, dict):
        raise LaunchError(f"output.json of loop {loop!r} ({uri}) holds no inputContent object; its "
                          "follow-up cannot repeat the input")
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))
