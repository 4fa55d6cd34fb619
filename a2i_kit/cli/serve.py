"""``a2i-kit serve``: run the embedded A2I-compatible service in the foreground.

Example:
    $ a2i-kit serve --port 8443 --data-dir ~/.a2i-kit/data
    a2i-kit service ready at http://127.0.0.1:8443
    export AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:8443
    export AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME=http://127.0.0.1:8443

For a team: ``--database-url postgresql+psycopg://... --workers 4 --s3-endpoint-url URL``;
``--check`` validates such a configuration (database, S3 buckets, data directory, secret key,
port) and exits 0 or 1 without serving.
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
                        help="allow a non-loopback --host (turns on --require-auth)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of a shared database, e.g. postgresql+psycopg://USER:PW@HOST/DB "
                             "(default $A2I_KIT_DATABASE_URL, else SQLite in the data directory)")
    parser.add_argument("--workers", type=int, default=1,
                        help="service processes on the one port (default 1; more need --database-url)")
    parser.add_argument("--s3-endpoint-url", default=None,
                        help="write output.json to real S3 buckets at this endpoint (default "
                             "$AWS_ENDPOINT_URL_S3; without either, the local mirror in the data directory)")
    parser.add_argument("--require-auth", action="store_true",
                        help="AWS routes need SigV4 requests signed with keys from a2i-kit admin create-access-key")
    parser.add_argument("--secret-key-file", type=Path, default=None,
                        help="key that seals access-key secrets (default $A2I_KIT_SECRET_KEY_FILE, else "
                             "<data-dir>/secret.key; keep a backup)")
    parser.add_argument("--check", action="store_true",
                        help="validate the configuration (database, S3, data directory, secret key, port), "
                             "print what was found and exit 0 or 1")
    parser.add_argument("--strict-names", action="store_true",
                        help="refuse loop names outside A2I's documented lowercase pattern (default: accept "
                             "uppercase letters as AWS did; also A2I_KIT_STRICT_NAMES=1)")
    parser.set_defaults(func=run)


def banner(service: Any) -> str:
    """What ``serve`` prints once the service answers (a ServiceThread or a Supervisor)."""
    token_path = Path(service.config.data_dir) / "admin-token"
    return "\n".join([
        f"a2i-kit service ready at {service.url}",
        f"export AWS_ENDPOINT_URL_SAGEMAKER={service.url}",
        f"export AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME={service.url}",
        f"admin token: {token_path}",
        *([f"{service.workers} service processes share this port"] if getattr(service, "workers", 1) > 1 else []),
        "Press Ctrl-C to stop.",
    ])


REMOTE_WARNING = (
    "WARNING: --allow-remote: the AWS routes at {url} now need requests signed (SigV4) with access keys "
    "this service issued (a2i-kit admin create-access-key --name NAME); anyone who can reach it can open "
    "the worker portal and call the worker API (sign-in links and worker tokens are the protection "
    "there), and traffic is plain HTTP: put a TLS reverse proxy in front of it.")


def strict_names_from_env(env: dict[str, str] | Any) -> bool:
    """``A2I_KIT_STRICT_NAMES`` as a switch (1/true/yes/on).

    >>> strict_names_from_env({"A2I_KIT_STRICT_NAMES": "1"})
    True
    """
    return env.get("A2I_KIT_STRICT_NAMES", "").strip().lower() in ("1", "true", "yes", "on")


def service_config(args: argparse.Namespace, env: dict[str, str] | Any = os.environ) -> Any:
    """The ServiceConfig that the flags and the environment describe."""
    from a2i_kit.service.context import ServiceConfig

    settings = Settings.from_env(env)
    data_dir = (args.data_dir or settings.data_dir).expanduser()
    strict = bool(getattr(args, "strict_names", False)) or strict_names_from_env(env)
    database_url = args.database_url or env.get("A2I_KIT_DATABASE_URL") or None
    s3_endpoint = args.s3_endpoint_url or env.get("AWS_ENDPOINT_URL_S3") or None
    remote = args.host not in LOOPBACK
    key_file = args.secret_key_file or env.get("A2I_KIT_SECRET_KEY_FILE") or None
    return ServiceConfig(data_dir=data_dir, region=settings.region, account_id=settings.account_id,
                         lenient_names=not strict, database_url=database_url,
                         output_mode="s3" if s3_endpoint else "local", s3_endpoint_url=s3_endpoint,
                         require_auth=bool(args.require_auth or remote),
                         secret_key_file=Path(key_file).expanduser() if key_file else None)


def check(config: Any, args: argparse.Namespace) -> int:
    """``--check``: one line per check on stdout, each failure as one line on stderr; 0 or 1."""
    from a2i_kit.service.config_check import run_checks

    failed = 0
    for name, ok, detail in run_checks(config, host=args.host, port=args.port, workers=args.workers):
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail if ok else detail.split(';')[0]}", flush=True)
        if not ok:
            failed += 1
            if not detail.startswith("not checked"):
                print(f"a2i-kit: error: {detail}", file=sys.stderr, flush=True)
    print("configuration ok" if not failed else f"{failed} check{'s' if failed > 1 else ''} failed", flush=True)
    return 1 if failed else 0


def start(config: Any, args: argparse.Namespace) -> Any:
    """Start one ServiceThread, or a Supervisor of ``--workers`` processes; errors as one line."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.config_check import preflight
    from a2i_kit.service.config_errors import database_errors
    from a2i_kit.service.processes import Supervisor

    preflight(config, host=args.host, port=args.port, workers=args.workers)
    # e.g. the database went away between the check and the start
    with database_errors(config.database_url or f"sqlite:///{config.store_path}"):
        if args.workers > 1:
            return Supervisor(config, workers=args.workers, host=args.host, port=args.port).start()
        return ServiceThread(config, host=args.host, port=args.port).start()


def run(args: argparse.Namespace) -> int:
    if args.host not in LOOPBACK and not args.allow_remote:
        raise ConfigError(f"--host {args.host} is not a loopback address; add --allow-remote to serve other "
                          "machines (the AWS routes then need signed requests with service-issued access keys)")
    config = service_config(args)
    if args.check:
        return check(config, args)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        service = start(config, args)
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        raise
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
