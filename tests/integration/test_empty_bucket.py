"""`review-cycles empty-bucket` on moto (issue 21): what `sam delete` needs before CloudFormation can delete
ExportBucket (or the layer-build bucket, which keeps versions)."""

from __future__ import annotations

import json

import pytest

from service.cli import main

REGION = "eu-west-1"


def run(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {}), captured.err


@pytest.fixture
def s3(monkeypatch):
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket="exports", CreateBucketConfiguration={"LocationConstraint": REGION})
        for n in range(3):
            client.put_object(Bucket="exports", Key=f"exports/{n}.zip", Body=b"zip")
        client.create_multipart_upload(Bucket="exports", Key="exports/unfinished.zip")
        client.create_bucket(Bucket="layer", CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_versioning(Bucket="layer", VersioningConfiguration={"Status": "Enabled"})
        client.put_object(Bucket="layer", Key="pdf-layer.zip", Body=b"one")
        client.put_object(Bucket="layer", Key="pdf-layer.zip", Body=b"two")
        client.delete_object(Bucket="layer", Key="pdf-layer.zip")  # a delete marker over two versions
        yield client


def test_a_bucket_that_is_not_empty_cannot_be_deleted(s3):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="BucketNotEmpty"):
        s3.delete_bucket(Bucket="exports")


def test_empty_bucket_lets_the_export_bucket_be_deleted(s3, capsys):
    code, result, _ = run(capsys, "empty-bucket", "exports", "--confirm", "exports")
    assert code == 0 and result == {"bucket": "exports", "deleted": 3, "aborted_uploads": 1}
    assert s3.list_multipart_uploads(Bucket="exports").get("Uploads", []) == []
    s3.delete_bucket(Bucket="exports")  # what sam delete asks CloudFormation to do
    assert "exports" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_empty_bucket_removes_every_version_and_delete_marker(s3, capsys):
    code, result, _ = run(capsys, "empty-bucket", "layer", "--confirm", "layer")
    assert code == 0 and result["deleted"] == 3
    s3.delete_bucket(Bucket="layer")


def test_empty_bucket_needs_the_name_twice_and_answers_a_missing_bucket(s3, capsys):
    code, _, err = run(capsys, "empty-bucket", "exports", "--confirm", "export")
    assert code == 2 and len(s3.list_objects_v2(Bucket="exports")["Contents"]) == 3
    code, _, err = run(capsys, "empty-bucket", "gone", "--confirm", "gone")
    assert code == 1 and "no bucket" in err
