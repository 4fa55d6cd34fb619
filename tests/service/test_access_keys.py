"""``a2i-kit admin`` access-key commands and the key store behind them (secrets sealed, cache, errors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from a2i_kit.cli import main
from a2i_kit.cli.admin import open_keys
from a2i_kit.errors import ConfigError, InputError
from a2i_kit.service.access_keys import CACHE_SECONDS, AccessKeys
from a2i_kit.service.context import ServiceConfig


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("A2I_KIT_DATA_DIR", str(folder))
    monkeypatch.delenv("A2I_KIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("A2I_KIT_SECRET_KEY_FILE", raising=False)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_delete(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "admin", "create-access-key", "--name", "alice")
    assert code == 0
    key_id = re.search(r"AccessKeyId: +(AKIA[A-Z2-7]{16})\n", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"SecretAccessKey: +(\S{40})\n", out).group(1)  # type: ignore[union-attr]
    assert f"aws configure set aws_secret_access_key {secret} --profile a2i-kit" in out
    assert "export AWS_DEFAULT_REGION=us-east-1" in out
    code, out, _ = run(capsys, "admin", "list-access-keys")
    assert code == 0
    assert out.splitlines()[0].split() == ["KEY_ID", "NAME", "CREATED", "LAST_USED"]
    assert out.splitlines()[1].split()[::3] == [key_id, "never"]
    assert secret not in out
    assert oct((data_dir / "secret.key").stat().st_mode & 0o777) == "0o600"
    code, out, _ = run(capsys, "admin", "delete-access-key", key_id)
    assert code == 0
    assert out == (f"deleted access key {key_id} (alice); running services refuse it within "
                   f"{CACHE_SECONDS:g} seconds\n")
    code, _, err = run(capsys, "admin", "delete-access-key", key_id)
    assert code == 2
    assert err == f"a2i-kit: error: there is no access key '{key_id}'; `a2i-kit admin list-access-keys` shows them\n"
    assert run(capsys, "admin", "list-access-keys")[1].startswith("no access keys; issue one with")


@pytest.mark.usefixtures("data_dir")
def test_names_are_unique_and_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "admin", "create-access-key", "--name", "alice")[0] == 0
    code, _, err = run(capsys, "admin", "create-access-key", "--name", "alice")
    assert code == 2
    assert err == ("a2i-kit: error: an access key named 'alice' already exists; pick another --name, or "
                   "delete-access-key its KEY_ID first\n")
    code, _, err = run(capsys, "admin", "create-access-key", "--name", "al ice")
    assert code == 2
    assert err == "a2i-kit: error: access key name 'al ice' is not valid; use 1-64 letters, digits or _.@+=,-\n"


def test_missing_or_wrong_key_file_is_one_actionable_line(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "admin", "create-access-key", "--name", "alice")[0] == 0
    key_file = data_dir / "secret.key"
    original = key_file.read_bytes()
    key_file.unlink()
    code, _, err = run(capsys, "admin", "create-access-key", "--name", "bob")
    assert code == 2
    assert err.count("\n") == 1
    assert f"the secret key file {key_file} is missing" in err
    key_file.write_bytes(Fernet.generate_key())
    code, _, err = run(capsys, "admin", "create-access-key", "--name", "bob")
    assert code == 2
    assert re.fullmatch(r"a2i-kit: error: the secret of access key AKIA\w{16} was sealed with another key than the "
                        rf"one in {re.escape(str(key_file))}; restore the original secret key file, or delete the "
                        r"key and issue a new one\n", err)
    moved = data_dir.parent / "elsewhere.key"
    moved.write_bytes(original)
    assert run(capsys, "admin", "create-access-key", "--name", "bob", "--secret-key-file", str(moved))[0] == 0


def test_cache_keeps_a_secret_briefly_and_drops_it_on_delete(tmp_path: Path) -> None:
    clock = {"now": 100.0}
    config = ServiceConfig(data_dir=tmp_path / "data")
    with open_keys(config) as admin:  # stands for `a2i-kit admin` in another process
        issued = admin.create("alice")
        keys = AccessKeys(admin.repo, tmp_path / "data" / "secret.key", monotonic=lambda: clock["now"])
        assert keys.secret_for(issued.key_id) == issued.secret
        assert keys.list()[0].last_used is not None
        assert admin.delete(issued.key_id)
        assert keys.secret_for(issued.key_id) == issued.secret  # still cached
        clock["now"] += CACHE_SECONDS + 0.1
        assert keys.secret_for(issued.key_id) is None
        again = admin.create("bob")
        assert keys.secret_for(again.key_id) == again.secret
        assert keys.delete(again.key_id)
        assert keys.secret_for(again.key_id) is None  # deleted by this process: at once
        assert keys.secret_for("AKIA" + "x" * 200) is None


def test_bad_names_and_a_key_file_that_is_not_a_key(tmp_path: Path) -> None:
    config = ServiceConfig(data_dir=tmp_path / "data")
    with open_keys(config) as keys:
        with pytest.raises(InputError, match=r"^access key name '' is not valid"):
            keys.create("")
        keys.create("alice")
    (tmp_path / "data" / "secret.key").write_text("garbage\n")
    with open_keys(config) as keys, pytest.raises(ConfigError, match="does not hold a Fernet key"):
        keys.create("bob")
