"""StartHumanLoop / Describe / List / Stop / Delete: lifecycles, name reuse, quotas, input checks."""

from __future__ import annotations

import json
import re

import pytest


def test_start_describe_has_output_uri_from_creation(runtime_client, make_flow, start_loop):
    flow = make_flow("fd-1")
    arn = start_loop("loop-1", flow["flow_definition_arn"])
    assert arn == "arn:aws:sagemaker:us-east-1:111122223333:human-loop/loop-1"
    described = runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert described["HumanLoopStatus"] == "InProgress"
    assert re.fullmatch(r"[0-9a-f-]{36}", described["ResponseMetadata"]["RequestId"])
    assert described["FlowDefinitionArn"] == flow["flow_definition_arn"]
    stamp = described["CreationTime"].strftime("%Y/%m/%d/%H/%M/%S")
    assert described["HumanLoopOutput"]["OutputS3Uri"] == f"s3://a2i-kit-tests/output/fd-1/{stamp}/loop-1/output.json"
    assert "FailureCode" not in described


def test_creation_time_travels_as_iso_with_milliseconds(make_flow, start_loop, http):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    body = http.get("/human-loops/loop-1").json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["CreationTime"])


def test_loop_doc_carries_the_contract_keys(service, make_flow, start_loop):
    flow = make_flow("fd-1", TaskTimeLimitInSeconds=120)
    start_loop("loop-1", flow["flow_definition_arn"])
    doc = service.context.store.loops.get("loop-1")["doc"]
    assert doc["TaskTimeLimitInSeconds"] == 120
    assert doc["TaskAvailabilityLifetimeInSeconds"] == 864000
    assert doc["HumanTaskUiName"] == "ui-fd-1"
    assert doc["WorkteamArn"] == flow["workteam_arn"]
    assert json.loads(doc["InputContent"]) == {"text": "great product"}


def test_same_name_same_input_is_idempotent_other_input_conflicts(runtime_client, make_flow, start_loop, aws_error):
    flow = make_flow("fd-1")
    first = start_loop("loop-1", flow["flow_definition_arn"])
    assert start_loop("loop-1", flow["flow_definition_arn"]) == first
    code, message, status = aws_error(runtime_client.start_human_loop, HumanLoopName="loop-1",
                                      FlowDefinitionArn=flow["flow_definition_arn"],
                                      HumanLoopInput={"InputContent": '{"text": "other"}'})
    assert (code, status) == ("ConflictException", 409)
    assert message.startswith("HumanLoop 'loop-1' is already active with a different flow definition or input data.")


def test_finished_and_deleted_names_stay_reserved(runtime_client, make_flow, start_loop, aws_error):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    code, message, status = aws_error(start_loop, "loop-1", flow["flow_definition_arn"])
    assert (code, status) == ("ValidationException", 400)
    assert message == ("HumanLoop 'loop-1' already exists and is finished. To start a new HumanLoop, you can try "
                       "your request again with a different HumanLoopName.")
    runtime_client.delete_human_loop(HumanLoopName="loop-1")
    code, message, _ = aws_error(start_loop, "loop-1", flow["flow_definition_arn"])
    assert code == "ValidationException"
    assert message.startswith("HumanLoop 'loop-1' already existed and was deleted; loop names stay reserved")


def test_stop_without_claims_goes_straight_to_stopped_and_is_repeatable(runtime_client, make_flow, start_loop):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Stopped"
    runtime_client.stop_human_loop(HumanLoopName="loop-1")  # a retry is harmless
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Stopped"


def test_stop_with_a_live_claim_stays_stopping(service, runtime_client, make_flow, start_loop):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    now = service.context.clock.now()
    service.context.store.claims.put({"loop_name": "loop-1", "worker_id": "w1", "status": "claimed",
                                          "claimed_at": now, "deadline": now + 600, "doc": {}})
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Stopping"


def test_stop_a_completed_loop_is_a_no_op_by_default(service, runtime_client, make_flow, start_loop):
    from a2i_kit.service.lifecycle import set_loop_status

    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    set_loop_status(service.context, "loop-1", "Completed")
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    assert runtime_client.describe_human_loop(HumanLoopName="loop-1")["HumanLoopStatus"] == "Completed"


def test_failed_loop_reports_code_and_reason(service, runtime_client, make_flow, start_loop):
    from a2i_kit.service.lifecycle import set_loop_status

    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    set_loop_status(service.context, "loop-1", "Failed", failure_code="Expired", failure_reason="no worker in time")
    described = runtime_client.describe_human_loop(HumanLoopName="loop-1")
    assert (described["FailureCode"], described["FailureReason"]) == ("Expired", "no worker in time")
    summary = runtime_client.list_human_loops(FlowDefinitionArn=flow["flow_definition_arn"])["HumanLoopSummaries"][0]
    assert summary["FailureReason"] == "no worker in time"


def test_delete_only_finished_loops_and_then_404(runtime_client, make_flow, start_loop, aws_error):
    flow = make_flow("fd-1")
    start_loop("loop-1", flow["flow_definition_arn"])
    code, message, _ = aws_error(runtime_client.delete_human_loop, HumanLoopName="loop-1")
    assert code == "ValidationException"
    assert message == ("HumanLoop 'loop-1' is InProgress; only Completed, Failed or Stopped loops can be deleted. "
                       "Stop it first with StopHumanLoop.")
    runtime_client.stop_human_loop(HumanLoopName="loop-1")
    runtime_client.delete_human_loop(HumanLoopName="loop-1")
    for call in (runtime_client.describe_human_loop, runtime_client.delete_human_loop, runtime_client.stop_human_loop):
        code, message, status = aws_error(call, HumanLoopName="loop-1")
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == "HumanLoop 'loop-1' does not exist (or was deleted)."
    assert runtime_client.list_human_loops(FlowDefinitionArn=flow["flow_definition_arn"])["HumanLoopSummaries"] == []


@pytest.mark.parametrize(("content", "expected"), [
    ("not json", "HumanLoopInput.InputContent is not strict JSON (not valid JSON: Expecting value"),
    ("[1, 2]", "HumanLoopInput.InputContent must be a JSON object"),
    ('"text"', "must be a JSON object such as"),
])
def test_input_content_must_be_a_json_object(runtime_client, make_flow, aws_error, content, expected):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(runtime_client.start_human_loop, HumanLoopName="l1",
                                 FlowDefinitionArn=flow["flow_definition_arn"], HumanLoopInput={"InputContent": content})
    assert code == "ValidationException"
    assert expected in message


def test_input_content_over_the_limit(runtime_client, make_flow, aws_error):
    flow = make_flow("fd-1")
    content = json.dumps({"blob": "x" * 3_145_728})
    code, message, _ = aws_error(runtime_client.start_human_loop, HumanLoopName="l1",
                                 FlowDefinitionArn=flow["flow_definition_arn"], HumanLoopInput={"InputContent": content})
    assert code == "ValidationException"
    assert "at 'humanLoopInput.inputContent' failed to satisfy constraint: Member must have length less than or equal to 3145728" in message


@pytest.mark.parametrize(("name", "fragment"), [
    ("Upper_Case", "Value 'Upper_Case' at 'humanLoopName' failed to satisfy constraint: Member must satisfy "
                   "regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"),
    ("trailing-", "at 'humanLoopName' failed to satisfy constraint"),
    ("x" * 64, "Member must have length less than or equal to 63"),
])
def test_loop_name_rules(runtime_client, make_flow, aws_error, name, fragment):
    flow = make_flow("fd-1")
    code, message, _ = aws_error(runtime_client.start_human_loop, HumanLoopName=name,
                                 FlowDefinitionArn=flow["flow_definition_arn"], HumanLoopInput={"InputContent": "{}"})
    assert code == "ValidationException"
    assert message.startswith("1 validation error detected: ")
    assert fragment in message


def test_lenient_names_accept_uppercase(custom_service):
    service, sm, rt = custom_service(lenient_names=True)
    sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])
    ui = sm.create_human_task_ui(HumanTaskUiName="u", UiTemplate={"Content": "<p>x</p>"})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r", OutputConfig={"S3OutputPath": "s3://bkt/o"},
        HumanLoopConfig={"WorkteamArn": service.context.arn("workteam", "private-crowd/t"), "HumanTaskUiArn": ui,
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]
    arn = rt.start_human_loop(HumanLoopName="Fraud-detector-1613589638354", FlowDefinitionArn=flow,
                              HumanLoopInput={"InputContent": "{}"})["HumanLoopArn"]
    assert arn.endswith("human-loop/Fraud-detector-1613589638354")


def test_unknown_and_initializing_flow_definitions(custom_service, aws_error):
    service, sm, rt = custom_service(flow_definition_init_seconds=60)
    ghost = service.context.arn("flow-definition", "ghost")
    code, message, _ = aws_error(rt.start_human_loop, HumanLoopName="l1", FlowDefinitionArn=ghost,
                                 HumanLoopInput={"InputContent": "{}"})
    assert code == "ValidationException"
    assert message.startswith(f"FlowDefinition '{ghost}' does not exist.")
    arn = sm.create_flow_definition(FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r",
                                    OutputConfig={"S3OutputPath": "s3://bkt/o"})["FlowDefinitionArn"]
    code, message, _ = aws_error(rt.start_human_loop, HumanLoopName="l1", FlowDefinitionArn=arn,
                                 HumanLoopInput={"InputContent": "{}"})
    assert code == "ValidationException"
    assert message.startswith("FlowDefinition 'f' is Initializing; loops can only be started on an Active flow definition.")
    service.context.advance_clock(61)
    code, message, _ = aws_error(rt.start_human_loop, HumanLoopName="l1", FlowDefinitionArn=arn,
                                 HumanLoopInput={"InputContent": "{}"})
    assert message.startswith("FlowDefinition 'f' has no HumanLoopConfig")


def test_in_progress_quota(custom_service, aws_error):
    service, sm, rt = custom_service(max_in_progress_loops=2)
    sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])
    ui = sm.create_human_task_ui(HumanTaskUiName="u", UiTemplate={"Content": "<p>x</p>"})["HumanTaskUiArn"]
    flow = sm.create_flow_definition(
        FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r", OutputConfig={"S3OutputPath": "s3://bkt/o"},
        HumanLoopConfig={"WorkteamArn": service.context.arn("workteam", "private-crowd/t"), "HumanTaskUiArn": ui,
                         "TaskTitle": "t", "TaskDescription": "d", "TaskCount": 1})["FlowDefinitionArn"]
    for name in ("a", "b"):
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    code, message, status = aws_error(rt.start_human_loop, HumanLoopName="c", FlowDefinitionArn=flow,
                                      HumanLoopInput={"InputContent": "{}"})
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert "max_in_progress_loops=2" in message
    rt.stop_human_loop(HumanLoopName="a")
    rt.start_human_loop(HumanLoopName="c", FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})


def test_backend_function_for_built_in_loops(service, make_flow):
    from a2i_kit.service.a2i_runtime.models import start_human_loop
    from a2i_kit.service.protocol import ValidationException

    flow = make_flow("fd-1")
    arn = start_human_loop(service.context, name="tx-1", flow_definition_arn=flow["flow_definition_arn"],
                           input_content='{"aiServiceRequest": {}}',
                           data_attributes={"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
                           request_source="AWS/Textract/AnalyzeDocument/Forms/V1")
    doc = service.context.store.loops.get("tx-1")["doc"]
    assert arn.endswith("human-loop/tx-1")
    assert doc["AwsManagedHumanLoopRequestSource"] == "AWS/Textract/AnalyzeDocument/Forms/V1"
    assert doc["DataAttributes"] == {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]}
    with pytest.raises(ValidationException, match="Member must satisfy enum value set"):
        start_human_loop(service.context, name="tx-2", flow_definition_arn=flow["flow_definition_arn"],
                         input_content="{}", data_attributes={"ContentClassifiers": ["FreeOfPII"]})


def _team_and_ui(service, sm, ui_name="u"):
    sm.create_workteam(WorkteamName="t", Description="d", MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}])
    ui = sm.create_human_task_ui(HumanTaskUiName=ui_name, UiTemplate={"Content": "<p>x</p>"})["HumanTaskUiArn"]
    return service.context.arn("workteam", "private-crowd/t"), ui


def _flow(sm, team, ui, name="f"):
    return sm.create_flow_definition(
        FlowDefinitionName=name, RoleArn="arn:aws:iam::111122223333:role/r", OutputConfig={"S3OutputPath": "s3://bkt/o"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": ui, "TaskTitle": "t", "TaskDescription": "d",
                         "TaskCount": 1})["FlowDefinitionArn"]


def test_quota_counts_only_loops_in_progress_once_more_loops_exist_than_the_quota(custom_service, aws_error):
    """More loops than the quota exist (stopped ones): only InProgress ones count, exactly."""
    service, sm, rt = custom_service(max_in_progress_loops=3)
    flow = _flow(sm, *_team_and_ui(service, sm))
    for name in ("a", "b", "c"):
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    rt.stop_human_loop(HumanLoopName="a")
    rt.stop_human_loop(HumanLoopName="b")
    for name in ("d", "e"):  # 5 loops stored, 3 in progress after these
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    code, message, status = aws_error(rt.start_human_loop, HumanLoopName="f", FlowDefinitionArn=flow,
                                      HumanLoopInput={"InputContent": "{}"})
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert message.startswith("You have 3 human loops in progress, the quota of this service "
                              "(max_in_progress_loops=3).")


def test_a_recreated_flow_definition_is_never_served_from_an_earlier_read(custom_service, aws_error):
    """Delete a flow definition, recreate it under the same name with another (deleted) task UI."""
    service, sm, rt = custom_service()
    team, ui = _team_and_ui(service, sm)
    other = sm.create_human_task_ui(HumanTaskUiName="u2", UiTemplate={"Content": "<p>y</p>"})["HumanTaskUiArn"]
    flow = _flow(sm, team, ui)
    rt.start_human_loop(HumanLoopName="x", FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    sm.delete_flow_definition(FlowDefinitionName="f")
    code, message, status = aws_error(rt.start_human_loop, HumanLoopName="y", FlowDefinitionArn=flow,
                                      HumanLoopInput={"InputContent": "{}"})
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(f"FlowDefinition '{flow}' does not exist.")
    assert _flow(sm, team, other) == flow
    sm.delete_human_task_ui(HumanTaskUiName="u2")
    code, message, status = aws_error(rt.start_human_loop, HumanLoopName="y", FlowDefinitionArn=flow,
                                      HumanLoopInput={"InputContent": "{}"})
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(f"The HumanTaskUi '{other}' of FlowDefinition 'f' was deleted; new loops cannot start.")


def test_a_start_on_the_flow_definition_of_the_last_start_still_checks_it(custom_service, aws_error, database_url):
    """A start on the flow definition the previous start used takes one statement; it must never
    use the settings of a definition replaced meanwhile, and must still refuse a deleted task UI."""
    service, sm, rt = custom_service(database_url=database_url)
    team, ui = _team_and_ui(service, sm)
    flow = _flow(sm, team, ui)
    for name in ("a", "b"):  # the second start is on the flow definition the first one read
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
    other = sm.create_human_task_ui(HumanTaskUiName="u2", UiTemplate={"Content": "<p>y</p>"})["HumanTaskUiArn"]
    sm.delete_flow_definition(FlowDefinitionName="f")
    replaced = sm.create_flow_definition(
        FlowDefinitionName="f", RoleArn="arn:aws:iam::111122223333:role/r", OutputConfig={"S3OutputPath": "s3://new/p"},
        HumanLoopConfig={"WorkteamArn": team, "HumanTaskUiArn": other, "TaskTitle": "t2", "TaskDescription": "d",
                         "TaskCount": 2})["FlowDefinitionArn"]
    assert replaced == flow
    for name in ("d", "e"):
        rt.start_human_loop(HumanLoopName=name, FlowDefinitionArn=flow, HumanLoopInput={"InputContent": "{}"})
        loop = rt.describe_human_loop(HumanLoopName=name)
        assert loop["HumanLoopOutput"]["OutputS3Uri"].startswith("s3://new/p/f/")
        doc = service.context.store.loops.get(name)["doc"]
        assert (doc["TaskCount"], doc["TaskTitle"], doc["HumanTaskUiName"]) == (2, "t2", "u2")
    sm.delete_human_task_ui(HumanTaskUiName="u2")
    code, message, status = aws_error(rt.start_human_loop, HumanLoopName="c", FlowDefinitionArn=flow,
                                      HumanLoopInput={"InputContent": "{}"})
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(f"The HumanTaskUi '{other}' of FlowDefinition 'f' was deleted; new loops cannot start.")
    assert service.context.store.loops.get("c") is None


def _raw_exchange(service, payload: bytes, piece: int = 0) -> bytes:
    """Send ``payload`` (in ``piece``-byte reads if given); everything answered until the server closes."""
    import socket
    import time

    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    received = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            for start in range(0, len(payload), piece or len(payload)):
                sock.sendall(payload[start:start + (piece or len(payload))])
                time.sleep(0.005 if piece else 0)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:  # the server closed first (reset, broken pipe, not connected)
            received += _rest(sock)
    return received


def _rest(sock) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def test_the_service_speaks_http_through_the_fast_parser_with_the_door_bounds(service):
    """httptools serves the API (about 0.35 ms less CPU per request than h11); the bounds stay."""
    assert service._server.config.http.__name__ == "DeadlineHttpToolsProtocol"
    big = b"GET /_a2i/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 70_000 + b"\r\n\r\n"
    answer = _raw_exchange(service, big)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert answer.endswith(b"\r\n\r\nInvalid HTTP request received.")
    trickled = _raw_exchange(service, big[:-4], piece=4096)  # never ends, arrives in many reads
    assert trickled.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    two = b"GET /_a2i/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 2  # pipelined: both answered
    assert _raw_exchange(service, two).count(b'{"status":"ok"') == 2


def test_expect_100_continue_is_answered_before_the_body_and_head_gets_its_headers(service):
    """Responses leave as one segment (headers held for the body), but 100 Continue is never held."""
    import socket

    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    body = b'{"HumanLoopName": "BAD_name!"}'
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /human-loops HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        assert sock.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        answer = b""
        while b"failed to satisfy constraint" not in answer:
            answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"x-amzn-errortype: ValidationException\r\n" in answer
    head = _raw_exchange(service, b"HEAD /_a2i/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 ")
    assert head.endswith(b"\r\n\r\n")


@pytest.mark.parametrize("epoch", [0.0, 0.0005, 1.9999999, 1709647329.417, 1709647329.9995, 1709647329.99999949,
                                   1600000000.9999993, 1e9 + 0.999999, 253402300799.999])
def test_list_creation_times_are_formatted_exactly_like_describe(epoch):
    """ListHumanLoops caches the seconds part of CreationTime; it must match iso_ms to the character."""
    from a2i_kit.service.a2i_runtime.startable import iso_ms_fast
    from a2i_kit.service.timefmt import iso_ms

    assert iso_ms_fast(epoch) == iso_ms(epoch)


def test_list_and_describe_agree_on_creation_time(runtime_client, make_flow, start_loop):
    flow = make_flow()["flow_definition_arn"]
    for name in ("one", "two", "three"):
        start_loop(name, flow)
    listed = runtime_client.list_human_loops(FlowDefinitionArn=flow)["HumanLoopSummaries"]
    assert [s["HumanLoopName"] for s in listed] == ["three", "two", "one"]
    for summary in listed:
        described = runtime_client.describe_human_loop(HumanLoopName=summary["HumanLoopName"])
        assert summary["CreationTime"] == described["CreationTime"]
