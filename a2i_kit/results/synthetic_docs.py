"""Building blocks for synthetic output.json documents: envelopes, keys, built-in task types.

Example:
    >>> output_key("s3://b/out", "fd", 1714641243.0, "loop-1")
    's3://b/out/fd/2024/05/02/09/14/03/loop-1/output.json'
    >>> sorted(rekognition_output("img-1", ["Weapons"], worker="ab")["humanAnswers"][0]["answerContent"])
    ['AWS/Rekognition/DetectModerationLabels/Image/V3']
"""

from __future__ import annotations

import time
from typing import Any

from a2i_kit.results.flatten import REKOGNITION_SOURCE, TEXTRACT_SOURCE
from a2i_kit.results.keys import flow_prefix

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1"


def iso(epoch: float) -> str:
    """Epoch seconds → ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (A2I's answer time format)."""
    whole = int(epoch)
    millis = round((epoch - whole) * 1000)
    if millis == 1000:
        whole, millis = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def fd_arn(name: str, region: str = "us-east-1", account: str = "111122223333") -> str:
    return f"arn:aws:sagemaker:{region}:{account}:flow-definition/{name}"


def output_key(s3_output_path: str, fd: str, created: float, loop: str) -> str:
    """The A2I output URI of a loop created at epoch ``created``."""
    stamp = time.strftime("%Y/%m/%d/%H/%M/%S", time.gmtime(int(created)))
    return f"{flow_prefix(s3_output_path, fd)}{stamp}/{loop}/output.json"


def answer_envelope(content: dict[str, Any], worker: str, sub: str = "0000", accepted: str | None =
                    "2024-03-05T10:10:00.000Z", submitted: str = "2024-03-05T10:11:12.013Z",
                    spent: float | None = 72.0) -> dict[str, Any]:  # fmt: skip
    """One ``humanAnswers[]`` entry with a Cognito identity."""
    ans: dict[str, Any] = {"answerContent": content, "submissionTime": submitted, "workerId": worker,
                           "workerMetadata": {"identityData": {"identityProviderType": "Cognito",
                                                               "issuer": ISSUER, "sub": sub}}}  # fmt: skip
    if accepted is not None:
        ans["acceptanceTime"] = accepted
    if spent is not None:
        ans["timeSpentInSeconds"] = spent
    return ans


def rekognition_output(loop: str, affirmed: list[str], *, worker: str = "9a8b7c6d5e4f3a2b",
                       fd: str = "img-mod") -> dict[str, Any]:  # fmt: skip
    """A Rekognition DetectModerationLabels review where the worker affirmed ``affirmed``."""
    labels = [{"name": n, "parentName": "Violence"} for n in affirmed]
    response = {"moderationLabels": [{"confidence": 71.2, **x} for x in labels],
                "moderationModelVersion": "3.0"}  # fmt: skip
    config = {"flowDefinitionArn": fd_arn(fd), "humanLoopName": loop}
    return {
        "awsManagedHumanLoopRequestSource": REKOGNITION_SOURCE,
        "flowDefinitionArn": fd_arn(fd), "humanLoopName": loop,
        "humanAnswers": [answer_envelope({REKOGNITION_SOURCE: {"moderationLabels": labels}}, worker)],
        "inputContent": {
            "aiServiceRequest": {"image": {"s3Object": {"bucket": "acme-uploads", "name": f"u/{loop}.jpg"}},
                                 "humanLoopConfig": config},
            "aiServiceResponse": response, "selectedAiServiceResponse": response,
            "humanTaskActivationConditionResults": {"Conditions": [{
                "ConditionType": "ModerationLabelConfidenceCheck",
                "ConditionParameters": {"ModerationLabelName": "Weapons", "ConfidenceLessThan": 90},
                "EvaluationResult": True}]},
        },
    }  # fmt: skip


def textract_output(loop: str, *, worker: str = "0f3c9a2b7d1e4c55", fd: str = "forms-review",
                    value_text: str = "1990-01-01") -> dict[str, Any]:  # fmt: skip
    """A Textract AnalyzeDocument (forms) review with one corrected key-value pair."""
    blocks = [
        {"blockType": "KEY_VALUE_SET", "id": "k-1", "entityTypes": ["KEY"], "text": "Date of birth",
         "relationships": [{"type": "VALUE", "ids": ["v-1"]}]},
        {"blockType": "KEY_VALUE_SET", "id": "v-1", "entityTypes": ["VALUE"], "text": value_text},
    ]  # fmt: skip
    config = {
        "flowDefinitionArn": fd_arn(fd),
        "humanLoopName": loop,
        "dataAttributes": {"contentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
    }
    return {
        "awsManagedHumanLoopRequestSource": TEXTRACT_SOURCE,
        "flowDefinitionArn": fd_arn(fd), "humanLoopName": loop,
        "humanAnswers": [answer_envelope({TEXTRACT_SOURCE: {"blocks": blocks}}, worker)],
        "inputContent": {
            "aiServiceRequest": {"document": {"s3Object": {"bucket": "acme-docs", "name": f"{loop}.png"}},
                                 "featureTypes": ["FORMS"], "humanLoopConfig": config},
            "aiServiceResponse": {"blocks": blocks, "documentMetadata": {"pages": 1}},
            "selectedAiServiceResponse": {"blocks": blocks[:1]},
            "humanTaskActivationConditionResults": {"Conditions": [{
                "ConditionType": "ImportantFormKeyConfidenceCheck",
                "ConditionParameters": {"ImportantFormKey": "Date of birth", "KeyValueBlockConfidenceLessThan": 80},
                "EvaluationResult": True}]},
        },
    }  # fmt: skip
