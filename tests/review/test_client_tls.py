"""The review client verifies TLS for https services (certifi's CA bundle): a service with a
certificate nobody signed is refused, never talked to; plain http loads no CA bundle at all."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from a2i_kit.errors import ServiceError
from a2i_kit.review.client import WorkerClient, _Http


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """A TLS server on loopback with a self-signed certificate; records what reaches it in clear."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed(tmp_path))
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    received.append(tls.recv(4096))
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], received
    finally:
        listener.close()


def test_an_unsigned_certificate_is_refused_before_any_request(tls_server: tuple[int, list[bytes]]) -> None:
    port, received = tls_server
    with WorkerClient(f"https://localhost:{port}", "secret-token", timeout=5) as client, \
            pytest.raises(ServiceError, match="cannot reach the a2i-kit service") as caught:
        client.tasks()
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert received == []  # the token never left the client


def test_https_uses_certifi_and_http_no_tls() -> None:
    import certifi

    with _Http("HTTPS://review.example.com/base/", {}, 5.0) as https, _Http("http://127.0.0.1:8080", {}, 5.0) as http:
        assert isinstance(https._pool, urllib3.HTTPSConnectionPool)
        assert https._pool.ca_certs == certifi.where()
        assert https._prefix == "/base"
        assert type(http._pool) is urllib3.HTTPConnectionPool
