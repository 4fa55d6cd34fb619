"""Join answers (or loops) to the model's predictions by item id.

Example:
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"task": ["a", "b"], "label": ["cat", "dog"], "input.item_id": ["1", "2"]})
    >>> preds = pd.DataFrame({"item_id": [1, 2], "model_label": ["cat", "cat"]})
    >>> join_predictions(answers, preds, on="item_id")[["label", "model_label"]].to_dict("list")
    {'label': ['cat', 'dog'], 'model_label': ['cat', 'cat']}
"""

from __future__ import annotations

import pandas as pd

from a2i_kit.errors import InputError


def _key_column(frame: pd.DataFrame, on: str) -> str:
    for col in (on, f"input.{on}", "item_id"):
        if col in frame.columns and frame[col].notna().any():
            return col
    inputs = [c for c in frame.columns if c.startswith("input.")]
    raise InputError(
        f"no item id {on!r} in the results: expected a column {on!r} or 'input.{on}' "
        f"(input fields present: {inputs or 'none'}); pass on=<the inputContent key of your item id>"
    )


def join_predictions(results: pd.DataFrame, predictions: pd.DataFrame, on: str, *,
                     predictions_on: str | None = None, how: str = "left",
                     suffixes: tuple[str, str] = ("", "_pred")) -> pd.DataFrame:  # fmt: skip
    """Merge ``predictions`` onto each row of ``results`` (answers or loops) by item id.

    The id is read from ``results[on]`` or ``results["input." + on]``; ``predictions_on`` names the
    id column of ``predictions`` (default ``on``). Ids compare as strings when the two sides have
    different types (JSON ids are often strings). Duplicate prediction ids raise InputError.
    """
    right_on = predictions_on or on
    if right_on not in predictions.columns:
        raise InputError(
            f"predictions have no column {right_on!r}; pass predictions_on=<id column>"
        )
    dup = predictions[right_on].duplicated()
    if dup.any():
        first = predictions.loc[dup, right_on].tolist()[0]
        raise InputError(
            f"predictions repeat item id {first!r}: keep one row per item before joining"
        )
    left_col = _key_column(results, on)
    left_key = results[left_col]
    right = predictions.rename(columns={right_on: "__item"})
    if left_key.dtype != right["__item"].dtype:
        left_key = left_key.astype("string")
        right["__item"] = right["__item"].astype("string")
    joined = results.assign(__item=left_key.to_numpy()).merge(
        right, on="__item", how=how, suffixes=suffixes, validate="many_to_one"
    )
    return joined.drop(columns="__item")
