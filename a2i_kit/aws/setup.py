"""Setup discovery for ``connect("aws")``: region, account, execution role, bucket, workteams.

Nothing is called at connect time; each value is looked up the first time it is read and then
cached. A missing piece is reported (value ``None`` and why), never raised.

Example:
    >>> session = a2i_kit.connect("aws")            # doctest: +SKIP
    >>> session.setup.role                            # doctest: +SKIP
    Found(value='arn:aws:iam::123456789012:role/A2IExecution', source='Studio user profile ...')
    >>> session.setup.ensure_bucket()                 # doctest: +SKIP
    'sagemaker-us-east-1-123456789012'
"""

from __future__ import annotations

import contextlib
import html
import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from a2i_kit.aws.roles import discover_role
from a2i_kit.client.paging import iter_workteams

if TYPE_CHECKING:
    from a2i_kit.session import Session


@dataclass(frozen=True)
class Found:
    """A discovered value (``None`` when missing) and where it came from, or why it is missing."""

    value: Any
    source: str


def region_source(session: Session) -> str:
    """Where ``connect("aws")`` got its region from."""
    if session.extras.get("region_arg"):
        return "connect(region=...)"
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if os.environ.get(name) == session.region:
            return f"environment variable {name}"
    if session.extras.get("profile_region"):
        return "AWS config file (profile region)"
    return "a2i-kit default (A2I_KIT_REGION or us-east-1)"


class Setup:
    """What ``session.setup`` found; every attribute is a :class:`Found`."""

    FIELDS = ("region", "account", "caller", "role", "bucket", "workteams")

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def region(self) -> Found:
        return Found(self.session.region, region_source(self.session))

    @cached_property
    def identity(self) -> dict[str, Any] | str:
        """STS GetCallerIdentity, or the error text when it failed."""
        try:
            return dict(self.session.client("sts").get_caller_identity())
        except Exception as exc:  # no credentials, expired token, no network: report, not raise
            return f"{type(exc).__name__}: {exc}"

    @cached_property
    def account(self) -> Found:
        ident = self.identity
        if isinstance(ident, str):
            return Found(None, f"STS GetCallerIdentity failed ({ident}); fix the AWS credentials")
        return Found(ident["Account"], "STS GetCallerIdentity")

    @cached_property
    def caller(self) -> Found:
        ident = self.identity
        if isinstance(ident, str):
            return Found(None, f"STS GetCallerIdentity failed ({ident})")
        return Found(ident["Arn"], "STS GetCallerIdentity")

    @cached_property
    def role(self) -> Found:
        value, source = discover_role(self.session, self.identity)
        return Found(value, source)

    @cached_property
    def bucket(self) -> Found:
        account = self.account.value
        if account is None:
            return Found(None, "needs the account id: " + self.account.source)
        name = f"sagemaker-{self.session.region}-{account}"
        try:
            self.session.client("s3").head_bucket(Bucket=name)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            if code in ("404", "NoSuchBucket", "NotFound"):
                return Found(name, "SageMaker default bucket name; not created yet: session.setup.ensure_bucket()")
            return Found(name, f"SageMaker default bucket name; HeadBucket answered {code}")
        return Found(name, "SageMaker default bucket (exists)")

    @cached_property
    def workteams(self) -> Found:
        try:
            names = [team["WorkteamName"] for team in iter_workteams(self.session.sagemaker)]
        except Exception as exc:
            return Found(None, f"ListWorkteams failed ({type(exc).__name__}: {exc})")
        if not names:
            return Found([], "ListWorkteams: no private workteam in this region; create one in the SageMaker "
                             "console (Ground Truth > Labeling workforces > Private)")
        return Found(names, f"ListWorkteams ({len(names)} in {self.session.region})")

    def ensure_bucket(self) -> str:
        """Create the default bucket ``sagemaker-<region>-<account>`` if missing; return its name."""
        name = self.bucket.value
        if name is None:
            from a2i_kit.errors import ConfigError

            raise ConfigError(f"cannot name the default bucket: {self.bucket.source}")
        s3 = self.session.client("s3")
        kwargs: dict[str, Any] = {"Bucket": name}
        if self.session.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.session.region}
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(**kwargs)
        self.__dict__.pop("bucket", None)
        return str(name)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Every field as ``{"value": ..., "source": ...}`` (runs any lookup not yet done)."""
        return {name: {"value": getattr(self, name).value, "source": getattr(self, name).source}
                for name in self.FIELDS}

    def __repr__(self) -> str:
        rows = self.as_dict()
        width = max(len(name) for name in rows)
        lines = [f"  {name:<{width}}  {_text(row['value'])}  ({row['source']})" for name, row in rows.items()]
        return "a2i-kit AWS setup:\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th>{html.escape(name)}</th><td><code>{html.escape(_text(row['value']))}</code></td>"
                        f"<td>{html.escape(row['source'])}</td></tr>" for name, row in self.as_dict().items())
        return ("<table class='a2i-kit-setup'><thead><tr><th>setting</th><th>value</th><th>from</th></tr>"
                f"</thead><tbody>{cells}</tbody></table>")


def _text(value: Any) -> str:
    if value is None:
        return "(not found)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)
