"""Fixtures of the team-scale tests: moto's S3 server, and service processes on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def team_database(postgres: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database of the session's PostgreSQL cluster for one test; its URL."""
    name = "team_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:40]
    postgres.drop_database(name)
    yield postgres.create_database(name)
    postgres.drop_database(name)


@pytest.fixture
def team(tmp_path: Any, team_database: str, moto_s3: dict[str, Any]) -> Iterator[Any]:
    """Two service processes on one port sharing ``team_database``; output.json goes to a versioned
    bucket of moto's S3 (a second write of one output would be a second version)."""
    from types import SimpleNamespace

    from a2i_kit.service.context import ServiceConfig
    from a2i_kit.service.processes import Supervisor

    s3 = moto_s3["client"]()
    bucket = "team-" + tmp_path.name.lower().replace("_", "-")[-40:].strip("-")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    config = ServiceConfig(data_dir=tmp_path / "data", database_url=team_database, output_mode="s3",
                           s3_endpoint_url=moto_s3["endpoint"], max_in_progress_loops=10_000)
    with Supervisor(config, workers=2) as supervisor:
        yield SimpleNamespace(supervisor=supervisor, bucket=bucket, s3=s3, database_url=team_database)
