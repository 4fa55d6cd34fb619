"""Issue 11 item 5: one argument order (``model=``, ``human=`` by keyword) for every model-vs-human
function; the old positional orders still work for one release with a DeprecationWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

from a2i_kit import analytics
from a2i_kit.errors import InputError

MODEL = ["cat", "cat", "dog", "dog", "bird", "cat"]
HUMAN = ["cat", "dog", "dog", "dog", "cat", "cat"]
CONF = [0.9, 0.55, 0.8, 0.3, 0.65, 0.95]

# (function, old positional call, keyword call, the old order as the warning names it)
CASES = [
    ("confusion_matrix", lambda f: f(HUMAN, MODEL), lambda f: f(model=MODEL, human=HUMAN),
     "confusion_matrix(human, model)", "confusion_matrix(model=..., human=...)"),
    ("confusion_matrix", lambda f: f(HUMAN, MODEL, ["dog", "cat"]),
     lambda f: f(model=MODEL, human=HUMAN, labels=["dog", "cat"]),
     "confusion_matrix(human, model, labels)", "confusion_matrix(model=..., human=..., labels=...)"),
    ("agreement_summary", lambda f: f(MODEL, HUMAN), lambda f: f(model=MODEL, human=HUMAN),
     "agreement_summary(model, human)", "agreement_summary(model=..., human=...)"),
    ("agreement_by_class", lambda f: f(MODEL, HUMAN, by="human"),
     lambda f: f(model=MODEL, human=HUMAN, by="human"),
     "agreement_by_class(model, human)", "agreement_by_class(model=..., human=...)"),
    ("override_by_confidence", lambda f: f(MODEL, HUMAN, CONF),
     lambda f: f(model=MODEL, human=HUMAN, confidence=CONF),
     "override_by_confidence(model, human, confidence)",
     "override_by_confidence(model=..., human=..., confidence=...)"),
    ("override_by_confidence", lambda f: f(MODEL, HUMAN, CONF, [0, 0.6, 1]),
     lambda f: f(model=MODEL, human=HUMAN, confidence=CONF, bins=[0, 0.6, 1]),
     "override_by_confidence(model, human, confidence, bins)",
     "override_by_confidence(model=..., human=..., confidence=..., bins=...)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "old_text", "new_text"), CASES)
def test_old_positional_order_warns_and_gives_the_same_result(name, old, new, old_text, new_text):
    func = getattr(analytics, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the keyword call warns about nothing
        expected = new(func)
    with pytest.warns(DeprecationWarning, match="by position is deprecated") as caught:
        got = old(func)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message == (
        f"{old_text} by position is deprecated and stops working in the next release: "
        f"call {new_text}"
    )
    assert caught[0].filename == __file__  # points at the caller's line
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected)
    else:
        pd.testing.assert_frame_equal(got, expected)


def test_keyword_confusion_matrix_is_rows_human_columns_model_like_sklearn():
    ours = analytics.confusion_matrix(model=MODEL, human=HUMAN)
    labels = ours.index.tolist()
    np.testing.assert_array_equal(
        ours.to_numpy(), sk_confusion(y_true=HUMAN, y_pred=MODEL, labels=labels)
    )
    assert (ours.index.name, ours.columns.name) == ("human", "model")


def test_keyword_agreement_by_class_groups_by_the_models_label():
    table = analytics.agreement_by_class(model=MODEL, human=HUMAN)
    assert table.index.name == "model_label"
    assert table.loc["bird", "n"] == 1  # only the model ever said bird
    assert table.loc["bird", "agreement"] == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: analytics.agreement_summary(MODEL, human=HUMAN),
         r"agreement_summary\(\): pass model= and human= by keyword only, not mixed with positional"),
        (lambda: analytics.confusion_matrix(model=MODEL),
         r"confusion_matrix\(\) needs model=<the model's labels> and human=<the reviewed labels>"),
        (lambda: analytics.agreement_by_class(MODEL),
         r"agreement_by_class\(\) needs model=<the model's labels> and human="),
        (lambda: analytics.agreement_summary(MODEL, HUMAN, HUMAN),
         r"agreement_summary\(\) takes at most 2 positional values \(model, human\); pass them by keyword"),
        (lambda: analytics.override_by_confidence(model=MODEL, human=HUMAN),
         r"override_by_confidence\(\) needs confidence=<the model's confidence>"),
    ],
)  # fmt: skip
def test_ambiguous_calls_are_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()
