"""Issue 11 item 2: the audited threshold recommendation against a brute-force reading of its rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from a2i_kit import analytics
from a2i_kit.analytics import threshold as threshold_module


def _brute_force(conf, ok, target, *, grid_size=20, level=0.95, min_audited=30):
    """The documented rule in plain Python: integer audit sizes, one threshold per size,
    Bonferroni over the m distinct candidates with at least min_audited items."""
    conf, ok = [float(c) for c in conf], [bool(k) for k in ok]
    big_n = len(conf)
    ts = sorted(set(conf), reverse=True)
    accepted = {t: sum(c >= t for c in conf) for t in ts}
    if grid_size is None:
        cands = ts
    else:
        cands = []
        for j in range(1, grid_size + 1):
            size = -(-j * big_n // grid_size)  # ceil(j·N/g) in integers
            t = next(t for t in ts if accepted[t] >= size)
            if t not in cands:
                cands.append(t)
    tested = [t for t in cands if accepted[t] >= min_audited]
    m = len(tested)
    per_test = level if grid_size is None or m == 0 else 1 - (1 - level) / m
    best = None
    for t in tested:
        n = accepted[t]
        e = sum(c >= t and not k for c, k in zip(conf, ok, strict=True))
        upper = 1.0 if e >= n else float(stats.beta.ppf(per_test, e + 1, n - e))
        if upper <= target:
            best = (t, n, e, upper)
    return best, m, per_test


def _reproducer(big_n: int, size: int, grid_size: int = 20):
    """Distinct confidences; the top `size` audited items are right, every other one wrong; the
    target is just above the bound of that candidate, so it and only it qualifies."""
    conf = (1000 - np.arange(big_n)) / 1000
    ok = np.arange(big_n) < size
    m = grid_size
    target = float(stats.beta.ppf(1 - 0.05 / m, 1, size)) + 1e-9
    return conf, ok, target


@pytest.mark.parametrize(("big_n", "size"), [(42, 21), (84, 42), (84, 63), (122, 61), (198, 99)])
def test_audit_size_not_a_multiple_of_the_grid_finds_the_qualifying_threshold(big_n, size):
    # linspace(N/20, N, 20) gave e.g. 61.00000000000001 for N = 122, j = 10: ceil made it 62,
    # and the only qualifying candidate (61 audited items, none wrong) was never tested
    assert big_n % 20
    assert np.ceil(np.linspace(big_n / 20, big_n, 20)).astype(int).tolist().count(size) == 0
    conf, ok, target = _reproducer(big_n, size)
    rec = analytics.recommend_threshold(conf, ok, target, min_audited=1)
    assert rec.threshold == conf[size - 1]
    assert (rec.n_audited, rec.n_errors, rec.n_candidates) == (size, 0, 20)
    assert rec.tested_level == pytest.approx(1 - 0.05 / 20)
    assert rec.risk_upper == pytest.approx(float(stats.beta.ppf(1 - 0.05 / 20, 1, size)))
    assert rec.risk_upper <= target


@pytest.mark.parametrize("seed", range(12))
def test_equals_brute_force_on_random_audits(seed):
    rng = np.random.default_rng(seed)
    big_n = int(rng.integers(31, 400))
    grid_size = [None, 3, 7, 10, 20, 33][seed % 6]
    min_audited = int(rng.choice([1, 10, 30]))
    decimals = int(rng.integers(1, 4))  # 1 decimal: heavy ties, merged candidates
    conf = rng.uniform(0.5, 1, big_n).round(decimals)
    ok = rng.random(big_n) > (1 - conf) * rng.uniform(0.1, 0.6)
    for target in (0.05, 0.1, 0.2, 0.3):
        best, m, per_test = _brute_force(conf, ok, target, grid_size=grid_size,
                                         min_audited=min_audited)  # fmt: skip
        rec = analytics.recommend_threshold(conf, ok, target, grid_size=grid_size,
                                            min_audited=min_audited)  # fmt: skip
        assert rec.n_candidates == m
        assert rec.tested_level == pytest.approx(per_test)
        if best is None:
            assert np.isnan(rec.threshold), (target, rec)
            continue
        t, n, e, upper = best
        assert (rec.threshold, rec.n_audited, rec.n_errors) == (t, n, e), (target, rec)
        assert rec.risk_upper == pytest.approx(upper, rel=1e-9)
        assert rec.risk_estimate == pytest.approx(e / n)


def test_docstring_denominator_and_code_say_the_same():
    doc = threshold_module.__doc__
    assert "ceil(j·N / g)" in doc
    assert "1 - (1 - level) / m" in doc
    assert "n_candidates" in doc
    rng = np.random.default_rng(3)
    conf = rng.uniform(0.6, 1, 57).round(2)  # 57 is not a multiple of 20; ties merge candidates
    rec = analytics.recommend_threshold(conf, np.ones(57, bool), 0.2, min_audited=1)
    assert rec.n_candidates == len(np.unique(threshold_module.candidates(
        analytics.Sweep(conf), 20)))  # fmt: skip
    assert rec.n_candidates < 20
    assert rec.tested_level == pytest.approx(1 - 0.05 / rec.n_candidates)
    assert rec.risk_upper == pytest.approx(
        float(analytics.clopper_pearson_upper(rec.n_errors, rec.n_audited, rec.tested_level))
    )


def test_grid_candidates_are_exact_integer_audit_sizes():
    sweep = analytics.Sweep(np.arange(1, 123) / 1000)
    t = threshold_module.candidates(sweep, 20)
    sizes = sweep.accepted(t).tolist()
    assert sizes == [-(-j * 122 // 20) for j in range(1, 21)]
