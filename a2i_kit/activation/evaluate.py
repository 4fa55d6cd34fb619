"""Evaluate activation conditions against a saved Textract or Rekognition response.

Semantics (A2I docs, restated; choices where the docs are silent are options here):

- comparisons are exactly as named (``LessThan`` is strict); several bounds in one condition
  must all hold for the same inference;
- every node is evaluated (no short-circuit) and gets ``EvaluationResult``;
- ``Sampling`` is a reproducible draw: SHA-256 of (flow definition ARN, request payload without
  ``HumanLoopConfig``, node path) mapped to [0, 100) and compared ``< percentage``;
- ``And`` (``and_mode="inference"``, default): checks must hold for the *same* inferences
  (a range ``And(<80, >50)`` selects labels inside it); Sampling/Missing children gate the
  whole document. ``and_mode="document"``: each child holds somewhere; selection = union;
- ``Or`` and the top-level list: any child holds; selection = union of the true children;
- word-block bounds: ``word_mode="any"`` (default: some WORD of key or value satisfies them) or
  ``"each"`` (every word does; a pair without words never matches);
- key matching: ``key_match="exact"`` (literal, case-sensitive; default) or ``"normalized"``
  (case-folded, spaces collapsed, trailing ``:`` dropped); ``"*"`` matches any key. In
  ``MissingImportantFormKey`` ``"*"`` means "no key-value pair detected at all".

Example:
    >>> from a2i_kit.activation.build import conditions, moderation_check
    >>> response = {"ModerationLabels": [{"Name": "Weapons", "Confidence": 71.2, "ParentName": "Violence"},
    ...                                  {"Name": "Violence", "Confidence": 95.0, "ParentName": ""}]}
    >>> ev = evaluate_conditions(REKOGNITION_SOURCE, conditions(moderation_check("*", lt=90)), response,
    ...                          flow_definition_arn="arn:aws:sagemaker:us-east-1:111122223333:flow-definition/f")
    >>> ev.activated, [lab["Name"] for lab in ev.selected_response["ModerationLabels"]]
    (True, ['Weapons'])
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from a2i_kit.activation.inferences import (
    FormPair,
    Label,
    form_pairs,
    moderation_labels,
    normalize_key,
)
from a2i_kit.activation.schema import (
    FORM_KEY_CHECK,
    MISSING_FORM_KEY,
    MODERATION_CHECK,
    OPERATORS,
    REKOGNITION_SOURCE,
    REQUEST_SOURCES,
    SAMPLING,
    TEXTRACT_SOURCE,
    split_bound,
)
from a2i_kit.activation.validate import format_problems, validate_conditions
from a2i_kit.errors import InputError

__all__ = ["Evaluation", "EvaluationOptions", "evaluate_conditions", "sampling_draw"]

REASON_CONDITIONS = "ConditionsEvaluation"  # vocabulary undocumented: our choice
REASON_NOT_MET = "ConditionsNotMet"
REASON_NO_CONDITIONS = "NoActivationConditions"
DROPPED_RESPONSE_KEYS = ("ResponseMetadata", "HumanLoopActivationOutput")


@dataclass(frozen=True)
class EvaluationOptions:
    """Choices the A2I docs leave open (see the module docstring)."""

    word_mode: Literal["any", "each"] = "any"
    key_match: Literal["exact", "normalized"] = "exact"
    and_mode: Literal["inference", "document"] = "inference"


@dataclass
class Evaluation:
    """Outcome of one evaluation: whether a loop starts, and what A2I would record."""

    activated: bool
    condition_results: dict[str, Any]  # humanTaskActivationConditionResults
    selected_response: dict[str, Any]  # selectedAiServiceResponse (PascalCase, as the API returns)
    reasons: list[str] = field(default_factory=list)

    def activation_output(self, human_loop_arn: str | None = None) -> dict[str, Any]:
        """The ``HumanLoopActivationOutput`` member of the Textract/Rekognition response."""
        out: dict[str, Any] = {}
        if human_loop_arn:
            out["HumanLoopArn"] = human_loop_arn
        out["HumanLoopActivationReasons"] = list(self.reasons)
        out["HumanLoopActivationConditionsEvaluationResults"] = json.dumps(self.condition_results)
        return out


@dataclass
class _Result:
    value: bool
    selected: frozenset[str]
    restricts: bool  # True when ``selected`` narrows inferences (checks), False for gates


def sampling_draw(flow_definition_arn: str, payload: Any, path: str = "") -> float:
    """Reproducible number in [0, 100) for one request and one Sampling node."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_bytes_safe)
    digest = hashlib.sha256(f"{flow_definition_arn}\n{canonical}\n{path}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 100.0


def _bytes_safe(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def evaluate_conditions(source: str, conditions: str | dict[str, Any] | None,
                        response: dict[str, Any], *, flow_definition_arn: str,
                        request: dict[str, Any] | None = None,
                        options: EvaluationOptions | None = None) -> Evaluation:
    """Evaluate ``conditions`` (JSON string, dict, or None = no activation config) on ``response``."""
    if source not in REQUEST_SOURCES:
        raise InputError(f"unknown request source {source!r}; use one of {list(REQUEST_SOURCES)}")
    inferences = form_pairs(response) if source == TEXTRACT_SOURCE else moderation_labels(response)
    if conditions is None:
        return Evaluation(True, {"Conditions": []}, _select(source, response, inferences, None),
                          [REASON_NO_CONDITIONS])
    text = conditions if isinstance(conditions, str) else json.dumps(conditions)
    problems = validate_conditions(source, text)
    if problems:
        raise InputError(format_problems(problems))
    payload = {k: v for k, v in (request or response).items() if k != "HumanLoopConfig"}
    walker = _Walker(source, inferences, flow_definition_arn, payload, options or EvaluationOptions())
    annotated, results = [], []
    for index, node in enumerate(json.loads(text)["Conditions"]):
        copy, result = walker.node(node, f"Conditions[{index}]")
        annotated.append(copy)
        results.append(result)
    activated = any(r.value for r in results)
    chosen = frozenset().union(*(r.selected for r in results if r.value))
    selected = _select(source, response, inferences, chosen if activated else frozenset())
    return Evaluation(activated, {"Conditions": annotated}, selected,
                      [REASON_CONDITIONS if activated else REASON_NOT_MET])


class _Walker:
    def __init__(self, source: str, inferences: list, flow_arn: str, payload: Any,
                 options: EvaluationOptions) -> None:
        self.source, self.inferences, self.flow_arn = source, inferences, flow_arn
        self.payload, self.options = payload, options
        self.all_ids = frozenset(i.id for i in inferences)

    def node(self, node: dict[str, Any], path: str) -> tuple[dict[str, Any], _Result]:
        for op in ("And", "Or"):
            if op in node:
                pairs = [self.node(child, f"{path}.{op}[{i}]") for i, child in enumerate(node[op])]
                result = self._combine(op, [r for _, r in pairs])
                return {op: [c for c, _ in pairs], "EvaluationResult": result.value}, result
        result = self._simple(node["ConditionType"], node.get("ConditionParameters", {}), path)
        return {**node, "EvaluationResult": result.value}, result

    def _combine(self, op: str, results: list[_Result]) -> _Result:
        if op == "Or":
            true = [r for r in results if r.value]
            return _Result(bool(true), frozenset().union(*(r.selected for r in true)),
                           bool(true) and all(r.restricts for r in true))
        if not all(r.value for r in results):
            return _Result(False, frozenset(), any(r.restricts for r in results))
        narrowing = [r.selected for r in results if r.restricts]
        if self.options.and_mode == "document" or not narrowing:
            return _Result(True, frozenset().union(*(r.selected for r in results)), bool(narrowing))
        common = frozenset.intersection(*narrowing)
        return _Result(bool(common), common, True)

    def _simple(self, ctype: str, params: dict[str, Any], path: str) -> _Result:
        if ctype == SAMPLING:
            hit = sampling_draw(self.flow_arn, self.payload, path) < params["RandomSamplingPercentage"]
            return _Result(hit, self.all_ids if hit else frozenset(), False)
        if ctype == MISSING_FORM_KEY:
            found = [p for p in self.inferences if self._key_matches(p, params)]
            return _Result(not found, frozenset(), False)
        if ctype == FORM_KEY_CHECK:
            hits = [p.id for p in self.inferences if self._key_matches(p, params) and self._pair_ok(p, params)]
        elif ctype == MODERATION_CHECK:
            hits = [lab.id for lab in self.inferences if self._label_ok(lab, params)]
        else:  # validated before; kept for safety
            raise InputError(f"{path}: unsupported ConditionType {ctype!r}")
        return _Result(bool(hits), frozenset(hits), True)

    def _key_matches(self, pair: FormPair, params: dict[str, Any]) -> bool:
        wanted = [params["ImportantFormKey"], *params.get("ImportantFormKeyAliases", [])]
        if "*" in wanted:
            return True
        if self.options.key_match == "normalized":
            return normalize_key(pair.key) in {normalize_key(w) for w in wanted}
        return pair.key in wanted

    def _pair_ok(self, pair: FormPair, params: dict[str, Any]) -> bool:
        kv = _bounds(params, "KeyValueBlockConfidence")
        words = _bounds(params, "WordBlockConfidence")
        if not all(op(pair.kv_confidence, limit) for op, limit in kv):
            return False
        if not words:
            return True
        ok = [all(op(c, limit) for op, limit in words) for c in pair.word_confidences]
        return bool(ok) and (all(ok) if self.options.word_mode == "each" else any(ok))

    def _label_ok(self, label: Label, params: dict[str, Any]) -> bool:
        name = params["ModerationLabelName"]
        if name != "*" and name != label.name:
            return False
        return all(op(label.confidence, limit) for op, limit in _bounds(params, "Confidence"))


def _bounds(params: dict[str, Any], metric: str) -> list[tuple[Any, float]]:
    out = []
    for key, value in params.items():
        parts = split_bound(key)
        if parts and parts[0] == metric:
            out.append((OPERATORS[parts[1]], float(value)))
    return out


def _select(source: str, response: dict[str, Any], inferences: list,
            chosen: frozenset[str] | None) -> dict[str, Any]:
    """The selectedAiServiceResponse: everything when all inferences (or None) are chosen."""
    base = {k: v for k, v in response.items() if k not in DROPPED_RESPONSE_KEYS}
    if chosen is None or (inferences and chosen >= {i.id for i in inferences}):
        return base
    if source == REKOGNITION_SOURCE:
        labels = response.get("ModerationLabels", [])
        return {**base, "ModerationLabels": [labels[int(i)] for i in sorted(chosen, key=int)]}
    keep = {bid for p in inferences if p.id in chosen for bid in p.block_ids}
    blocks = [b for b in response.get("Blocks", []) if b.get("BlockType") == "PAGE" or b.get("Id") in keep]
    return {**base, "Blocks": blocks}
