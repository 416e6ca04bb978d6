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


def without(text: str, *employee_ids: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(tuple(f"{e}," for e in employee_ids)))


def test_a_new_email_is_updated_and_a_leaver_is_disabled_on_request_and_comes_back(pool, tmp_path, capsys):
    sync(tmp_path, capsys, ORG_CSV)
    moved = ORG_CSV.replace("katherine@example.com", "kj@example.com")
    code, result = sync(tmp_path, capsys, without(moved, "E5") + "\n", "--disable-missing")
    assert code == 0 and result["updated"] == ["E4"] and result["disabled"] == ["E5"]
    now = accounts(pool)
    assert now["E4"]["email"] == "kj@example.com" and now["E5"]["enabled"] is False
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert result["enabled"] == ["E5"] and accounts(pool)["E5"]["enabled"] is True


def test_people_missing_from_the_file_are_reported_not_disabled_without_the_flag(pool, tmp_path, capsys):
    sync(tmp_path, capsys, ORG_CSV)
    code, result = sync(tmp_path, capsys, without(ORG_CSV, "E5", "E6") + "\n")
    assert code == 0 and result["missing"] == ["E5", "E6"] and result["disabled"] == []
    assert accounts(pool)["E5"]["enabled"] is True and accounts(pool)["E6"]["enabled"] is True


def test_disable_missing_refuses_a_file_naming_fewer_than_half_the_accounts(pool, tmp_path, capsys):
    sync(tmp_path, capsys, ORG_CSV)
    before = accounts(pool)
    partial = without(ORG_CSV, "E3", "E4", "E5", "E6") + "\n"  # E1 and E2 only: a batch, not the organisation
    path = tmp_path / "partial.csv"
    path.write_text(partial, encoding="utf-8")
    assert main(["sync-users", str(path), "--disable-missing"]) == 1
    assert "looks partial" in capsys.readouterr().err
    assert accounts(pool) == before


class DailyLimit:
    """The cognito-idp client with Cognito's answer to an invitation over its daily email limit after `left`."""

    def __init__(self, real, left: int) -> None:
        self._real, self.left = real, left

    def admin_create_user(self, **kwargs):
        from botocore.exceptions import ClientError

        if self.left == 0:
            message = "Exceeded daily email limit for the operation or the account."
            raise ClientError({"Error": {"Code": "LimitExceededException", "Message": message}}, "AdminCreateUser")
        self.left -= 1
        return self._real.admin_create_user(**kwargs)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_a_run_stopped_by_the_daily_limit_is_continued_by_the_next_run(pool, tmp_path, capsys, monkeypatch):
    from service.adapters import aws

    real_client = aws.client
    monkeypatch.setattr(aws, "client", lambda service, settings: DailyLimit(real_client(service, settings), 4))
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 3 and result["created"] == ["E1", "E2", "E3", "E4"] and result["pending"] == ["E5", "E6"]
    assert "daily email limit" in result["stopped"]
    assert sorted(accounts(pool)) == ["E1", "E2", "E3", "E4"]
    monkeypatch.setattr(aws, "client", real_client)  # the next day
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 0 and result["created"] == ["E5", "E6"] and result["pending"] == []
    assert result["unchanged"] == ["E1", "E2", "E3", "E4"]
    assert sorted(accounts(pool)) == ["E1", "E2", "E3", "E4", "E5", "E6"]


def test_max_new_sends_that_many_invitations_per_run(pool, tmp_path, capsys):
    code, result = sync(tmp_path, capsys, ORG_CSV, "--max-new", "2")
    assert code == 3 and result["created"] == ["E1", "E2"] and len(result["pending"]) == 4
    code, result = sync(tmp_path, capsys, ORG_CSV, "--max-new", "2")
    assert code == 3 and result["created"] == ["E3", "E4"]
    assert sorted(accounts(pool)) == ["E1", "E2", "E3", "E4"]


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


class UndeliveredTo:
    """The cognito-idp client when SES refuses some addresses: Cognito keeps the account it made and answers
    CodeDeliveryFailureException, so the person has an account but no invitation."""

    def __init__(self, real, *emails: str) -> None:
        self._real, self.emails = real, emails

    def admin_create_user(self, **kwargs):
        from botocore.exceptions import ClientError

        answer = self._real.admin_create_user(**kwargs)
        email = {a["Name"]: a["Value"] for a in kwargs.get("UserAttributes", [])}.get("email")
        if email in self.emails:
            error = {"Code": "CodeDeliveryFailureException", "Message": "Email address is not verified."}
            raise ClientError({"Error": error}, "AdminCreateUser")
        return answer

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_an_undelivered_invitation_is_recorded_and_sent_again_by_the_next_run(pool, tmp_path, capsys, monkeypatch):
    from service.adapters import aws

    real_client = aws.client
    refusing = lambda service, settings: UndeliveredTo(real_client(service, settings), "edsger@example.com")  # noqa: E731
    monkeypatch.setattr(aws, "client", refusing)
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 3 and result["undelivered"] == ["E5"] and "E5" not in result["created"]
    progress = tmp_path / "org.csv.progress.json"
    assert json.loads(progress.read_text())["undelivered"] == ["E5"]
    assert accounts(pool)["E5"]["custom:employee_id"] == "E5"  # the account exists, without its invitation
    monkeypatch.setattr(aws, "client", real_client)  # the address is verified now
    code, result = sync(tmp_path, capsys, ORG_CSV)
    assert code == 0 and result["reinvited"] == ["E5"] and result["created"] == []
    assert not progress.exists()  # nothing left to resend
