"""The transcription built-in: per-segment audio that plays only that segment, low-confidence words marked."""

from __future__ import annotations

import re

from a2i_kit.templates import builtin, render


def _render(task_input: dict) -> str:
    return render(builtin("transcription-correction").content, task_input,
                  signer=lambda bucket, key: f"https://signed.example/{bucket}/{key}?sig=1")


def test_low_confidence_words_are_marked_and_others_are_not() -> None:
    page = _render({"title": "t", "segments": [{"start": 0, "end": 1, "confidence": 0.5, "text": "a b",
                                               "words": [{"text": "clear", "confidence": 0.97},
                                                         {"text": "mumble", "confidence": "0.41"}]}]})
    assert re.findall(r"<mark[^>]*>([^<]*)</mark>", page) == ["mumble"]
    assert 'title="model confidence 0.41"' in page
    assert "clear" in page


def test_each_segment_plays_its_own_span_of_the_recording() -> None:
    page = _render({"title": "t", "audio": "s3://calls/1042.wav",
                    "segments": [{"start": 0.0, "end": 4.2, "confidence": 0.9, "text": "x"},
                                 {"start": 4.2, "end": 9.8, "confidence": 0.4, "text": "y"}]})
    sources = re.findall(r'<audio[^>]*src="([^"]+)"', page)
    assert sources == ["https://signed.example/calls/1042.wav?sig=1",
                       "https://signed.example/calls/1042.wav?sig=1#t=0.0,4.2",
                       "https://signed.example/calls/1042.wav?sig=1#t=4.2,9.8"]


def test_without_audio_or_words_nothing_extra_is_shown() -> None:
    page = _render({"title": "t", "segments": [{"start": 0, "end": 1, "confidence": 0.5, "text": "x"}]})
    assert "<audio" not in page
    assert "<mark" not in page
