"""`review-cycles sync-users ORG.csv` makes the Cognito accounts (on moto) follow the organisation file."""

from __future__ import annotations

import json

import pytest

from service.cli import main
from tests.cognito_support import REGION, create_pool
from tests.conftest import ORG_CSV


@pytest.fixture
def pool(monkeypatch):
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        made = create_pool(boto3.client("cognito-idp", region_name=REGION))
        monkeypatch.setenv("COGNITO_USER_POOL_ID", made.pool_id)
        yield made


def accounts(pool) -> dict[str, dict]:
    users = pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"]
    return {u["Username"]: {"enabled": u["Enabled"], **{a["Name"]: a["Value"] for a in u["Attributes"]}} for u in users}


def sync(tmp_path, capsys, text: str, *extra: str) -> tuple[int, dict]:
    path = tmp_path / "org.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["sync-users", str(path), *extra])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def test_everyone_in_the_file_gets_an_account_carrying_their_employee_id(pool, tmp_path, capsys):
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 0 and result["created"] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    made = accounts(pool)
    assert made["E4"]["custom:employee_id"] == "E4" and made["E4"]["email"] == "katherine@example.com"
    assert made["E4"]["name"] == "Katherine Johnson" and made["E4"]["enabled"] is True


def test_syncing_the_same_file_again_changes_nothing(pool, tmp_path, capsys):
    sync(tmp_path, capsys, ORG_CSV)
    before = accounts(pool)
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 0 and result["unchanged"] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    assert not (result["created"] or result["updated"] or result["disabled"])
    assert accounts(pool) == before


def test_a_new_email_is_updated_and_a_leaver_is_disabled_and_comes_back(pool, tmp_path, capsys):
    sync(tmp_path, capsys, ORG_CSV)
    moved = ORG_CSV.replace("katherine@example.com", "kj@example.com")
    without_e5 = "\n".join(line for line in moved.splitlines() if not line.startswith("E5,")) + "\n"
    code, result = sync(tmp_path, capsys, without_e5)
    assert code == 0 and result["updated"] == ["E4"] and result["disabled"] == ["E5"]
    now = accounts(pool)
    assert now["E4"]["email"] == "kj@example.com" and now["E5"]["enabled"] is False
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert result["enabled"] == ["E5"] and accounts(pool)["E5"]["enabled"] is True


def test_a_dry_run_changes_nothing(pool, tmp_path, capsys):
    code, result = sync(tmp_path, capsys, ORG_CSV, "--dry-run")
    assert code == 0 and result["dry_run"] is True and len(result["created"]) == 6
    assert accounts(pool) == {}


def test_a_bad_file_changes_no_account(pool, tmp_path, capsys):
    bad = ORG_CSV + "E7,No Email,,Engineer,Engineering,E3,\n"
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    assert main(["sync-users", str(path)]) == 1
    assert "row" in capsys.readouterr().err.lower()
    assert accounts(pool) == {}
