"""`a2i-kit review` against a running service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from a2i_kit.cli import main
from a2i_kit.review import WorkerClient


def _token_file(service: Any) -> str:
    return str(Path(service.config.data_dir) / "admin-token")


def test_add_worker_prints_a_working_token_and_sign_in_link(service: Any, capsys: Any) -> None:
    code = main(["review", "add-worker", "dana", "--group", "reviewers", "--group", "audit",
                 "--endpoint", service.url, "--admin-token-file", _token_file(service)])
    out = capsys.readouterr().out
    assert code == 0
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    token = lines["token"]
    link = next(line.split()[-1] for line in out.splitlines() if line.startswith("sign in"))
    assert link.startswith(f"{service.url}/_a2i/portal/login?link=")
    assert token not in link
    assert token.split("_", 2)[2] not in link
    assert "works once" in out
    first = httpx.get(link)
    assert (first.status_code, first.headers["location"]) == (303, "/_a2i/portal/")
    again = httpx.get(link)
    assert again.status_code == 410
    assert "already used" in again.text
    me = WorkerClient(service.url, token).me()
    assert (me["name"], me["groups"]) == ("dana", ["reviewers", "audit"])

    assert main(["review", "workers", "--endpoint", service.url, "--admin-token-file", _token_file(service)]) == 0
    assert "dana" in capsys.readouterr().out


def test_sign_in_link_prints_a_new_one_time_link(service: Any, capsys: Any) -> None:
    assert main(["review", "add-worker", "erin", "--group", "reviewers", "--endpoint", service.url,
                 "--admin-token-file", _token_file(service)]) == 0
    capsys.readouterr()
    assert main(["review", "sign-in-link", "erin", "--endpoint", service.url,
                 "--admin-token-file", _token_file(service)]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith(f"{service.url}/_a2i/portal/login?link=")
    response = httpx.get(link)
    assert (response.status_code, response.headers["location"]) == (303, "/_a2i/portal/")
    assert main(["review", "sign-in-link", "nobody", "--endpoint", service.url,
                 "--admin-token-file", _token_file(service)]) != 0
    assert "no worker named 'nobody'" in capsys.readouterr().err


def test_simulate_answers_the_open_loops(service: Any, make_flow: Any, start_loops: Any,
                                         capsys: Any) -> None:
    start_loops(make_flow(), 3)
    code = main(["review", "simulate", "--endpoint", service.url, "--admin-token-file", _token_file(service),
                 "--workers", "2", "--ground-truth-key", "label", "--accuracy", "1.0", "--seed", "0"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["total_answered"] == 3
    assert summary["accuracy"] == 1.0


@pytest.mark.parametrize(("argv", "message"), [
    (["review", "add-worker", "x", "--group", "g", "--admin-token-file", "/nonexistent/token",
      "--endpoint", "http://127.0.0.1:9"], "cannot read the admin token from /nonexistent/token"),
    (["review", "simulate", "--admin-token-file", "/nonexistent/token"], "give --endpoint URL"),
])
def test_cli_errors_say_what_to_do(argv: list[str], message: str, capsys: Any,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("A2I_KIT_ENDPOINT", raising=False)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_wrong_admin_token_is_reported(service: Any, tmp_path: Path, capsys: Any) -> None:
    wrong = tmp_path / "token"
    wrong.write_text("not-the-token\n")
    assert main(["review", "add-worker", "x", "--group", "g", "--endpoint", service.url,
                 "--admin-token-file", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert "(401)" in err
    assert "X-A2I-Admin-Token" in err
