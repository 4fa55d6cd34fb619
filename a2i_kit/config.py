"""Settings shared by the client side and the embedded service, read from the environment.

Example:
    >>> settings = Settings.from_env({"A2I_KIT_BACKEND": "local"})
    >>> settings.backend
    'local'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from a2i_kit.errors import ConfigError

BACKENDS = ("local", "aws")
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "111122223333"


def default_data_dir() -> Path:
    """Where the embedded service keeps its state unless told otherwise."""
    return Path.home() / ".a2i-kit" / "data"


@dataclass(frozen=True)
class Settings:
    """Client-side settings; every field can come from an ``A2I_KIT_*`` variable."""

    backend: str = "local"
    data_dir: Path = field(default_factory=default_data_dir)
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = env.get("A2I_KIT_BACKEND", "local").strip().lower() or "local"
        if backend not in BACKENDS:
            raise ConfigError(
                f"A2I_KIT_BACKEND={backend!r} is not a backend; use one of {', '.join(BACKENDS)}"
            )
        data_dir = Path(env["A2I_KIT_DATA_DIR"]).expanduser() if env.get("A2I_KIT_DATA_DIR") else default_data_dir()
        region = env.get("A2I_KIT_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        return cls(backend=backend, data_dir=data_dir, region=region,
                   account_id=env.get("A2I_KIT_ACCOUNT_ID", DEFAULT_ACCOUNT))
