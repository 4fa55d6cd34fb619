"""The inferences a condition looks at: Textract form key-value pairs and Rekognition labels.

A Textract *pair* is one ``KEY_VALUE_SET`` block with ``EntityTypes`` ``["KEY"]``: its text is the
joined ``WORD`` children, its KV confidence is that KEY block's ``Confidence``, and its word
confidences are those of the ``WORD`` blocks under the key and under its VALUE block.

Example:
    >>> blocks = [
    ...   {"Id": "k", "BlockType": "KEY_VALUE_SET", "EntityTypes": ["KEY"], "Confidence": 70,
    ...    "Relationships": [{"Type": "VALUE", "Ids": ["v"]}, {"Type": "CHILD", "Ids": ["w1"]}]},
    ...   {"Id": "v", "BlockType": "KEY_VALUE_SET", "EntityTypes": ["VALUE"], "Confidence": 70,
    ...    "Relationships": [{"Type": "CHILD", "Ids": ["w2"]}]},
    ...   {"Id": "w1", "BlockType": "WORD", "Text": "Total:", "Confidence": 99},
    ...   {"Id": "w2", "BlockType": "WORD", "Text": "$12", "Confidence": 60}]
    >>> pair = form_pairs({"Blocks": blocks})[0]
    >>> (pair.key, pair.kv_confidence, pair.word_confidences)
    ('Total:', 70.0, (99.0, 60.0))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from a2i_kit.errors import InputError


@dataclass(frozen=True)
class FormPair:
    """One detected key-value pair of a Textract forms response."""

    id: str
    key: str
    kv_confidence: float
    word_confidences: tuple[float, ...]
    block_ids: tuple[str, ...]  # key block, value blocks, and their children, in that order


@dataclass(frozen=True)
class Label:
    """One Rekognition moderation label."""

    id: str
    name: str
    confidence: float
    parent_name: str


def _children(block: dict[str, Any], kind: str) -> list[str]:
    ids: list[str] = []
    for rel in block.get("Relationships") or []:
        if rel.get("Type") == kind:
            ids.extend(rel.get("Ids") or [])
    return ids


def form_pairs(response: dict[str, Any]) -> list[FormPair]:
    """Key-value pairs of an AnalyzeDocument (FORMS) response, in block order."""
    blocks = response.get("Blocks")
    if not isinstance(blocks, list):
        raise InputError("the Textract response has no 'Blocks' list; pass the AnalyzeDocument "
                         "response as returned by boto3 (PascalCase keys)")
    by_id = {b.get("Id"): b for b in blocks if isinstance(b, dict)}
    pairs = []
    for block in blocks:
        if block.get("BlockType") != "KEY_VALUE_SET" or "KEY" not in (block.get("EntityTypes") or []):
            continue
        key_words = [by_id[i] for i in _children(block, "CHILD") if i in by_id]
        value_blocks = [by_id[i] for i in _children(block, "VALUE") if i in by_id]
        value_words = [by_id[i] for v in value_blocks for i in _children(v, "CHILD") if i in by_id]
        words = [w for w in key_words + value_words if w.get("BlockType") == "WORD"]
        text = " ".join(str(w.get("Text", "")) for w in key_words if w.get("BlockType") == "WORD")
        ids = [block["Id"], *(v["Id"] for v in value_blocks),
               *(w["Id"] for w in key_words + value_words)]
        pairs.append(FormPair(id=str(block["Id"]), key=text,
                              kv_confidence=float(block.get("Confidence", 0.0)),
                              word_confidences=tuple(float(w.get("Confidence", 0.0)) for w in words),
                              block_ids=tuple(ids)))
    return pairs


def moderation_labels(response: dict[str, Any]) -> list[Label]:
    """Labels of a DetectModerationLabels response; ids are their positions."""
    labels = response.get("ModerationLabels")
    if not isinstance(labels, list):
        raise InputError("the Rekognition response has no 'ModerationLabels' list; pass the "
                         "DetectModerationLabels response as returned by boto3 (PascalCase keys)")
    return [Label(id=str(i), name=str(lab.get("Name", "")), confidence=float(lab.get("Confidence", 0.0)),
                  parent_name=str(lab.get("ParentName", ""))) for i, lab in enumerate(labels)]


def normalize_key(text: str) -> str:
    """Case-folded key without surrounding spaces/colons and with single spaces.

    >>> normalize_key("  Mail  Address: ")
    'mail address'
    """
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().casefold()
