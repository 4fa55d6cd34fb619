"""S3 ingest against a moto server over loopback with a real boto3 client."""

from __future__ import annotations

import orjson
import pytest
from results_docs import put_direct

from a2i_kit.errors import ResultsError
from a2i_kit.results import Results
from a2i_kit.results.synthetic import generate

PREFIX = "s3://{}/a2i-output/ticket-triage/"


def _objects(n: int, seed: int = 0, start: str = "2026-11-02T08:00:00Z") -> list[tuple[str, bytes]]:
    review = generate(
        n * 3, seed=seed, threshold=1.01, audit_rate=0.0, pending_share=0.0, start=start
    )
    out = [(uri.split("/", 3)[3], orjson.dumps(doc)) for uri, doc in review.outputs[:n]]
    if len(out) != n:
        raise RuntimeError("generator made too few outputs")
    return out


@pytest.mark.slow
def test_pagination_over_more_than_1000_keys(bucket, s3_calls, tmp_path):
    client, name = bucket
    put_direct(name, _objects(1100))
    put_direct(name, [("a2i-output/ticket-triage/notes.txt", b"not an output")])
    calls = s3_calls(client)
    res = Results.from_s3(
        client, PREFIX.format(name), cache_dir=tmp_path / "cache", max_workers=8
    ).sync()
    assert len(res.loops) == 1100
    assert res.loops["human_loop_name"].is_unique
    assert len(res.answers) == 1100
    assert calls["ListObjectsV2"] == 2
    assert calls["GetObject"] == 1100
    assert res.problems.empty


def test_incremental_sync_fetches_only_new_objects(bucket, s3_calls, tmp_path):
    client, name = bucket
    first = _objects(30, seed=1, start="2026-11-05T00:00:00Z")
    put_direct(name, first)
    calls = s3_calls(client)
    res = Results.from_s3(client, PREFIX.format(name), cache_dir=tmp_path / "c").sync()
    assert len(res.loops) == 30
    assert calls["GetObject"] == 30
    # New loops created *earlier* than those already read: their keys sort before the old ones.
    put_direct(name, _objects(5, seed=2, start="2026-11-01T00:00:00Z"))
    res.sync()
    assert calls["GetObject"] == 35
    assert res.last_sync_count == 5
    assert len(res.loops) == 35
    res.sync()
    assert calls["GetObject"] == 35
    assert res.last_sync_count == 0


def test_state_on_disk_survives_a_new_process(bucket, s3_calls, tmp_path):
    client, name = bucket
    put_direct(name, _objects(12, seed=3))
    Results.from_s3(client, PREFIX.format(name), cache_dir=tmp_path / "c").sync()
    again = Results.from_s3(client, PREFIX.format(name), cache_dir=tmp_path / "c")
    calls = s3_calls(client)
    again.sync()
    assert calls.get("GetObject", 0) == 0
    assert len(again.loops) == 12
    assert (tmp_path / "c" / "sync-state.sqlite3").is_file()


def test_too_large_object_is_not_fetched(bucket, s3_calls, tmp_path):
    client, name = bucket
    objs = _objects(3, seed=4)
    key, data = objs[0]
    big = data[:-1] + b', "pad": "' + b"x" * 4000 + b'"}'
    put_direct(name, [(key, big), *objs[1:]])
    calls = s3_calls(client)
    res = Results.from_s3(
        client, PREFIX.format(name), cache_dir=tmp_path / "c", max_object_bytes=3000
    ).sync()
    assert calls["GetObject"] == 2
    assert res.problems[["uri", "kind"]].values.tolist() == [[f"s3://{name}/{key}", "too_large"]]
    assert "max_object_bytes=3000" in res.problems.loc[0, "message"]


def test_corrupt_object_in_s3_is_reported(bucket, tmp_path):
    client, name = bucket
    objs = _objects(2, seed=5)
    put_direct(name, [(objs[0][0], b"{oops"), objs[1]])
    res = Results.from_s3(client, PREFIX.format(name), cache_dir=tmp_path / "c").sync()
    assert res.problems[["uri", "kind"]].values.tolist() == [
        [f"s3://{name}/{objs[0][0]}", "corrupt_json"]
    ]
    assert len(res.loops) == 1


def test_missing_bucket_is_a_results_error(moto_s3, tmp_path):
    client = moto_s3["client"]()
    with pytest.raises(
        ResultsError, match="bucket 'no-such-bucket-x' does not exist: check the flow"
    ):
        Results.from_s3(client, "s3://no-such-bucket-x/out/", cache_dir=tmp_path / "c").sync()
