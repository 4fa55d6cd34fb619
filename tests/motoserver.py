"""moto's threaded server on a free loopback port, shared by the S3, results, team and AWS-stack tests.

Example:
    >>> server = MotoServer().start()   # doctest: +SKIP
    >>> boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")   # doctest: +SKIP
"""

from __future__ import annotations

import logging

import httpx


class MotoServer:
    """moto's threaded server on a free loopback port; ``reset()`` empties every backend."""

    def __init__(self) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> MotoServer:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self

    def reset(self) -> None:
        httpx.post(f"{self.url}/moto-api/reset", timeout=30).raise_for_status()

    def stop(self) -> None:
        self.server.stop()
