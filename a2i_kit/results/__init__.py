"""Collect A2I review outputs into tidy DataFrames (local mirror or S3, incremental).

Example:
    >>> from a2i_kit.results import Results
    >>> res = Results.from_mirror("/path/to/data_dir/s3", item_key="item_id").sync()  # doctest: +SKIP
    >>> res.answers[["task", "worker", "label"]]  # crowd-kit's long form  # doctest: +SKIP
"""

from __future__ import annotations

from a2i_kit.results.core import Results
from a2i_kit.results.escalated import EscalatedResults
from a2i_kit.results.flatten import REKOGNITION_SOURCE, TEXTRACT_SOURCE, flatten_answer, pick_label
from a2i_kit.results.join import join_predictions
from a2i_kit.results.keys import flow_prefix, key_parts, path_to_uri, uri_to_path
from a2i_kit.results.mirror import MirrorSource
from a2i_kit.results.parse import ANSWER_COLUMNS, LOOP_COLUMNS, Parser
from a2i_kit.results.s3source import S3Source
from a2i_kit.results.session import list_loop_statuses

__all__ = [
    "ANSWER_COLUMNS",
    "LOOP_COLUMNS",
    "REKOGNITION_SOURCE",
    "TEXTRACT_SOURCE",
    "EscalatedResults",
    "MirrorSource",
    "Parser",
    "Results",
    "S3Source",
    "flatten_answer",
    "flow_prefix",
    "join_predictions",
    "key_parts",
    "list_loop_statuses",
    "path_to_uri",
    "pick_label",
    "uri_to_path",
]
