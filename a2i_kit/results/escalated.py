"""Results of a flow definition with its escalation follow-ups folded in: one item per original loop.

:func:`a2i_kit.launch.escalate` asks one more reviewer when a loop's answers disagree and the
ledger links the original loop to its follow-up. Here the follow-up's answers join the original
item: in ``answers`` they take the original's ``task`` and carry ``escalated_from`` (the original
loop's name), the original's rows carry ``escalated_to``; ``loops`` has one row per original loop
(follow-up loops are not items of their own) with ``escalated_to`` and ``followup_status``;
:meth:`EscalatedResults.consolidated` votes over all answers, a tie going to the follow-up.

Example:
    >>> res = EscalatedResults.from_session(session, "claims-review", item_key="item_id",
    ...                                     label_field="category").sync()       # doctest: +SKIP
    >>> res.consolidated()[["label", "answers", "escalated_to", "followup_label"]]  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from a2i_kit.client.arns import flow_definition_name
from a2i_kit.errors import ResultsError
from a2i_kit.launch.ledger import Ledger, default_ledger_path
from a2i_kit.results.core import Results

if TYPE_CHECKING:
    from a2i_kit.session import Session

LINKED = ("intent", "started")  # an intent's follow-up may exist (a crash before its record)


class EscalatedResults:
    """An original flow definition's :class:`Results` plus the follow-up loops linked to its loops.

    ``links`` has one row per escalated loop: ``original_loop``, ``followup_loop``,
    ``followup_flow_arn`` (the ledger's ``escalations`` rows).
    """

    def __init__(self, original: Results, followups: list[Results], links: pd.DataFrame) -> None:
        self.original, self.followups = original, list(followups)
        self.links = links.reset_index(drop=True)
        self._to = dict(zip(self.links["original_loop"], self.links["followup_loop"], strict=True))
        self._from = {v: k for k, v in self._to.items()}
        self._frames: dict[str, pd.DataFrame] | None = None

    @classmethod
    def from_session(cls, session: Session, flow_definition: str, *,
                     ledger: Ledger | str | Path | None = None, **options: Any) -> EscalatedResults:
        """Results of ``flow_definition`` and of every follow-up flow its ledger links to.

        ``options`` go to :meth:`Results.from_session` (``item_key``, ``template``, ``label_field``).
        """
        name = flow_definition_name(flow_definition)
        try:
            arn = session.sagemaker.describe_flow_definition(FlowDefinitionName=name)["FlowDefinitionArn"]
        except Exception as exc:
            raise ResultsError(f"cannot describe flow definition {name!r} ({exc}); check the name with "
                               "session.sagemaker.list_flow_definitions()") from exc
        book = ledger if isinstance(ledger, Ledger) else Ledger(ledger or default_ledger_path(session))
        try:
            links = book.escalation_frame(arn)
        finally:
            if not isinstance(ledger, Ledger):
                book.close()
        links = links[links["status"].isin(LINKED)][["original_loop", "followup_loop", "followup_flow_arn"]]
        original = Results.from_session(session, name, **options)
        followups = [original if flow_definition_name(f) == name else
                     Results.from_session(session, flow_definition_name(f), **_own_cache(options, f))
                     for f in pd.unique(links["followup_flow_arn"])]
        return cls(original, followups, links)

    def sync(self) -> EscalatedResults:
        """Read new outputs of the original and the follow-up flow definitions; returns ``self``."""
        for res in {id(r): r for r in [self.original, *self.followups]}.values():
            res.sync()
        self._frames = None
        return self

    def _build(self) -> dict[str, pd.DataFrame]:
        if self._frames is None:
            answers = self.original.answers
            mine = answers[~answers["human_loop_name"].isin(self._from)]
            mine = mine.assign(escalated_to=_objects([self._to.get(n) for n in mine["human_loop_name"]], mine),
                               escalated_from=None)
            task_of = dict(zip(mine["human_loop_name"], mine["task"], strict=True))
            extra = [r.answers[r.answers["human_loop_name"].isin(self._from)] for r in self.followups]
            frames = [mine]
            if extra:
                theirs = pd.concat(extra, ignore_index=True).drop_duplicates(["human_loop_name", "answer_index"])
                origin = theirs["human_loop_name"].map(self._from)
                theirs = theirs.assign(task=[task_of.get(o, o) for o in origin], escalated_to=None,
                                       escalated_from=origin.astype(object))
                frames.append(theirs)
            merged = pd.concat(frames, ignore_index=True) if len(frames) > 1 else mine.reset_index(drop=True)
            for col in ("escalated_to", "escalated_from"):  # None, never NaN, where there is no link
                merged[col] = merged[col].astype(object).where(merged[col].notna(), None)
            self._frames = {"answers": merged, "loops": self._loops()}
        return self._frames

    def _loops(self) -> pd.DataFrame:
        loops = self.original.loops
        loops = loops[~loops["human_loop_name"].isin(self._from)].reset_index(drop=True)
        status: dict[str, Any] = {}
        for res in self.followups:
            frame = res.loops
            status.update(zip(frame["human_loop_name"], frame["status"], strict=True))
        followup = [self._to.get(n) for n in loops["human_loop_name"]]
        return loops.assign(escalated_to=_objects(followup, loops),
                            followup_status=_objects([status.get(f) if f else None for f in followup], loops))

    @property
    def answers(self) -> pd.DataFrame:
        """Every answer of the original loops and their follow-ups; see the module docstring."""
        return self._build()["answers"]

    @property
    def loops(self) -> pd.DataFrame:
        """One row per original loop, with ``escalated_to`` and ``followup_status``."""
        return self._build()["loops"]

    @property
    def problems(self) -> pd.DataFrame:
        """Problems of every Results read (see :attr:`Results.problems`)."""
        parts = [r.problems for r in {id(r): r for r in [self.original, *self.followups]}.values()]
        return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)

    def consolidated(self) -> pd.DataFrame:
        """One row per item (``task``): majority ``label`` over original and follow-up answers (a tie
        goes to the follow-up's label), ``votes`` for it, ``answers``, ``escalated_to`` and
        ``followup_label``."""
        from a2i_kit.analytics.consolidation import majority_vote  # analytics loads scipy: on use

        answers = self.answers
        labelled = answers[answers["label"].notna()]
        label = majority_vote(labelled)
        out = pd.DataFrame({"label": label})
        votes = labelled.assign(label_=labelled["task"].map(label))
        out["votes"] = votes[votes["label"] == votes["label_"]].groupby("task").size()
        out["answers"] = labelled.groupby("task").size()
        linked = answers[answers["escalated_to"].notna()].drop_duplicates("task").set_index("task")
        said = answers[answers["escalated_from"].notna()].drop_duplicates("task").set_index("task")
        for col, values in (("escalated_to", linked["escalated_to"]), ("followup_label", said["label"])):
            column = values.reindex(out.index).astype(object)
            out[col] = column.where(column.notna(), None)
        return out.astype({"votes": "int64", "answers": "int64"})


def _objects(values: list[Any], frame: pd.DataFrame) -> pd.Series:
    """A column that keeps None as None (pandas 3 would infer text with NaN for a list of str/None)."""
    return pd.Series(values, index=frame.index, dtype=object)


def _own_cache(options: dict[str, Any], flow: str) -> dict[str, Any]:
    """A follow-up flow's S3 cache in a folder of its own (a cache's state belongs to one prefix)."""
    if options.get("cache_dir") is None:
        return options
    return {**options, "cache_dir": Path(options["cache_dir"]) / f"_followup-{flow_definition_name(flow)}"}
