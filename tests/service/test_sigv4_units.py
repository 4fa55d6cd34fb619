"""SigV4 pieces checked against botocore's own signer, and the refusals in AWS's words."""

from __future__ import annotations

import calendar
import time
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from a2i_kit.errors import ConfigError
from a2i_kit.service import sigv4
from a2i_kit.service.access_keys import Sealer

KEY_ID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _signed(method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None,
            secret: str = SECRET, presign: bool = False) -> AWSRequest:
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    credentials = Credentials(KEY_ID, secret)
    signer = SigV4QueryAuth(credentials, "sagemaker", "us-east-1", 300) if presign else \
        SigV4Auth(credentials, "sagemaker", "us-east-1")
    signer.add_auth(request)
    return request


def _check(request: AWSRequest, body: bytes = b"", secret: str = SECRET) -> None:
    """Verify ``request`` as the service would see it on the wire."""
    from urllib.parse import urlsplit

    parts = urlsplit(request.url)
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers.setdefault("host", parts.netloc)
    query = {}
    for piece in parts.query.split("&") if parts.query else []:
        name, _, value = piece.partition("=")
        query[name] = sigv4.unquote_to_bytes(value).decode()
    cred = sigv4.parse(headers, query if "X-Amz-Algorithm" in query else {})
    sigv4.check_scope(cred, "us-east-1", time.time())
    text = sigv4.string_to_sign(cred, request.method, parts.path, parts.query, list(headers.items()),
                                sigv4.payload_hash(headers, body))
    sigv4.verify_signature(secret, cred, text)


@pytest.mark.parametrize(("method", "url", "body", "headers"), [
    ("POST", "http://127.0.0.1:8443/", b'{"HumanTaskUiName":"ui"}',
     {"X-Amz-Target": "SageMaker.DescribeHumanTaskUi", "Content-Type": "application/x-amz-json-1.1"}),
    ("GET", "http://127.0.0.1:8443/human-loops?FlowDefinitionArn=arn%3Aaws%3Asagemaker%3Aus-east-1%3A1%3Aflow"
     "-definition%2Ff&SortOrder=Ascending&CreationTimeAfter=2020-01-01T00%3A00%3A00Z", b"", {}),
    ("DELETE", "http://localhost:8443/human-loops/loop-1", b"", {}),
    ("POST", "http://localhost/human-loops/stop", b'{"HumanLoopName": "a  b"}', {"X-Custom": "  a   b  "}),
    ("GET", "http://localhost/human-loops/a%20b/./c/../d", b"", {}),
])
def test_botocore_signatures_verify(method: str, url: str, body: bytes, headers: dict[str, str]) -> None:
    _check(_signed(method, url, body, headers), body)


def test_presigned_url_verifies() -> None:
    _check(_signed("GET", "http://127.0.0.1:8443/human-loops/loop-1", presign=True))


def test_tampered_body_wrong_secret_and_unsigned_payload() -> None:
    request = _signed("POST", "http://localhost/human-loops", b'{"a":1}')
    with pytest.raises(sigv4.InvalidSignatureException, match=r"^The request signature we calculated does not"):
        _check(request, b'{"a":2}')
    with pytest.raises(sigv4.InvalidSignatureException):
        _check(request, b'{"a":1}', secret=SECRET[:-1] + "X")
    unsigned = _signed("POST", "http://localhost/human-loops", b'{"a":1}', {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    _check(unsigned, b"anything: the client chose not to sign the payload")


def test_incomplete_authorization_in_aws_words() -> None:
    with pytest.raises(sigv4.MissingAuthenticationToken, match=r"^Missing Authentication Token$"):
        sigv4.parse({}, {})
    with pytest.raises(sigv4.IncompleteSignature) as info:
        sigv4.parse({"authorization": "Bearer abc"}, {})
    assert info.value.message == (
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
        "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
        "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc")
    header = "AWS4-HMAC-SHA256 Credential=AKIA/20200101/us-east-1/sagemaker/aws4_request, Signature=ab"
    with pytest.raises(sigv4.IncompleteSignature) as info:
        sigv4.parse({"authorization": header, "x-amz-date": "20200101T000000Z"}, {})
    assert info.value.message == f"Authorization header requires 'SignedHeaders' parameter. Authorization={header}"
    header = "AWS4-HMAC-SHA256 Credential=AKIA /20200101/us-east-1/sagemaker/aws4_request, SignedHeaders=host"
    with pytest.raises(sigv4.IncompleteSignature) as info:
        sigv4.parse({"authorization": header + ", Signature=ab junk"}, {})
    assert info.value.message.startswith("Authorization header requires existence of either")
    with pytest.raises(sigv4.IncompleteSignature, match=r"^Credential must have exactly 5 slash-delimited elements, "
                       r"e.g. keyid/date/region/service/term, got 'AKIA/20200101'$"):
        sigv4.parse({"authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20200101, SignedHeaders=host, Signature=a",
                     "x-amz-date": "20200101T000000Z"}, {})
    with pytest.raises(sigv4.IncompleteSignature, match=r"^'oops' not a valid key=value pair \(missing equal-sign\)"):
        sigv4.parse({"authorization": "AWS4-HMAC-SHA256 Credential=a, oops"}, {})


def _cred(scope: str, amz_date: str = "20200101T000000Z", signed: str = "host") -> sigv4.Credential:
    return sigv4._credential(f"AKIA/{scope}", signed, "ab", amz_date)


def test_scope_and_clock_in_aws_words() -> None:
    now = calendar.timegm((2020, 1, 1, 0, 0, 0, 0, 0, 0))
    sigv4.check_scope(_cred("20200101/us-east-1/sagemaker/aws4_request"), "us-east-1", now + 899)
    cases = [
        (_cred("20200101/us-east-1/sagemaker/aws5"), now,
         "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5'."),
        (_cred("20200101/us-east-1/s3/aws4_request"), now, "Credential should be scoped to correct service: 'sagemaker'."),
        (_cred("20200101/eu-west-1/sagemaker/aws4_request"), now,
         "Credential should be scoped to a valid region, not 'eu-west-1'."),
        (_cred("20200102/us-east-1/sagemaker/aws4_request"), now,
         "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
         "'20200102' != '20200101', from 'x-amz-date'."),
        (_cred("20200101/us-east-1/sagemaker/aws4_request", signed="x-amz-date"), now,
         "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
        (_cred("20200101/us-east-1/sagemaker/aws4_request"), now + 16 * 60,
         "Signature expired: 20200101T000000Z is now earlier than 20200101T000100Z (20200101T001600Z - 15 min.)"),
        (_cred("20200101/us-east-1/sagemaker/aws4_request"), now - 16 * 60,
         "Signature not yet current: 20200101T000000Z is still later than 20191231T235900Z "
         "(20191231T234400Z + 15 min.)"),
    ]
    for cred, when, message in cases:
        with pytest.raises(sigv4.InvalidSignatureException) as info:
            sigv4.check_scope(cred, "us-east-1", when)
        assert info.value.message == message
        assert (info.value.status, info.value.json_status) == (403, 403)
    with pytest.raises(sigv4.IncompleteSignature, match=r"^Date must be in ISO-8601 'basic format'. Got '2020-01-01'"):
        sigv4.check_scope(_cred("20200101/us-east-1/sagemaker/aws4_request", "2020-01-01"), "us-east-1", now)


def test_sealer_refuses_missing_and_wrong_key_files(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret.key"
    with pytest.raises(ConfigError, match=r"secret key file .* is missing"):
        Sealer.open(path, create=False)
    sealer = Sealer.open(path, create=True)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    sealed = sealer.seal(SECRET)
    assert SECRET not in sealed
    assert Sealer.open(path, create=False).unseal(sealed, "k") == SECRET
    other = Sealer.open(tmp_path / "other.key", create=True)
    with pytest.raises(ConfigError, match=r"^the secret of access key K was sealed with another key than the one in"):
        other.unseal(sealed, "access key K")
    (tmp_path / "bad.key").write_text("not a key\n")
    with pytest.raises(ConfigError, match="does not hold a Fernet key"):
        Sealer.open(tmp_path / "bad.key", create=False)
