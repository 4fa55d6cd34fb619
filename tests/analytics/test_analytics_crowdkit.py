"""Issue 11 item 6: crowd-kit aggregators that fail with the installed scikit-learn raise an a2i-kit
error that names the ones that work, instead of crowd-kit's internal AttributeError."""

from __future__ import annotations

from importlib.metadata import version

import crowdkit.aggregation as ck
import numpy as np
import pandas as pd
import pytest

from a2i_kit import analytics
from a2i_kit.errors import A2IKitError, InputError

WORKING = "majority_vote, dawid_skene, one_coin_dawid_skene, glad, mace"


@pytest.fixture
def answers() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    rows = [(f"t{t}", f"w{w}", f"c{rng.integers(0, 3)}") for t in range(40) for w in range(3)]
    return pd.DataFrame(rows, columns=["task", "worker", "label"])


def _expected(name: str) -> str:
    return (
        f"crowd-kit's {name} does not run with the installed scikit-learn "
        f"{version('scikit-learn')} (crowd-kit {version('crowd-kit')}): it calls scikit-learn's "
        f"check_is_fitted, which in this scikit-learn needs __sklearn_tags__, and {name} does not "
        f"define it. Use one of {WORKING} (they do not call it), or run {name} in an environment "
        "with the older scikit-learn your crowd-kit release was built against"
    )


QUICK = {"Wawa": {}, "ZeroBasedSkill": {"n_iter": 3}}  # it fails only after fitting: keep it short


@pytest.mark.parametrize(
    ("method", "params", "name"),
    [
        ("wawa", {}, "Wawa"),
        ("zero_based_skill", {"n_iter": 3}, "ZeroBasedSkill"),
        (ck.Wawa(), {}, "Wawa"),
        (ck.ZeroBasedSkill(n_iter=3), {}, "ZeroBasedSkill"),
    ],
)
def test_failing_aggregators_raise_an_error_naming_the_working_ones(answers, method, params, name):
    # the installed crowd-kit itself fails this way (if this stops failing, the guard can go)
    with pytest.raises(AttributeError, match="__sklearn_tags__"):
        getattr(ck, name)(**QUICK[name]).fit_predict(answers)
    with pytest.raises(InputError) as caught:
        analytics.consolidate(answers, method, **params)
    assert str(caught.value) == _expected(name)
    assert isinstance(caught.value, A2IKitError)
    assert isinstance(caught.value.__cause__, AttributeError)


@pytest.mark.parametrize(
    "make",
    [lambda: ck.DawidSkene(n_iter=10), ck.MajorityVote, lambda: ck.GLAD(n_iter=3),
     lambda: ck.OneCoinDawidSkene(n_iter=10)],
)  # fmt: skip
def test_working_instances_pass_through_unchanged(answers, make):
    ours = analytics.consolidate(answers, make())
    theirs = make().fit_predict(answers)
    pd.testing.assert_series_equal(ours.sort_index(), theirs.rename("agg_label").sort_index())


def test_other_attribute_errors_are_not_disguised(answers):
    class Broken:
        def fit_predict(self, _frame: pd.DataFrame) -> pd.Series:
            raise AttributeError("my own bug")

    with pytest.raises(AttributeError, match="my own bug"):
        analytics.consolidate(answers, Broken())
