"""SageMaker/A2I ARNs: parse them, take the name out, build a loop's ARN.

Example:
    >>> arn = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/claims"
    >>> resource_name(arn), resource_name("claims")
    ('claims', 'claims')
    >>> loop_arn(arn, "claims-a-x")
    'arn:aws:sagemaker:us-east-1:111122223333:human-loop/claims-a-x'
    >>> parse_arn(arn).resource_type
    'flow-definition'
"""

from __future__ import annotations

from typing import NamedTuple

from a2i_kit.errors import InputError


class Arn(NamedTuple):
    """The parts of ``arn:partition:service:region:account:type/name``."""

    partition: str
    service: str
    region: str
    account: str
    resource_type: str
    name: str


def parse_arn(arn: str) -> Arn:
    """Split an ARN; raises InputError naming the expected shape when it is not one."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or "/" not in parts[5]:
        raise InputError(f"{arn!r} is not an ARN like "
                         "'arn:aws:sagemaker:<region>:<account>:<type>/<name>'")
    kind, name = parts[5].split("/", 1)
    return Arn(parts[1], parts[2], parts[3], parts[4], kind, name)


def resource_name(arn_or_name: str) -> str:
    """The name at the end of an ARN (after the last ``/``), or the name itself."""
    return arn_or_name.rsplit("/", 1)[-1]


def flow_definition_name(flow_definition: str) -> str:
    """The flow definition name from its ARN (or the name itself)."""
    marker = "flow-definition/"
    return flow_definition.rsplit(marker, 1)[-1] if marker in flow_definition else flow_definition


def loop_arn(flow_definition_arn: str, name: str) -> str:
    """The HumanLoopArn A2I gives a loop of this account/region (loops are not under flows)."""
    head = flow_definition_arn.split(":flow-definition/", 1)[0]
    return f"{head}:human-loop/{name}"
