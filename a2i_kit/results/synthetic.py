"""Realistic A2I outputs without a service: predictions, routing, reviewers, output.json files.

A model labels ``n_items``; items under ``threshold`` go to review, plus a random ``audit_rate``
sample of the rest; each reviewed item gets ``task_count`` answers from simulated reviewers with
their own accuracy and speed. Used by tests, benches and notebooks/10-results-analytics.

Example:
    >>> review = generate(200, seed=1)
    >>> sorted(review.predictions["reason"].dropna().unique())
    ['audit', 'low_confidence']
    >>> uri, doc = review.outputs[0]; uri.endswith("/output.json"), sorted(doc)
    (True, ['flowDefinitionArn', 'humanAnswers', 'humanLoopName', 'inputContent'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from a2i_kit.results.gcpause import gc_paused
from a2i_kit.results.keys import uri_to_path
from a2i_kit.results.synthetic_docs import answer_envelope, fd_arn, iso, output_key

CLASSES = ("billing", "technical", "account", "shipping", "other")


@dataclass
class SyntheticReview:
    """Everything one simulated review round produced."""

    predictions: pd.DataFrame
    outputs: list[tuple[str, dict[str, Any]]]
    workers: pd.DataFrame
    statuses: pd.DataFrame = field(default_factory=pd.DataFrame)

    def write_mirror(self, mirror_dir: str | Path) -> int:
        """Write every output.json under ``mirror_dir`` (``s3://b/k`` → ``mirror_dir/b/k``)."""
        return write_mirror(mirror_dir, self.outputs)


def write_mirror(mirror_dir: str | Path, outputs: list[tuple[str, Any]]) -> int:
    """Write ``(uri, document or bytes)`` pairs as files; returns how many were written."""
    for uri, doc in outputs:
        path = uri_to_path(mirror_dir, uri)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc if isinstance(doc, bytes) else orjson.dumps(doc))
    return len(outputs)


def _workers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "worker": [f"{int(x):016x}" for x in rng.integers(0, 2**63, n)],
        "accuracy": rng.uniform(0.78, 0.97, n).round(3),
        "activity": rng.uniform(0.3, 1.0, n).round(3),
        "median_seconds": rng.uniform(15, 70, n).round(1),
        "sub": [f"{int(a):08x}-{int(b):04x}-4{int(c):03x}-8{int(d):03x}-{int(e):012x}" for a, b, c, d, e
                in zip(*(rng.integers(0, m, n) for m in (16**8, 16**4, 16**3, 16**3, 16**12)), strict=True)],
    })  # fmt: skip


def _predictions(rng: np.random.Generator, n: int, classes: tuple[str, ...], threshold: float,
                 audit_rate: float, beta: tuple[float, float], overconfidence: float) -> pd.DataFrame:  # fmt: skip
    k = len(classes)
    prior = rng.dirichlet(np.full(k, 4.0))
    truth = rng.choice(k, size=n, p=prior)
    confidence = np.clip(rng.beta(*beta, n), 1.0 / k, 0.999).round(4)
    correct = rng.random(n) < confidence**overconfidence
    wrong = (truth + rng.integers(1, k, n)) % k
    model = np.where(correct, truth, wrong)
    low = confidence < threshold
    audit = ~low & (rng.random(n) < audit_rate)
    reason = np.full(n, None, dtype=object)
    reason[low] = "low_confidence"
    reason[audit] = "audit"
    return pd.DataFrame({
        "item_id": [f"item-{i:06d}" for i in range(n)],
        "model_label": np.asarray(classes, dtype=object)[model],
        "confidence": confidence,
        "true_label": np.asarray(classes, dtype=object)[truth],
        "routed": low | audit,
        "reason": reason,
    })  # fmt: skip


def generate(n_items: int = 2000, *, classes: tuple[str, ...] = CLASSES, threshold: float = 0.7,
             audit_rate: float = 0.05, task_count: int = 1, n_workers: int = 6, seed: int = 0,
             flow_definition_name: str = "ticket-triage", s3_output_path: str = "s3://demo-bucket/a2i-output",
             start: str = "2026-11-02T08:00:00Z", label_name: str = "category",
             pending_share: float = 0.05, confidence_beta: tuple[float, float] = (5.0, 1.4),
             overconfidence: float = 1.25) -> SyntheticReview:  # fmt: skip
    """Simulate one review round (see the module docstring).

    Model confidence ~ Beta(*confidence_beta); the model is right with probability
    ``confidence ** overconfidence`` (1 = perfectly calibrated, > 1 = over-confident).
    """
    options = dict(locals())
    with gc_paused():
        return _generate(**options)


def _generate(n_items: int, classes: tuple[str, ...], threshold: float, audit_rate: float,
              task_count: int, n_workers: int, seed: int, flow_definition_name: str,
              s3_output_path: str, start: str, label_name: str, pending_share: float,
              confidence_beta: tuple[float, float], overconfidence: float) -> SyntheticReview:  # fmt: skip
    rng = np.random.default_rng(seed)
    preds = _predictions(
        rng, n_items, classes, threshold, audit_rate, confidence_beta, overconfidence
    )
    workers = _workers(rng, max(n_workers, task_count))
    routed = preds[preds["routed"]]
    t0 = pd.Timestamp(start).timestamp()
    span = 5 * 86400.0
    created = np.sort(t0 + rng.uniform(0, span, len(routed)))
    # Open loops: most of the newest ones, plus a few older ones nobody picked up.
    draw = rng.random(len(routed))
    pending = ((created > t0 + span * (1 - pending_share)) & (draw < 0.7)) | (
        draw < pending_share / 10
    )
    arn = fd_arn(flow_definition_name)
    draws = _draws(rng, len(routed), task_count, workers, classes)
    outputs, statuses = [], []
    rows = zip(routed["item_id"], routed["true_label"], routed["model_label"], routed["confidence"],
               routed["reason"], created.tolist(), pending.tolist(), draws, strict=True)  # fmt: skip
    for item, truth, model, conf, reason, c_time, is_pending, picks in rows:
        loop = f"{flow_definition_name[:20]}-{item}"
        statuses.append((loop, "InProgress" if is_pending else "Completed", c_time))
        if is_pending:
            continue
        answers = [_answer(w, truth, classes, c_time, label_name, *d) for w, *d in picks]
        doc = {"flowDefinitionArn": arn, "humanLoopName": loop, "humanAnswers": answers,
               "inputContent": {"item_id": item, "text": f"Ticket {item}", "model_label": model,
                                "confidence": conf, "reason": reason}}  # fmt: skip
        outputs.append((output_key(s3_output_path, flow_definition_name, c_time, loop), doc))
    status = pd.DataFrame(statuses, columns=["human_loop_name", "status", "creation_time"])
    status["creation_time"] = pd.to_datetime(status["creation_time"], unit="s", utc=True)
    return SyntheticReview(preds, outputs, workers, status)


def _draws(rng: np.random.Generator, n: int, task_count: int, workers: pd.DataFrame,
           classes: tuple[str, ...]) -> list[list[tuple[Any, ...]]]:  # fmt: skip
    """Per loop, per answer: (worker record, error draw, wrong-class offset, wait, spent, pause)."""
    pool = workers.to_dict("records")
    # Weighted sampling without replacement (Gumbel top-k): busier reviewers take more tasks.
    keys = np.log(workers["activity"].to_numpy()) + rng.gumbel(size=(n, len(pool)))
    picks = np.argsort(-keys, axis=1)[:, :task_count]
    shape = (n, task_count)
    err, wait, pause = (
        rng.random(shape),
        rng.exponential(1800.0, shape),
        rng.exponential(5.0, shape),
    )
    spent = rng.lognormal(0.0, 0.45, shape)
    offset = rng.integers(1, len(classes), shape)
    return [
        [(pool[w], e, o, a, s, p) for w, e, o, a, s, p in zip(*cols, strict=True)]
        for cols in zip(picks.tolist(), err.tolist(), offset.tolist(), wait.tolist(),
                        spent.tolist(), pause.tolist(), strict=True)
    ]  # fmt: skip


def _answer(worker: dict[str, Any], truth: str, classes: tuple[str, ...], created: float,
            label_name: str, err: float, offset: int, wait: float, spent_factor: float,
            pause: float) -> dict[str, Any]:  # fmt: skip
    label = truth
    if err > worker["accuracy"]:
        label = classes[(classes.index(truth) + offset) % len(classes)]
    accepted = created + wait
    spent = worker["median_seconds"] * spent_factor
    submitted = accepted + spent + pause
    return answer_envelope({label_name: {"label": label}}, worker["worker"], worker["sub"],
                           iso(accepted), iso(submitted), round(spent, 3))  # fmt: skip
