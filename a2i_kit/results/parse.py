"""Parse output.json documents (custom and built-in task types) into loop and answer rows.

Problems (corrupt JSON, missing fields, unknown answer shapes, files too large) are recorded with
their URI; they never stop a parse.

Example:
    >>> p = Parser()
    >>> p.feed_bytes("s3://b/out/fd/2024/05/02/09/14/03/l-1/output.json",
    ...     b'{"humanLoopName": "l-1", "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:1:flow-definition/fd",'
    ...     b' "inputContent": {"id": 7}, "humanAnswers": [{"workerId": "w1",'
    ...     b' "answerContent": {"c": {"label": "cat"}}, "submissionTime": "2024-05-02T09:20:00.000Z"}]}')
    >>> p.answers.frame()[["task", "worker", "label"]].to_dict("records")
    [{'task': 'l-1', 'worker': 'w1', 'label': 'cat'}]
"""

from __future__ import annotations

from typing import Any

import orjson

from a2i_kit.results.columns import Columns
from a2i_kit.results.flatten import flatten_answer
from a2i_kit.results.keys import key_parts

LOOP_COLUMNS = [
    "human_loop_name", "flow_definition_name", "flow_definition_arn", "status", "creation_time",
    "completion_time", "task_count", "request_source", "item_id", "output_uri",
]  # fmt: skip
ANSWER_COLUMNS = [
    "task", "worker", "label", "human_loop_name", "item_id", "answer_index", "acceptance_time",
    "submission_time", "time_spent_seconds", "worker_sub", "worker_issuer", "identity_provider",
    "flow_definition_name", "output_uri",
]  # fmt: skip
PROBLEM_COLUMNS = ["uri", "kind", "severity", "message"]


def _flatten_input(value: dict[str, Any], col: str, out: dict[str, Any]) -> None:
    for k, v in value.items():
        if type(v) is dict and v:
            _flatten_input(v, f"{col}.{k}", out)
        else:
            out[f"{col}.{k}"] = v


def _lookup(content: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if type(content) is not dict:
            return None
        content = content.get(part)
    return content


class Parser:
    """Accumulates rows from many documents; call ``loops.frame()`` etc. once at the end."""

    def __init__(self, *, item_key: str | None = None, label_field: str | None = None) -> None:
        self.item_key = item_key
        self.label_field = label_field
        self.loops = Columns(LOOP_COLUMNS)
        self.answers = Columns(ANSWER_COLUMNS)
        self.problems: list[dict[str, str]] = []

    def problem(self, uri: str, kind: str, message: str, severity: str = "error") -> None:
        self.problems.append({"uri": uri, "kind": kind, "severity": severity, "message": message})

    def feed_bytes(self, uri: str, data: bytes) -> None:
        """Parse one object's bytes; corrupt JSON becomes a problem."""
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            self.problem(uri, "corrupt_json", f"not valid JSON ({exc}); re-export or delete it")
            return
        self.feed(uri, doc)

    def feed(self, uri: str, doc: Any) -> None:
        """Parse one decoded output.json document."""
        if type(doc) is not dict:
            self.problem(uri, "wrong_type", f"top level is {type(doc).__name__}, not an object")
            return
        fd, created, key_loop = key_parts(uri)
        loop = doc.get("humanLoopName") or key_loop
        answers = doc.get("humanAnswers")
        if not loop:
            self.problem(uri, "missing_field", "no humanLoopName and the key has no loop name")
            return
        if type(answers) is not list:
            self.problem(uri, "missing_field", f"loop {loop!r}: humanAnswers missing or not a list")
            return
        if "humanLoopName" not in doc:
            self.problem(uri, "missing_field", "no humanLoopName: taken from the key", "warning")
        arn = doc.get("flowDefinitionArn")
        if fd is None and isinstance(arn, str):
            fd = arn.rpartition("/")[2]
        content = doc.get("inputContent")
        inputs: dict[str, Any] = {}
        if type(content) is dict:
            _flatten_input(content, "input", inputs)
        elif content is None:
            self.problem(uri, "missing_field", f"loop {loop!r}: no inputContent", "warning")
        else:
            inputs["input"] = content
        item = _lookup(content, self.item_key) if self.item_key else None
        task = loop if item is None else item
        completed = self._answers(uri, loop, task, item, fd, answers)
        # Order of LOOP_COLUMNS.
        self.loops.add(
            (loop, fd, arn, "Completed", created, completed, len(answers),
             doc.get("awsManagedHumanLoopRequestSource"), item, uri),
            inputs,
        )  # fmt: skip

    def _answers(self, uri: str, loop: str, task: Any, item: Any, fd: Any, answers: list) -> Any:
        latest = None
        add = self.answers.add
        for i, ans in enumerate(answers):
            content = ans.get("answerContent") if type(ans) is dict else None
            if type(content) is not dict:
                self.problem(
                    uri, "missing_field", f"loop {loop!r} answer {i}: no answerContent object"
                )
                continue
            cols, label, unknown = flatten_answer(content, self.label_field)
            for name in unknown:
                self.problem(uri, "unknown_shape", f"loop {loop!r} answer {i}: field {name!r} is not a"
                             " known crowd element answer; flattened generically", "warning")  # fmt: skip
            submitted = ans.get("submissionTime")
            if submitted is not None and (latest is None or submitted > latest):
                latest = submitted
            worker = ans.get("workerId")
            if worker is None:
                self.problem(
                    uri, "missing_field", f"loop {loop!r} answer {i}: no workerId", "warning"
                )
            ident = (ans.get("workerMetadata") or {}).get("identityData") or {}
            # Order of ANSWER_COLUMNS.
            add(
                (task, worker, label, loop, item, i, ans.get("acceptanceTime"), submitted,
                 ans.get("timeSpentInSeconds"), ident.get("sub"), ident.get("issuer"),
                 ident.get("identityProviderType"), fd, uri),
                cols,
            )  # fmt: skip
        return latest
