"""output.json documents in every reference shape (reference §6.2–6.3, worker-templates §3.2)."""

from __future__ import annotations

import copy
from typing import Any

from a2i_kit.results.synthetic_docs import answer_envelope, fd_arn

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"

# Reference §6.2 composed example (custom task type), verbatim.
CUSTOM = {
    "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:111122223333:flow-definition/ticket-triage",
    "humanLoopName": "tkt-20240305-0007",
    "humanAnswers": [
        {
            "acceptanceTime": "2024-03-05T14:05:41.120Z",
            "submissionTime": "2024-03-05T14:06:12.884Z",
            "timeSpentInSeconds": 31.764,
            "workerId": "0f3c9a2b7d1e4c55",
            "workerMetadata": {"identityData": {"identityProviderType": "Cognito", "issuer": ISSUER,
                                                "sub": "5b0e3f1c-2d4a-4b6e-9f70-1a2b3c4d5e6f"}},
            "answerContent": {"priority": {"label": "High"}, "notes": "customer is blocked"},
        }
    ],
    "inputContent": {"ticketText": "Cannot log in since update", "modelPriority": "Low", "score": 0.41},
}  # fmt: skip
CUSTOM_URI = "s3://acme/output/ticket-triage/2024/03/05/14/05/00/tkt-20240305-0007/output.json"


def custom_three() -> dict[str, Any]:
    """TaskCount 3: three distinct workers on one loop."""
    doc = copy.deepcopy(CUSTOM)
    doc["humanLoopName"] = "tkt-3"
    doc["humanAnswers"] = [
        answer_envelope({"priority": {"label": lab}}, wid, f"sub-{wid}", f"2024-03-05T14:0{i}:00.000Z",
                        f"2024-03-05T14:0{i}:30.500Z", 30.5)
        for i, (wid, lab) in enumerate([("aaaa000000000001", "High"), ("aaaa000000000002", "High"),
                                        ("aaaa000000000003", "Low")])
    ]  # fmt: skip
    return doc


def shapes_doc() -> dict[str, Any]:
    """One answer holding every crowd element shape of worker-templates §3.2."""
    content = {
        "topics": {"labels": ["Sports", "Business"]},
        "annotatedResult": {"boundingBoxes": [{"label": "Dog", "left": 243, "top": 117, "width": 187, "height": 401}],
                            "inputImageProperties": {"width": 800, "height": 533}},
        "ner": {"entities": [{"label": "org", "startOffset": 4, "endOffset": 10}]},
        "issues": {"blurry": True, "dark": False},
        "opt_yes": {"yes": True}, "opt_no": {"no": False},
        "transcription": "use lambda to run the notebook",
        "pose": {"keypoints": [{"label": "nose", "x": 311, "y": 142}], "inputImageProperties": {"width": 640, "height": 480}},
        "fluency": 4,
        "instances": "[{\"label\":\"PERSON\",\"left\":10}]",
    }  # fmt: skip
    return {"flowDefinitionArn": fd_arn("shapes"), "humanLoopName": "shapes-1",
            "humanAnswers": [answer_envelope(content, "bbbb000000000001")],
            "inputContent": {"item": {"id": "x-9", "src": "s3://b/i.png"}}}  # fmt: skip


def put_direct(bucket: str, objects: list[tuple[str, bytes]]) -> None:
    """Store objects straight into moto's in-process backend (fast set-up for big listings)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key, data in objects:
        backend.put_object(bucket, key, data)
