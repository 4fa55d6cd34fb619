"""`a2i-kit template …` end to end through the real argument parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from a2i_kit.cli import main
from a2i_kit.templates import builtin, builtin_names

GOOD = ('<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'
        '<crowd-form>\n  <crowd-input name="tag" label="{{ task.input.hint }}"></crowd-input>\n'
        '  <img src="{{ task.input.image | grant_read_access }}">\n</crowd-form>\n')
BAD = "<crowd-form>\n<crowd-input name='a.b'/>\n{{ task.input.x | nope }}\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good, bad = tmp_path / "good.html", tmp_path / "bad.html"
    good.write_text(GOOD)
    bad.write_text(BAD)
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps({"hint": "<b>", "image": "s3://a2i-kit-samples/images/shapes-1.png"}))
    return {"good": good, "bad": bad, "sample": sample, "dir": tmp_path}


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == builtin_names()
    assert main(["template", "show", "tabular-review", "--part", "input"]) == 0
    assert json.loads(capsys.readouterr().out) == builtin("tabular-review").sample_input
    assert main(["template", "show", "text-classification"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Text classification")
    assert "<crowd-classifier" in out


def test_show_unknown_builtin_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "show", "nope"]) == 2
    assert "no built-in template named 'nope'" in capsys.readouterr().err


def test_lint_text_and_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "lint", str(files["good"]), "--input", str(files["sample"])]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 finding(s), 0 error(s)" in captured.err
    assert main(["template", "lint", str(files["bad"])]) == 1
    out = capsys.readouterr().out
    assert f"{files['bad']}:2:1: error [self-closing-crowd-tag]" in out
    assert f"{files['bad']}:3:19: error [unknown-filter] unknown filter 'nope'" in out
    assert main(["template", "lint", str(files["bad"]), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"code": "unknown-filter", "severity": "error", "line": 3, "column": 19,
            "message": "unknown filter 'nope'", "hint": ""} in data


def test_lint_missing_input_path_with_inline_json(files: dict[str, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "lint", str(files["good"]), "--input", '{"hint": "x"}']) == 1
    assert "task.input.image is not in the sample input" in capsys.readouterr().out


def test_render_to_file_and_stdout(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = files["dir"] / "task.html"
    assert main(["template", "render", str(files["good"]), "--input", str(files["sample"]),
                 "--out", str(out)]) == 0
    html = out.read_text()
    assert 'label="&lt;b&gt;"' in html
    assert 'src="data:image/png;base64,' in html
    assert main(["template", "render", str(files["good"]), "--input", str(files["sample"]),
                 "--service-url", "http://127.0.0.1:5"]) == 0
    assert 'src="http://127.0.0.1:5/_a2i/objects/a2i-kit-samples/images/shapes-1.png"' in \
        capsys.readouterr().out


def test_render_errors_exit_2_with_location(files: dict[str, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "render", str(files["bad"]), "--input", "{}"]) == 2
    err = capsys.readouterr().err
    assert f"{files['bad']}:3:19: unknown filter 'nope'" in err
    assert main(["template", "render", str(files["good"]), "--input", "{oops"]) == 2
    assert "--input is neither valid JSON nor a JSON file" in capsys.readouterr().err
    assert main(["template", "render", "missing.html", "--input", "{}"]) == 2
    assert "template file 'missing.html' not found" in capsys.readouterr().err


def test_input_and_answer(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "input", str(files["good"])]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "hint": "sample hint", "image": "s3://a2i-kit-samples/images/shapes-1.png"}
    assert main(["template", "input", str(files["good"]), "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["image"]["format"] == "s3-uri"
    assert main(["template", "answer", "text-classification"]) == 0
    shape = json.loads(capsys.readouterr().out)
    assert shape["properties"]["sentiment"]["x-element"] == "crowd-classifier"
