"""``a2i-kit serve``: run the embedded A2I-compatible service in the foreground.

Example:
    $ a2i-kit serve --port 8443 --data-dir ~/.a2i-kit/data
    a2i-kit service ready at http://127.0.0.1:8443
    export AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:8443
    export AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME=http://127.0.0.1:8443
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from a2i_kit.config import Settings
from a2i_kit.errors import ConfigError

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="run the embedded A2I-compatible service",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; anything else needs --allow-remote)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0 = any free port)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="state directory (default $A2I_KIT_DATA_DIR or ~/.a2i-kit/data)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host (the AWS routes do not check signatures)")
    parser.add_argument("--strict-names", action="store_true",
                        help="refuse loop names outside A2I's documented lowercase pattern (default: accept "
                             "uppercase letters as AWS did; also A2I_KIT_STRICT_NAMES=1)")
    parser.set_defaults(func=run)


def banner(service: Any) -> str:
    """What ``serve`` prints once the service answers."""
    token_path = Path(service.config.data_dir) / "admin-token"
    return "\n".join([
        f"a2i-kit service ready at {service.url}",
        f"export AWS_ENDPOINT_URL_SAGEMAKER={service.url}",
        f"export AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME={service.url}",
        f"admin token: {token_path}",
        "Press Ctrl-C to stop.",
    ])


REMOTE_WARNING = (
    "WARNING: --allow-remote: anyone who can reach {url} can use every AWS route without credentials "
    "(create, start, stop and delete flow definitions, task templates and human loops, and read their "
    "inputs), open the worker portal and call the worker API (sign-in links and worker tokens are the "
    "only protection there). Serve it only on a trusted network, or behind a proxy that authenticates.")


def strict_names_from_env(env: dict[str, str] | Any) -> bool:
    """``A2I_KIT_STRICT_NAMES`` as a switch (1/true/yes/on).

    >>> strict_names_from_env({"A2I_KIT_STRICT_NAMES": "1"})
    True
    """
    return env.get("A2I_KIT_STRICT_NAMES", "").strip().lower() in ("1", "true", "yes", "on")


def run(args: argparse.Namespace) -> int:
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    if args.host not in LOOPBACK and not args.allow_remote:
        raise ConfigError(f"--host {args.host} is not a loopback address; the AWS routes accept unsigned "
                          "requests, so add --allow-remote only on a trusted network")
    settings = Settings.from_env()
    data_dir = (args.data_dir or settings.data_dir).expanduser()
    strict = bool(getattr(args, "strict_names", False)) or strict_names_from_env(os.environ)
    config = ServiceConfig(data_dir=data_dir, region=settings.region, account_id=settings.account_id,
                           lenient_names=not strict)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    service = ServiceThread(config, host=args.host, port=args.port).start()
    try:
        if args.host not in LOOPBACK:
            print(REMOTE_WARNING.format(url=service.url), file=sys.stderr, flush=True)
        print(banner(service), flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
        signal.signal(signal.SIGTERM, previous)
        print("a2i-kit service stopped", file=sys.stderr, flush=True)
    return 0
