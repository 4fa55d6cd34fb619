"""Access keys the service issues for SigV4, their secrets sealed at rest with a key kept outside the store.

A key is an ``AKIA…`` id (20 characters) and a 40-character secret, shown once when issued. The
store holds only the secret sealed with Fernet (``cryptography``) under the key in
``ServiceConfig.secret_key_file`` (default ``<data_dir>/secret.key``, created 0600 the first time
a key is issued). SigV4 needs the secret itself, so a stolen database without that file reveals
no secret. Verification reads through a short in-memory cache (``CACHE_SECONDS``): a key deleted
by ``a2i-kit admin delete-access-key`` stops working in every process within that time.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> sealer = Sealer.open(Path(tempfile.mkdtemp()) / "secret.key", create=True)
    >>> sealer.unseal(sealer.seal("s3cret"), "AKIAEXAMPLE")
    's3cret'
"""

from __future__ import annotations

import os
import re
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from a2i_kit.errors import ConfigError, InputError
from a2i_kit.service import private

CACHE_SECONDS = 2.0  # how long an unsealed secret (or a key's absence) is trusted in one process
TOUCH_SECONDS = 60.0  # last_used is written at most this often per key
KEY_ID_ALPHABET = string.ascii_uppercase + "234567"
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.@+=,-]{1,64}")


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the only moment the secret is shown."""

    key_id: str
    secret: str
    name: str
    created: float


@dataclass(frozen=True)
class KeyInfo:
    """What ``list`` shows of a key (never its secret)."""

    key_id: str
    name: str
    created: float
    last_used: float | None


def default_key_file(config: Any) -> Path:
    """``config.secret_key_file``, or ``<data_dir>/secret.key``."""
    return Path(config.secret_key_file or Path(config.data_dir) / "secret.key").expanduser()


class Sealer:
    """Fernet sealing with the key in one file (0600) outside the database."""

    def __init__(self, path: Path, fernet: Fernet) -> None:
        self.path, self._fernet = path, fernet

    @classmethod
    def open(cls, path: Path, *, create: bool) -> Sealer:
        """Read the key file; create it (0600, whole or not at all) when missing and ``create`` is set."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise ConfigError(f"the secret key file {path} is missing, so the secrets sealed in the store (access "
                                  "keys, webhooks) cannot be read; restore it (or point secret_key_file / "
                                  "A2I_KIT_SECRET_KEY_FILE at it), or delete them and create new ones")
            _create_key_file(path)
        try:
            return cls(path, Fernet(path.read_bytes().strip()))
        except (ValueError, TypeError):
            raise ConfigError(f"{path} does not hold a Fernet key (44 url-safe base64 characters); restore the file "
                              "that sealed the access keys, or move it away and issue new keys") from None

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def unseal(self, sealed: str, what: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise ConfigError(f"the secret of {what} was sealed with another key than the one in {self.path}; "
                              "restore the original secret key file, or delete the key and issue a new one") from None


def _create_key_file(path: Path) -> None:
    private.private_dir(path.parent)
    tmp = private.write_atomic(path.parent / f"{private.TEMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}",
                               Fernet.generate_key() + b"\n")
    try:
        os.link(tmp, path)  # atomic create-if-absent: two first issuers keep one key
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


class AccessKeys:
    """Issue, list and delete access keys; ``secret_for`` is the cached lookup SigV4 uses per request."""

    def __init__(self, repo: Any, key_file: Path, *, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.repo, self.key_file = repo, Path(key_file)
        self._monotonic, self._wall = monotonic, wall
        self._sealer: Sealer | None = None
        self._cache: dict[str, tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_service(cls, ctx: Any) -> AccessKeys:
        """The keys of a running service's store, checked now (a missing key file fails the start)."""
        from a2i_kit.service.store.access_keys import AccessKeyRepository

        keys = cls(AccessKeyRepository.of(ctx.store), default_key_file(ctx.config))
        keys.check()
        return keys

    def sealer(self, *, create: bool = False) -> Sealer:
        if self._sealer is None:
            self._sealer = Sealer.open(self.key_file, create=create)
        return self._sealer

    def check(self) -> None:
        """Raise ``ConfigError`` unless the key file opens the stored secrets (if there are any)."""
        rows = self.repo.list()
        if rows:
            self.sealer().unseal(rows[0]["secret_sealed"], f"access key {rows[0]['key_id']}")

    def create(self, name: str) -> IssuedKey:
        """Issue a key named ``name`` (unique; letters, digits and ``_.@+=,-``, up to 64)."""
        if not NAME_PATTERN.fullmatch(name):
            raise InputError(f"access key name {name[:80]!r} is not valid; use 1-64 letters, digits or _.@+=,-")
        self.check()
        key = IssuedKey("AKIA" + "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(16)),
                        "".join(secrets.choice(SECRET_ALPHABET) for _ in range(40)), name, self._wall())
        if not self.repo.insert(key.key_id, name, self.sealer(create=True).seal(key.secret), key.created):
            raise InputError(f"an access key named {name!r} already exists; pick another --name, or "
                             "delete-access-key its KEY_ID first")
        return key

    def list(self) -> list[KeyInfo]:
        """Every key, oldest first, without secrets."""
        return [KeyInfo(r["key_id"], r["name"], r["created"], r["last_used"]) for r in self.repo.list()]

    def delete(self, key_id: str) -> bool:
        """Delete ``key_id``; False when there is no such key. It stops working here at once."""
        deleted = bool(self.repo.delete(key_id))
        with self._lock:
            self._cache.pop(key_id, None)
        return deleted

    def secret_for(self, key_id: str) -> str | None:
        """The secret of ``key_id`` (None if unknown), from the cache when it is fresh."""
        now = self._monotonic()
        cached = self._cache.get(key_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        row = self.repo.get(key_id) if len(key_id) <= 128 else None
        secret = None if row is None else self.sealer().unseal(row["secret_sealed"], f"access key {key_id}")
        with self._lock:
            if len(self._cache) > 10_000:  # unknown ids sent by a client must not grow it without end
                self._cache.clear()
            self._cache[key_id] = (secret, now + CACHE_SECONDS)
        if row is not None and (row["last_used"] is None or self._wall() - row["last_used"] > TOUCH_SECONDS):
            self.repo.touch(key_id, self._wall())
        return secret
