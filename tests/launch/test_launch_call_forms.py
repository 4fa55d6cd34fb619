"""launch_loops takes the Session first; the old keyword forms still work for one release, warning.

Every call here reaches the real embedded service over HTTP through real boto3 clients.
"""

from __future__ import annotations

import inspect
import warnings

import pandas as pd
import pytest

from a2i_kit.client import as_session
from a2i_kit.errors import InputError, LaunchError
from a2i_kit.launch import launch_loops

NEW = r"call launch_loops\(session, df, flow_definition_arn=\.\.\.\) with the Session from a2i_kit\.connect\(\)"


def items(n: int, prefix: str = "doc") -> pd.DataFrame:
    return pd.DataFrame({"item_id": [f"{prefix} {k}" for k in range(n)], "text": [f"text {k}" for k in range(n)]})


def test_the_signature_is_session_first_and_typed() -> None:
    params = list(inspect.signature(launch_loops).parameters.values())
    assert [p.name for p in params[:3]] == ["session", "df", "flow_definition_arn"]
    assert params[0].annotation == "Session"
    assert params[2].kind is inspect.Parameter.KEYWORD_ONLY
    assert not {"runtime", "sagemaker"} & {p.name for p in params}


def test_the_new_form_starts_loops_and_warns_nothing(session, flow, tmp_path, loop_names) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = launch_loops(session, items(3), flow_definition_arn=flow["flow_definition_arn"],
                               ledger=tmp_path / "l.sqlite3", progress=False)
        by_keyword = launch_loops(session=session, df=items(3), flow_definition_arn=flow["flow_definition_arn"],
                                  ledger=tmp_path / "l.sqlite3", progress=False)
    assert summary["status"].tolist() == ["started"] * 3
    assert by_keyword["status"].tolist() == ["already_launched"] * 3
    assert sorted(loop_names(session.runtime, flow["flow_definition_arn"])) == sorted(summary["loop_name"])


@pytest.mark.parametrize(("form", "named"), [
    ("session", "session=..."),
    ("runtime", "runtime=..."),
    ("runtime+sagemaker", "runtime=..., sagemaker=..."),
    ("session+runtime", "session=..., runtime=..."),
])
def test_old_forms_warn_and_still_launch(session, flow, tmp_path, loop_names, form, named) -> None:
    clients = {"session": {"session": session}, "runtime": {"runtime": session.runtime},
               "runtime+sagemaker": {"runtime": session.runtime, "sagemaker": session.sagemaker},
               "session+runtime": {"session": session, "runtime": session.runtime}}[form]
    with pytest.warns(DeprecationWarning, match=rf"launch_loops\(df, {named}\) is deprecated and stops "
                                                rf"working in the next release: {NEW}") as caught:
        summary = launch_loops(items(2), flow_definition_arn=flow["flow_definition_arn"],
                               ledger=tmp_path / "l.sqlite3", progress=False, **clients)
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert summary["status"].tolist() == ["started"] * 2
    assert len(loop_names(session.runtime, flow["flow_definition_arn"])) == 2


def test_the_old_sagemaker_keyword_is_still_used(session, tmp_path) -> None:
    """With sagemaker= the flow definition is described first: a missing one stops the launch."""
    missing = "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/nope"
    with pytest.warns(DeprecationWarning, match="runtime=..., sagemaker=..."), pytest.raises(LaunchError, match="flow definition 'nope' cannot be used"):
        launch_loops(items(1), flow_definition_arn=missing, runtime=session.runtime, sagemaker=session.sagemaker,
                     ledger=tmp_path / "l.sqlite3", progress=False)
    with pytest.warns(DeprecationWarning, match=r"launch_loops\(df, runtime=\.\.\.\) is deprecated"):
        only_runtime = launch_loops(items(1), flow_definition_arn=missing, runtime=session.runtime,
                                    ledger=tmp_path / "l.sqlite3", progress=False)
    assert only_runtime["status"].tolist() == ["failed"]  # no describe: the start itself is refused


def test_old_form_with_a_client_session_replaced_by_the_given_runtime(session, flow, tmp_path) -> None:
    base = as_session(session.sagemaker)  # a Session holding only the SageMaker client
    with pytest.warns(DeprecationWarning, match=r"launch_loops\(df, session=\.\.\., runtime=\.\.\.\)"):
        summary = launch_loops(items(1), flow_definition_arn=flow["flow_definition_arn"], session=base,
                               runtime=session.runtime, ledger=tmp_path / "l.sqlite3", progress=False)
    assert summary["status"].tolist() == ["started"]
    assert base.runtime is None  # the caller's session is left as it was


@pytest.mark.parametrize(("call", "message"), [
    (lambda _s, df, arn: launch_loops("us-east-1", df, flow_definition_arn=arn),
     r"'us-east-1' is not a session: pass a Session from a2i_kit\.connect\(\)"),
    (lambda s, df, arn: launch_loops(s, df.to_dict("records"), flow_definition_arn=arn),
     r"launch_loops: df must be a pandas DataFrame of items, not list: launch_loops\(session, df, "),
    (lambda _s, df, arn: launch_loops(df, flow_definition_arn=arn),
     r"launch_loops needs the Session from a2i_kit\.connect\(\) first: launch_loops\(session, df, "),
    (lambda s, df, arn: launch_loops(df, s, flow_definition_arn=arn),
     r"launch_loops takes the session first, then the DataFrame: launch_loops\(session, df, "),
    (lambda s, df, arn: launch_loops(s, df, flow_definition_arn=arn, runtime=s.runtime),
     r"pass the clients inside the session, not as runtime=: launch_loops\(session, df, "),
    (lambda s, df, arn: launch_loops(as_session(s.sagemaker), df, flow_definition_arn=arn),
     r"launch_loops needs the session's runtime client: pass a Session from a2i_kit\.connect\(\)"),
    (lambda s, df, arn: launch_loops(df, flow_definition_arn=arn, sagemaker=s.sagemaker),
     r"launch_loops needs the session's runtime client"),
])
def test_wrong_types_are_clear_errors_and_start_nothing(session, flow, loop_names, call, message) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(InputError, match=message):
            call(session, items(2), flow["flow_definition_arn"])
    assert loop_names(session.runtime, flow["flow_definition_arn"]) == []
