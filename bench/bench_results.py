"""Benchmarks for a2i_kit.results and a2i_kit.analytics; prints one BENCH line per benchmark.

    .venv/bin/python bench/bench_results.py            # all three
    BENCH_S3_OBJECTS=5000 .venv/bin/python bench/bench_results.py ingest_s3

- ingest_s3_20000: 20,000 output.json in a moto S3 server (its own process, on loopback, filled
  through moto's backend directly), 20 ms added to every request on the client side (botocore
  ``before-send`` hook) for both sides. Ours: paginated listing + 64 parallel GETs. Baseline, the
  AWS samples' pattern: per loop one describe (stood in for by a 20 ms HEAD) then one get_object,
  one at a time; measured on a subset and extrapolated per object.
- ingest_s3_vs_bare: in the same run, a bare thread pool (same 64 workers, same client, same 20 ms)
  GETs every key ours fetched and only reads the bodies (no listing, no parsing, no cache, no
  frames): the ceiling the S3 stand-in allows. ratio = bare time / our time (1.0 = at the ceiling).
- ingest_local_100000: 100,002 answers (33,334 loops × TaskCount 3) in a local mirror. Baseline:
  ``[json.load(open(p)) for p in Path(root).rglob("output.json")]``; ours: Results.from_mirror
  (...).sync() with both frames built. Both find the files themselves; one warm-up pass first.
- coverage_risk_1m: the risk/coverage curve over 1,000,000 predictions at every distinct
  confidence (4 decimals → ~10,000 thresholds). Baseline: a per-threshold numpy mask loop, timed on
  100 thresholds and scaled to all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import numpy as np
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from a2i_kit import analytics  # noqa: E402
from a2i_kit.results import Results  # noqa: E402
from a2i_kit.results.synthetic import generate, write_mirror  # noqa: E402

LATENCY = 0.020
BUCKET = "bench-results"
PREFIX = f"s3://{BUCKET}/a2i-output/ticket-triage/"

# Runs in the moto server process: start on port 0, fill the bucket through the backend, print
# the port, then serve until stdin closes.
SERVER = r"""
import logging, sys, orjson
logging.getLogger("werkzeug").setLevel(logging.ERROR)
from moto.server import ThreadedMotoServer
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from a2i_kit.results.synthetic import generate
n = int(sys.argv[1])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
backend.create_bucket("bench-results", "us-east-1")
review = generate(n, threshold=1.01, audit_rate=0.0, pending_share=0.0, seed=3)
for uri, doc in review.outputs:
    backend.put_object("bench-results", uri.split("/", 3)[3], orjson.dumps(doc))
print(server.get_host_and_port()[1], len(review.outputs), flush=True)
sys.stdin.read()
server.stop()
"""


def _client(endpoint: str) -> object:
    config = Config(max_pool_connections=64, retries={"mode": "standard", "max_attempts": 5})
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
                          aws_access_key_id="bench", aws_secret_access_key="bench")  # fmt: skip

    def network_latency(**_: object) -> None:
        time.sleep(LATENCY)

    client.meta.events.register("before-send.s3", network_latency)
    return client


def bench_ingest_s3() -> None:
    n = int(os.environ.get("BENCH_S3_OBJECTS", "20000"))
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(n)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    try:
        port, count = map(int, proc.stdout.readline().split())  # type: ignore[union-attr]
        client = _client(f"http://127.0.0.1:{port}")
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            res = Results.from_s3(client, PREFIX, cache_dir=cache, max_workers=64).sync()
            rows = len(res.answers) + len(res.loops)
            ours = time.perf_counter() - start
        all_keys = sorted(res.loops["output_uri"].str.split("/", n=3).str[3])
        keys = all_keys[:: max(1, count // 150)]
        start = time.perf_counter()
        for key in keys:  # the samples: describe each loop, then fetch its output, one at a time
            client.head_object(Bucket=BUCKET, Key=key)
            json.loads(client.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        per_object = (time.perf_counter() - start) / len(keys)
        bare = _bare_gets(client, all_keys)
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(timeout=30)
    baseline = per_object * count
    print(f"BENCH ingest_s3_{count} ratio={baseline / ours:.2f} target=10 ours={ours:.1f}s "
          f"baseline={baseline:.0f}s (extrapolated from {len(keys)} objects at {per_object * 1000:.0f} ms each; "
          f"{LATENCY * 1000:.0f} ms per request both sides; {rows} rows; moto in its own process)")  # fmt: skip
    print(f"BENCH ingest_s3_vs_bare ratio={bare / ours:.2f} target=0.8 ours={ours:.1f}s bare={bare:.1f}s "
          f"(bare: 64 threads GET the same {len(all_keys)} keys with the same {LATENCY * 1000:.0f} ms and "
          f"only read the bodies; ours also lists, caches, parses and builds the frames)")  # fmt: skip


def _bare_gets(client: object, keys: list[str]) -> float:
    """Seconds for a bare 64-thread pool to GET every key and read its body, nothing else."""

    def get(key: str) -> int:
        return len(client.get_object(Bucket=BUCKET, Key=key)["Body"].read())  # type: ignore[attr-defined]

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        sizes = list(pool.map(get, keys))
    elapsed = time.perf_counter() - start
    if len(sizes) != len(keys) or not all(sizes):
        raise SystemExit(f"bare GETs read {sum(map(bool, sizes))} of {len(keys)} objects")
    return elapsed


def _json_load_loop(root: str) -> int:
    docs = []
    for path in Path(root).rglob("output.json"):
        with open(path) as fh:
            docs.append(json.load(fh))
    return sum(len(d["humanAnswers"]) for d in docs)


def _ours_local(root: str) -> int:
    res = Results.from_mirror(root).sync()
    res.loops  # noqa: B018 - build both frames
    return len(res.answers)


def bench_ingest_local() -> None:
    loops = int(os.environ.get("BENCH_LOCAL_LOOPS", "33334"))
    with tempfile.TemporaryDirectory() as root:
        review = generate(
            loops, task_count=3, threshold=1.01, audit_rate=0.0, pending_share=0.0, seed=5
        )
        write_mirror(root, review.outputs)
        del review
        _json_load_loop(root)  # warm the page cache for both
        start = time.perf_counter()
        answers = _json_load_loop(root)
        base = time.perf_counter() - start
        start = time.perf_counter()
        ours_answers = _ours_local(root)
        ours = time.perf_counter() - start
        if answers != ours_answers:
            raise SystemExit(f"answer counts differ: json.load {answers}, ours {ours_answers}")
    print(f"BENCH ingest_local_100000 ratio={base / ours:.2f} target=1 ours={ours:.2f}s "
          f"json_load_loop={base:.2f}s ({answers} answers in {loops} output.json files, TaskCount 3; both "
          f"find the files themselves; ours also flattens and builds the loops and answers DataFrames)")  # fmt: skip


def bench_coverage_risk() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    conf = rng.beta(5, 1.5, n).round(4)
    correct = rng.random(n) < conf
    start = time.perf_counter()
    curve = analytics.coverage_risk(conf, correct)
    ours = time.perf_counter() - start
    thresholds = curve["threshold"].to_numpy()
    sample = thresholds[:: max(1, len(thresholds) // 100)]
    start = time.perf_counter()
    for t in sample:
        accepted = conf >= t
        _coverage = accepted.mean()
        _risk = (~correct[accepted]).mean()
    per_threshold = (time.perf_counter() - start) / len(sample)
    baseline = per_threshold * len(thresholds)
    print(f"BENCH coverage_risk_1m ratio={baseline / ours:.1f} target=50 ours={ours:.3f}s "
          f"baseline={baseline:.1f}s (per-threshold loop timed on {len(sample)} of {len(thresholds)} "
          f"thresholds, scaled; 1,000,000 predictions)")  # fmt: skip


BENCHES = {
    "ingest_s3": bench_ingest_s3,
    "ingest_local": bench_ingest_local,
    "coverage_risk": bench_coverage_risk,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        BENCHES[name]()
