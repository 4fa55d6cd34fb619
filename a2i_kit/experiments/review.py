"""One review round on an A2I flow definition: launch, let reviewers answer, collect, consolidate.

Example:
    >>> reviews = Reviews(session, flow_definition_arn=flow_arn, seed=0)        # doctest: +SKIP
    >>> labels = reviews.label(items)   # items: item_id + true_label columns    # doctest: +SKIP
    >>> labels.head()                   # one consolidated label per item        # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from a2i_kit.analytics import consolidate
from a2i_kit.client.arns import resource_name
from a2i_kit.errors import InputError
from a2i_kit.launch import Ledger, launch_loops
from a2i_kit.results import Results
from a2i_kit.review import simulate_reviewers
from a2i_kit.session import Session

DIGIT_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="digit" categories="['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']"
                    header="Which digit is this?">
    <classification-target>Handwritten digit {{ task.input.item_id }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""
"""Task UI for the digits: a crowd-classifier named ``digit`` (a real one would show the image)."""


def consensus(answers: pd.DataFrame, method: str = "majority_vote") -> dict[str, str | None]:
    """One label per task; with majority vote, ``None`` where the top votes tie (no consensus).

    Each task is decided by its own answers only, whatever else is in ``answers``.

    >>> answers = pd.DataFrame({"task": ["a", "a", "a", "b", "b", "b"], "worker": list("xyzxyz"),
    ...                         "label": ["1", "1", "7", "1", "4", "7"]})
    >>> consensus(answers)
    {'a': '1', 'b': None}
    """
    labels: dict[str, str | None] = consolidate(answers, method).astype(str).to_dict()
    if method == "majority_vote":
        votes = answers.groupby(["task", "label"]).size().rename("votes").reset_index()
        top = votes[votes["votes"] == votes.groupby("task")["votes"].transform("max")]
        for task in top.loc[top["task"].duplicated(), "task"]:
            labels[task] = None
    return labels


class Reviews:
    """Labels items through human loops of one flow definition, answered by simulated reviewers.

    Each item gets one loop (a deterministic name), so an item picked twice, by another strategy
    or in a later round, is reviewed once and its consolidated label reused. Every reviewer
    answers every loop (as many reviewers as the flow's TaskCount), so answers depend only on
    ``seed``. ``groups`` are the user groups of the flow's private workteam; ``accuracy`` is each
    reviewer's chance of the right answer (``true_label``); ``method`` is the consolidation
    (:func:`a2i_kit.analytics.consolidate`). Refuses an AWS session: people answer there.
    """

    def __init__(self, session: Session, *, flow_definition_arn: str, accuracy: float = 0.8,
                 seed: int = 0, method: str = "majority_vote", label_field: str = "digit",
                 groups: Sequence[str] = ("reviewers",), ledger: Ledger | str | Path | None = None) -> None:
        if not 0.0 < accuracy <= 1.0:
            raise InputError(f"accuracy={accuracy!r} must be in (0, 1]: the share of right answers")
        if not session.admin_token:
            raise InputError("simulated reviewers need the embedded service: a2i_kit.connect() "
                             "(on AWS, people answer in the worker portal)")
        self.session, self.accuracy, self.seed = session, accuracy, seed
        self.method, self.groups = method, list(groups)
        described = session.sagemaker.describe_flow_definition(
            FlowDefinitionName=resource_name(flow_definition_arn))  # an ARN or a name
        self.flow, self.flow_name = described["FlowDefinitionArn"], described["FlowDefinitionName"]
        self.task_count = int(described["HumanLoopConfig"]["TaskCount"])
        if ledger is None:
            base = Path(session.data_dir) if session.data_dir else Path(tempfile.mkdtemp(prefix="a2i-ledger-"))
            ledger = base / f"close-loop-{self.flow_name}.sqlite3"
        self.ledger = ledger if isinstance(ledger, Ledger) else Ledger(ledger)
        self.results = Results.from_session(session, self.flow_name, item_key="item_id",
                                            label_field=label_field)
        self.labels: dict[str, str | None] = {}

    def label(self, items: pd.DataFrame) -> pd.DataFrame:
        """Consolidated labels for ``items`` (``item_id``, ``true_label``): one row per item.

        Columns: ``item_id``, ``label`` (consolidated; missing without consensus), ``answers``, ``answers_right`` (single
        answers equal to the truth), ``new`` (reviewed in this call, not reused).
        """
        todo = items[~items["item_id"].isin(self.labels)]
        if len(todo):
            self._review(todo)
        answers = self._answers(items["item_id"])
        counts = answers.groupby("task").size()
        truth = items.set_index("item_id")["true_label"]
        right = (answers["label"] == answers["task"].map(truth)).groupby(answers["task"]).sum()
        frame = pd.DataFrame({"item_id": items["item_id"].to_numpy()})
        frame["label"] = frame["item_id"].map(self.labels)
        frame["answers"] = frame["item_id"].map(counts).fillna(0).astype(int)
        frame["answers_right"] = frame["item_id"].map(right).fillna(0).astype(int)
        frame["new"] = frame["item_id"].isin(todo["item_id"])
        return frame

    def _review(self, todo: pd.DataFrame) -> None:
        launched = launch_loops(self.session, todo[["item_id", "true_label"]],
                                flow_definition_arn=self.flow, input_cols=["item_id", "true_label"],
                                ledger=self.ledger, progress=False)
        failed = launched[launched["status"] == "failed"]
        if len(failed):
            raise InputError(f"{len(failed)} loop(s) did not start, e.g. {failed['item_id'].iloc[0]}: "
                             f"{failed['error'].iloc[0]}")
        simulate_reviewers(self.session, workers=self.task_count,
                           groups=self.groups, ground_truth_key="true_label", accuracy=self.accuracy,
                           seed=self.seed)
        answers = self._answers(todo["item_id"], sync=True)
        if len(answers):
            self.labels.update(consensus(answers, self.method))

    def _answers(self, ids: pd.Series, *, sync: bool = False) -> pd.DataFrame:
        """This flow's answers for ``ids``, sorted so ties and crowd-kit runs never depend on
        the order outputs were read in."""
        if sync:
            self.results.sync()
        answers = self.results.answers
        answers = answers[answers["task"].astype(str).isin(set(ids))][["task", "worker", "label"]]
        answers = answers.assign(task=answers["task"].astype(str), label=answers["label"].astype(str))
        return answers.sort_values(["task", "label", "worker"], kind="stable").reset_index(drop=True)
