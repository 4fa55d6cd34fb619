"""a2i_kit.samples: the digits the notebooks and the demo review are seeded and land in the mirror."""

from __future__ import annotations

from pathlib import Path

from a2i_kit import samples
from a2i_kit.templates import expected_input, lint


def test_digit_predictions_are_seeded_and_well_formed() -> None:
    first = samples.digit_predictions(n_items=40, seed=3)
    again = samples.digit_predictions(n_items=40, seed=3)
    other = samples.digit_predictions(n_items=40, seed=4)
    assert first.equals(again)
    assert not first["item_id"].equals(other["item_id"])
    assert len(first) == 40
    assert first["item_id"].is_unique
    assert set(first["predicted_label"]) <= set(samples.DIGIT_LABELS)
    probabilities = first[[f"p_{d}" for d in range(10)]].sum(axis=1)
    assert ((probabilities - 1).abs() < 1e-3).all()
    assert (first["confidence"] == first[[f"p_{d}" for d in range(10)]].max(axis=1)).all()


def test_write_digit_images_puts_pngs_under_the_bucket_once(tmp_path: Path) -> None:
    preds = samples.digit_predictions(n_items=5, seed=0)
    assert samples.write_digit_images(preds, tmp_path, "bucket") == 5
    assert samples.write_digit_images(preds, tmp_path, "bucket") == 0, "existing images are kept"
    png = tmp_path / "bucket" / preds["image_key"].iloc[0]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digit_template_lints_clean_and_reads_the_prediction_columns() -> None:
    template = samples.digit_template()
    assert lint(template) == []
    assert {"image_uri", "predicted_label", "confidence"} <= set(expected_input(template)["properties"])
