"""Loop statuses, ARN helpers and error-code helpers as tables of cases."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError

from a2i_kit.client import (
    OPEN,
    STATUSES,
    TERMINAL,
    LoopStatus,
    client_error,
    error_code,
    error_message,
    flow_definition_name,
    is_not_found,
    is_retryable,
    is_throttle,
    loop_arn,
    parse_arn,
    resource_name,
)
from a2i_kit.errors import InputError

FLOW = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/claims-review"


@pytest.mark.parametrize("text", ["InProgress", "Completed", "Failed", "Stopping", "Stopped"])
def test_status_round_trip(text: str) -> None:
    status = LoopStatus(text)
    assert status == text
    assert str(status) == text
    assert status.value == text
    assert LoopStatus(str(status)) is status
    assert status.is_terminal is (text in {"Completed", "Failed", "Stopped"})


def test_status_sets() -> None:
    assert STATUSES == ("InProgress", "Completed", "Failed", "Stopping", "Stopped")
    assert {"Completed", "Failed", "Stopped"} == TERMINAL
    assert {"InProgress", "Stopping"} == OPEN
    assert LoopStatus.COMPLETED in TERMINAL
    assert "Completed" in TERMINAL
    with pytest.raises(ValueError, match="'Done' is not a valid LoopStatus"):
        LoopStatus("Done")


@pytest.mark.parametrize(("value", "name"), [
    (FLOW, "claims-review"),
    ("claims-review", "claims-review"),
    ("arn:aws:sagemaker:us-east-1:111122223333:human-loop/l-1", "l-1"),
    ("arn:aws:sagemaker:us-east-1:111122223333:workteam/private-crowd/team", "team"),
    ("arn:aws:iam::111122223333:role/service-role/a2i", "a2i"),
])
def test_resource_name(value: str, name: str) -> None:
    assert resource_name(value) == name


@pytest.mark.parametrize(("value", "name"), [
    (FLOW, "claims-review"), ("claims-review", "claims-review"), ("x/flow-definition/f", "f"),
])
def test_flow_definition_name(value: str, name: str) -> None:
    assert flow_definition_name(value) == name


def test_parse_and_build_arns() -> None:
    arn = parse_arn("arn:aws-cn:sagemaker:cn-north-1:111122223333:workteam/private-crowd/team")
    assert arn == ("aws-cn", "sagemaker", "cn-north-1", "111122223333", "workteam", "private-crowd/team")
    assert loop_arn(FLOW, "l-1") == "arn:aws:sagemaker:us-east-1:111122223333:human-loop/l-1"
    with pytest.raises(InputError) as info:
        parse_arn("claims-review")
    assert str(info.value) == ("'claims-review' is not an ARN like "
                               "'arn:aws:sagemaker:<region>:<account>:<type>/<name>'")


@pytest.mark.parametrize(("exc", "code", "throttle", "missing", "retry"), [
    (client_error("ThrottlingException", "Rate exceeded"), "ThrottlingException", True, False, True),
    (client_error("ServiceQuotaExceededException"), "ServiceQuotaExceededException", True, False, True),
    (client_error("InternalServerException"), "InternalServerException", False, False, True),
    (client_error("ResourceNotFoundException"), "ResourceNotFoundException", False, True, False),
    (client_error("ResourceNotFound"), "ResourceNotFound", False, True, False),
    (client_error("ValidationException"), "ValidationException", False, False, False),
    (EndpointConnectionError(endpoint_url="http://x"), None, False, False, True),
    (ValueError("x"), None, False, False, False),
])
def test_error_helpers(exc: Exception, code: str | None, throttle: bool, missing: bool, retry: bool) -> None:
    assert (error_code(exc), is_throttle(exc), is_not_found(exc), is_retryable(exc)) == (
        code, throttle, missing, retry)


def test_error_message() -> None:
    assert error_message(client_error("ThrottlingException", "Rate exceeded")) == \
        "ThrottlingException: Rate exceeded"
    assert error_message(ValueError("bad")) == "ValueError: bad"
