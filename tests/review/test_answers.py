"""Answer generation from answer shapes (no service needed)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from a2i_kit.errors import InputError
from a2i_kit.review.answers import MISSING, choose_label, generate_answer, jitter_boxes, pick_target
from a2i_kit.review.rendered import rendered_shape
from a2i_kit.review.simulated import LatencyModel
from a2i_kit.templates import (
    answer_shape,
    builtin,
    builtin_names,
    local_signer,
    render,
    validate_answer,
)


@pytest.mark.parametrize("name", builtin_names())
def test_answers_for_every_builtin_template_are_valid(name: str) -> None:
    template = builtin(name)
    html = render(template.content, template.sample_input, signer=local_signer("http://127.0.0.1:1"))
    shape = rendered_shape(html) or answer_shape(template.content)
    answer = generate_answer(shape, random.Random(0), task_input=template.sample_input)
    assert answer
    assert validate_answer(answer_shape(template.content), answer) == []


def test_accuracy_sets_the_share_of_true_labels() -> None:
    rng = random.Random(0)
    picks = Counter(choose_label("cat", ["cat", "dog", "owl"], rng, accuracy=0.7) for _ in range(2000))
    assert 0.66 < picks["cat"] / 2000 < 0.74
    assert picks["dog"] > 0
    assert picks["owl"] > 0
    assert set(picks) == {"cat", "dog", "owl"}


def test_confusion_rows_are_probabilities_per_true_label() -> None:
    rng = random.Random(1)
    confusion = {"cat": {"cat": 0.5, "dog": 0.5}}
    picks = Counter(choose_label("cat", ["cat", "dog", "owl"], rng, confusion=confusion) for _ in range(1000))
    assert set(picks) == {"cat", "dog"}
    assert Counter(choose_label("owl", ["cat", "owl"], rng, accuracy=1.0, confusion=confusion)
                   for _ in range(10)) == {"owl": 10}  # no row: accuracy applies


def test_unknown_truth_is_uniform_and_no_labels_is_an_error() -> None:
    rng = random.Random(2)
    assert {choose_label(MISSING, ["a", "b"], rng) for _ in range(50)} == {"a", "b"}
    with pytest.raises(InputError, match="no labels to choose from"):
        choose_label("a", [], rng)


def test_boxes_are_jittered_within_the_scale() -> None:
    truth = [{"label": "car", "left": 100, "top": 50, "width": 200, "height": 100}]
    [box] = jitter_boxes(truth, random.Random(3), scale=0.05)
    assert box["label"] == "car"
    assert 90 <= box["left"] <= 110
    assert 45 <= box["top"] <= 55
    assert 190 <= box["width"] <= 210
    assert 95 <= box["height"] <= 105


def test_target_is_the_first_labelling_element_and_truth_goes_only_there() -> None:
    shape = answer_shape("""<crowd-form><crowd-input name="note"></crowd-input>
        <crowd-classifier name="verdict" categories="['ok', 'bad']" header="?"></crowd-classifier>
        <crowd-classifier name="second" categories="['ok', 'bad']" header="?"></crowd-classifier></crowd-form>""")
    assert pick_target(shape) == "verdict"
    answers = [generate_answer(shape, random.Random(i), truth="bad", accuracy=1.0) for i in range(20)]
    assert {a["verdict"]["label"] for a in answers} == {"bad"}
    assert {a["second"]["label"] for a in answers} == {"ok", "bad"}
    assert all(isinstance(a["note"], str) and a["note"] for a in answers)
    assert generate_answer(None, random.Random(0)) == {}


def test_latency_model_is_lognormal_and_clipped() -> None:
    model = LatencyModel(median_seconds=30, sigma=0.5, min_seconds=5, max_seconds=60)
    rng = random.Random(4)
    samples = sorted(model.sample(rng) for _ in range(1001))
    assert samples[0] >= 5
    assert samples[-1] <= 60
    assert 26 < samples[500] < 34  # median
    assert LatencyModel(median_seconds=12, sigma=0).sample(rng) == 12.0


def test_truth_matches_categories_ignoring_case_else_is_unknown() -> None:
    rng = random.Random(5)
    assert {choose_label("POSITIVE", ["positive", "negative"], rng) for _ in range(20)} == {"positive"}
    assert {choose_label("maybe", ["yes", "no"], rng) for _ in range(40)} == {"yes", "no"}
