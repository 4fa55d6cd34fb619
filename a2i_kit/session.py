"""``connect()``: boto3 clients for A2I, pointed at the embedded service or at real AWS.

Example:
    >>> import a2i_kit
    >>> session = a2i_kit.connect(data_dir="/tmp/a2i-demo")            # doctest: +SKIP
    >>> session.runtime.list_human_loops(FlowDefinitionArn=arn)        # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.utils import parse_timestamp

from a2i_kit.config import BACKENDS, Settings
from a2i_kit.errors import ConfigError

# Local credentials are never checked by the embedded service; botocore needs something to sign.
LOCAL_CREDENTIALS = {"aws_access_key_id": "a2i-kit-local", "aws_secret_access_key": "a2i-kit-local"}
_services: dict[Path, Any] = {}
STUDIO_METADATA = Path("/opt/ml/metadata/resource-metadata.json")
_services_lock = threading.Lock()


def fast_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, with a fast path for the ISO-8601 ``…Z`` form A2I sends.

    botocore hands every timestamp to dateutil (about 0.2 ms each), which dominated listing
    10,000 loops; ``datetime.fromisoformat`` reads A2I's form exactly and 50× faster.

    >>> fast_timestamp("2024-03-05T14:02:09.417Z") == parse_timestamp("2024-03-05T14:02:09.417Z")
    True
    """
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return parse_timestamp(value)


def boto_session(**kwargs: Any) -> boto3.Session:
    """A boto3 Session whose clients parse timestamps with :func:`fast_timestamp`."""
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=fast_timestamp)
    return boto3.Session(botocore_session=core, **kwargs)


@dataclass
class Session:
    """boto3 clients plus what a notebook needs to know about where they point."""

    backend: str
    region: str
    sagemaker: Any
    runtime: Any
    s3: Any = None
    service: Any = None
    endpoint_url: str | None = None
    data_dir: Path | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # The service's token for its non-AWS routes under /_a2i (events, workers, clock); local only.
    admin_token: str | None = None

    def __post_init__(self) -> None:
        if self.admin_token is None and self.service is not None:
            self.admin_token = getattr(self.service, "admin_token", None) or None

    @property
    def a2i(self) -> Any:
        """The session's :class:`~a2i_kit.client.A2IClient`: paginated listings and waiters.

        >>> connect().a2i.wait_for_flow_definition("claims-review")["FlowDefinitionStatus"]  # doctest: +SKIP
        'Active'
        """
        if "a2i" not in self.extras:
            from a2i_kit.client.a2i import A2IClient

            self.extras["a2i"] = A2IClient(self)
        return self.extras["a2i"]

    @property
    def mirror_dir(self) -> Path | None:
        """Local folder standing for S3 (``s3://bucket/key`` → ``mirror_dir/bucket/key``)."""
        config = self._local_config()
        return Path(config.mirror_dir) if config is not None else None

    @property
    def outputs_in_mirror(self) -> bool:
        """True when the embedded service writes ``output.json`` into :attr:`mirror_dir` (not S3)."""
        config = self._local_config()
        return config is not None and getattr(config, "output_mode", "local") != "s3"

    def _local_config(self) -> Any:
        """The ServiceConfig this process started the embedded service with (None on AWS/remote)."""
        return getattr(self.service, "config", None) if self.service is not None else None

    def client(self, name: str) -> Any:
        """A cached boto3 client of another AWS service (``iam``, ``sts``, ``events``, ``sqs`` …).

        AWS backend only: same credentials, region, retries and ``AWS_ENDPOINT_URL_*`` as the others.

        >>> connect("aws").client("sts").get_caller_identity()["Account"]  # doctest: +SKIP
        '123456789012'
        """
        factory = self.extras.get("boto3_session")
        if factory is None:
            raise ConfigError(f"session.client({name!r}) needs the AWS backend: connect('aws')")
        clients = self.extras.setdefault("clients", {"s3": self.s3})
        if clients.get(name) is None:
            clients[name] = factory.client(name, region_name=self.region, config=self.extras.get("client_config"))
        return clients[name]

    @property
    def setup(self) -> Any:
        """What the AWS setup looks like (region, account, role, bucket, workteams) and where from.

        Looked up on first read of each value, then cached; see :mod:`a2i_kit.aws.setup`.
        """
        if self.backend != "aws":
            raise ConfigError("session.setup describes an AWS setup: connect('aws')")
        if "setup" not in self.extras:
            from a2i_kit.aws.setup import Setup

            self.extras["setup"] = Setup(self)
        return self.extras["setup"]

    def doctor(self, flow_definition: str | None = None, bucket: str | None = None, prefix: str | None = None,
               workteam: str | None = None, sample_input: Any = None, role: str | None = None) -> Any:
        """Preflight checks of the AWS setup; returns a :class:`a2i_kit.aws.doctor.DoctorReport`.

        >>> connect("aws").doctor(flow_definition="claims-review")  # doctest: +SKIP
        """
        from a2i_kit.aws.doctor import run_doctor

        return run_doctor(self, flow_definition=flow_definition, bucket=bucket, prefix=prefix,
                          workteam=workteam, sample_input=sample_input, role=role)

    def portal_url(self) -> str:
        """The worker portal's address as a browser reaches it (local backend).

        ``public_base_url`` when the service has one; inside Jupyter (JupyterHub, SageMaker Studio,
        JupyterLab) with jupyter-server-proxy installed, the proxied address
        ``<jupyter>/<base_url>/proxy/<port>/_a2i/portal/``; otherwise the loopback address.

        >>> connect().portal_url()                        # doctest: +SKIP
        'https://d-abc123.studio.us-east-1.sagemaker.aws/jupyterlab/default/proxy/8765/_a2i/portal/'
        """
        if self.service is None:
            raise ConfigError("the worker portal belongs to the embedded service: use connect('local')")
        public = getattr(self._local_config(), "public_base_url", None)
        if public:
            return f"{public.rstrip('/')}/_a2i/portal/"
        direct, jupyter = f"{self.service.url}/_a2i/portal/", jupyter_base()
        if jupyter is None:
            return direct
        proxied = f"{jupyter}proxy/{self.service.port}/_a2i/portal/"
        if importlib.util.find_spec("jupyter_server_proxy") is None:
            print(f"{direct} opens only on the machine running this kernel. To reach the portal from your "
                  f"browser at {proxied}: pip install jupyter-server-proxy, then restart Jupyter.")
            return direct
        return proxied

    def __repr__(self) -> str:
        where = self.endpoint_url or f"AWS {self.region}"
        return f"<a2i_kit.Session backend={self.backend!r} at {where}>"


def jupyter_base() -> str | None:
    """The address (ending in ``/``) of the Jupyter server running this kernel, or None outside one.

    JupyterHub: ``JUPYTERHUB_PUBLIC_URL`` or ``JUPYTERHUB_SERVICE_PREFIX``; SageMaker Studio: the
    domain's host and ``/jupyterlab/default/`` from its resource metadata; else the running server
    (``jupyter_server.serverapp.list_running_servers()``) that started this kernel.
    """
    hub = os.environ.get("JUPYTERHUB_PUBLIC_URL") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if hub:
        return hub.rstrip("/") + "/"
    if STUDIO_METADATA.is_file():
        meta = json.loads(STUDIO_METADATA.read_text())
        region = str(meta.get("ResourceArn", "")).split(":")[3:4] or [os.environ.get("AWS_REGION", "")]
        app = "codeeditor" if meta.get("AppType") == "CodeEditor" else "jupyterlab"
        return f"https://{meta['DomainId']}.studio.{region[0]}.sagemaker.aws/{app}/default/"
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:   # jupyter_server is not a runtime dependency (the "jupyter" extra)
        return None
    parents = {os.getppid(), int(os.environ.get("JPY_PARENT_PID") or 0)}
    found = next((s for s in list_running_servers() if s.get("pid") in parents), None)
    return str(found["url"]).rstrip("/") + "/" if found else None


def connect(backend: str | None = None, **options: Any) -> Session:
    """Return a :class:`Session` for ``backend`` ("local", the default, or "aws").

    Local options: ``data_dir`` (default ``A2I_KIT_DATA_DIR`` or ``~/.a2i-kit/data``), ``host``,
    ``port`` (0 = a free port) and any :class:`~a2i_kit.service.context.ServiceConfig` field.
    Calling it again in the same process with the same data directory reuses the running service.
    AWS options: ``region``, ``profile_name``, ``boto_config``, ``role`` (the execution role ARN
    ``session.setup`` and the doctor use instead of discovering one).
    """
    settings = Settings.from_env()
    backend = (backend or settings.backend).lower()
    if backend not in BACKENDS:
        raise ConfigError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend == "aws":
        return _connect_aws(settings, **options)
    return _connect_local(settings, **options)


def _client_config(extra: Config | None) -> Config:
    base = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)
    return base.merge(extra) if extra is not None else base


def _connect_aws(settings: Settings, *, region: str | None = None, profile_name: str | None = None,
                 boto_config: Config | None = None, role: str | None = None) -> Session:
    region_arg = region
    session = boto_session(profile_name=profile_name, region_name=region)
    region = session.region_name or settings.region
    config = _client_config(boto_config)
    return Session(backend="aws", region=region,
                   sagemaker=session.client("sagemaker", region_name=region, config=config),
                   runtime=session.client("sagemaker-a2i-runtime", region_name=region, config=config),
                   s3=session.client("s3", region_name=region, config=config),
                   extras={"boto3_session": session, "client_config": config, "region_arg": region_arg,
                           "profile_region": session.region_name, "role": role})


def _connect_local(settings: Settings, *, data_dir: str | Path | None = None, host: str = "127.0.0.1",
                   port: int = 0, boto_config: Config | None = None, **service_options: Any) -> Session:
    data_dir = Path(data_dir).expanduser() if data_dir else settings.data_dir
    service = start_local_service(data_dir, host=host, port=port, region=settings.region, **service_options)
    config = _client_config(boto_config)
    factory = boto_session()
    clients = {name: factory.client(name, endpoint_url=service.url, region_name=settings.region,
                                    config=config, **LOCAL_CREDENTIALS)
               for name in ("sagemaker", "sagemaker-a2i-runtime")}
    outputs_s3 = None
    if service.config.output_mode == "s3":  # outputs go to S3: read them where the service writes
        outputs_s3 = factory.client("s3", endpoint_url=service.config.s3_endpoint_url,
                                    region_name=service.config.region, config=config)
    return Session(backend="local", region=settings.region, sagemaker=clients["sagemaker"],
                   runtime=clients["sagemaker-a2i-runtime"], s3=outputs_s3, service=service,
                   endpoint_url=service.url, data_dir=Path(service.config.data_dir))


def start_local_service(data_dir: Path, *, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Any:
    """Start (or reuse) the embedded service for ``data_dir`` in a background thread."""
    from a2i_kit.service import ServiceThread
    from a2i_kit.service.context import ServiceConfig

    key = data_dir.resolve()
    with _services_lock:
        running = _services.get(key)
        if running is not None and getattr(running, "is_running", True):
            return running
        try:
            config = ServiceConfig(data_dir=key, **options)
        except TypeError as exc:
            raise ConfigError(f"unknown option for the local service: {exc}") from exc
        service = ServiceThread(config, host=host, port=port)
        service.start()
        _services[key] = service
        return service


def stop_local_services() -> None:
    """Stop every service this process started (also runs at interpreter exit)."""
    with _services_lock:
        for service in _services.values():
            service.stop()
        _services.clear()


atexit.register(stop_local_services)
