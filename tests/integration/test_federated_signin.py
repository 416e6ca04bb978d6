"""Sign-in through the organisation's identity provider (issue 21), against moto's Cognito.

The pool, its web client and the SAML identity provider are made as template.yaml declares them with
IdentityProviderType=SAML (the provider's attribute mapping from the template, the employee-id attribute Entra ID
sends). `MotoHostedUi.sign_in_federated` does what Cognito does when the provider answers: the mapping writes the
federated user's attributes and the ID token carries the `identities` claim. The person is linked to the directory
by the employee id the provider sent; a pool account that wrote that attribute itself is linked by nothing.
"""

from __future__ import annotations

import json

import pytest

from service.adapters.store import MemoryTable
from service.adapters.table_setup import TEMPLATE, load_template
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests.cognito_support import REGION, MotoHostedUi, create_pool, moto_jwks
from tests.conftest import ORG_CSV

HOST = "https://abc123.execute-api.eu-west-1.amazonaws.com"
KEY = "s" * 64
PROVIDER = "EntraID"
EMPLOYEE_ID_ATTRIBUTE = "http://schemas.microsoft.com/identity/claims/employeeid"  # the runbook's Entra ID example


def template_provider(logical_id: str) -> dict:
    """The identity provider's properties in template.yaml, its parameters filled as an Entra ID deployment would."""
    props = load_template(TEMPLATE)["Resources"][logical_id]["Properties"]
    mapping = {
        attr: EMPLOYEE_ID_ATTRIBUTE if source == {"Ref": "IdpEmployeeIdAttribute"} else source
        for attr, source in props["AttributeMapping"].items()
    }
    return {"ProviderType": props["ProviderType"], "AttributeMapping": mapping}


@pytest.fixture
def pool():
    """A pool on moto with the SAML provider, and a pool account for E2 (HR)."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        made = create_pool(boto3.client("cognito-idp", region_name=REGION), federated=True)
        made.cognito.create_identity_provider(
            UserPoolId=made.pool_id,
            ProviderName=PROVIDER,
            ProviderDetails={"MetadataURL": "https://login.microsoftonline.com/tenant/federationmetadata.xml"},
            **template_provider("SamlIdentityProvider"),
        )
        made.add_person("E2", "grace@example.com")
        yield made


@pytest.fixture
def app(pool, clock):
    """The web app in its deployed configuration over an in-memory directory."""
    from service.services.directory import import_organisation
    from service.web import create_app

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    settings = Settings(
        auth_mode="jwt",
        deployed=True,
        region=REGION,
        session_secret_id="reviews/web-session",
        user_pool_id=pool.pool_id,
        hosted_ui_domain=pool.domain,
    )
    application = create_app(settings, table=table, clock=clock)
    extras = application.extensions["reviews"].extras
    extras["secret_fetch"] = lambda _id: json.dumps({"session_key": KEY, "client_id": pool.client_id})
    extras["hosted_ui"] = MotoHostedUi(pool)
    extras["jwks_fetch"] = moto_jwks
    return application


@pytest.fixture(autouse=True)
def _cold_secret():
    from service.adapters import secrets

    secrets.forget()
    yield
    secrets.forget()


def authorize(client) -> str:
    resp = client.get("/auth/login", base_url=HOST)
    assert resp.status_code == 302
    return resp.headers["Location"]


def federated_sign_in(app, client, assertion: dict[str, str], subject: str = "aad-object-id-1"):
    hosted = app.extensions["reviews"].extras["hosted_ui"]
    callback = hosted.sign_in_federated(authorize(client), PROVIDER, subject, assertion)
    return client.get(callback, base_url=HOST)


def test_the_provider_and_its_mapping_are_optional_template_resources():
    resources = load_template(TEMPLATE)["Resources"]
    assert resources["SamlIdentityProvider"]["Condition"] == "HasSamlProvider"
    assert resources["OidcIdentityProvider"]["Condition"] == "HasOidcProvider"
    for logical_id in ("SamlIdentityProvider", "OidcIdentityProvider"):
        mapping = resources[logical_id]["Properties"]["AttributeMapping"]
        assert mapping["custom:sso_employee_id"] == {"Ref": "IdpEmployeeIdAttribute"}
    supported = resources["WebClient"]["Properties"]["SupportedIdentityProviders"]["Fn::If"]
    assert supported[0] == "HasIdentityProvider" and supported[2] == ["COGNITO"]
    assert supported[1][0] == "COGNITO" and supported[1][1]["Fn::If"][1:] == [
        {"Ref": "SamlIdentityProvider"},
        {"Ref": "OidcIdentityProvider"},
    ]


def test_a_person_whose_provider_sends_their_employee_id_signs_in_as_that_employee(app):
    client = app.test_client()
    resp = federated_sign_in(app, client, {EMPLOYEE_ID_ATTRIBUTE: "E4"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    home = client.get("/", base_url=HOST)
    assert home.status_code == 200 and "Katherine Johnson" in home.get_data(as_text=True)
    assert client.get("/api/me", base_url=HOST).get_json()["employee_id"] == "E4"


def test_the_link_follows_the_providers_current_answer(app, pool):
    first, later = app.test_client(), app.test_client()
    federated_sign_in(app, first, {EMPLOYEE_ID_ATTRIBUTE: "E4"})
    federated_sign_in(app, later, {EMPLOYEE_ID_ATTRIBUTE: "E5"})  # the IdP now says E5 for the same person
    assert later.get("/api/me", base_url=HOST).get_json()["employee_id"] == "E5"
    users = pool.cognito.list_users(UserPoolId=pool.pool_id)["Users"]
    federated = [u for u in users if u["Username"].startswith(f"{PROVIDER}_")]
    assert len(federated) == 1
    assert {a["Name"]: a["Value"] for a in federated[0]["Attributes"]}["custom:sso_employee_id"] == "E5"


def test_an_employee_id_unknown_to_the_directory_is_refused(app):
    client = app.test_client()
    assert federated_sign_in(app, client, {EMPLOYEE_ID_ATTRIBUTE: "E99"}).status_code == 401
    assert client.get("/", base_url=HOST).status_code == 302  # still signed out


def test_a_provider_that_sends_no_employee_id_is_refused_with_a_reason(app):
    client = app.test_client()
    resp = federated_sign_in(app, client, {"http://schemas.microsoft.com/identity/claims/displayname": "K J"})
    assert resp.status_code == 401
    assert "identity provider" in resp.get_data(as_text=True)
    assert client.get("/", base_url=HOST).status_code == 302


def test_a_pool_account_that_wrote_the_federated_attribute_itself_is_not_linked_by_it(app, pool):
    # A pool account without an employee id of its own sets custom:sso_employee_id to HR's id (the attribute is
    # mutable, and a client may write it): its token has no `identities`, so it names nobody.
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="intruder",
        UserAttributes=[{"Name": "custom:sso_employee_id", "Value": "E2"}],
        MessageAction="SUPPRESS",
    )
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="intruder", Password="Correct-Horse-42", Permanent=True
    )
    client = app.test_client()
    hosted = app.extensions["reviews"].extras["hosted_ui"]
    resp = client.get(hosted.sign_in(authorize(client), "intruder"), base_url=HOST)
    assert resp.status_code == 401
    assert client.get("/api/me", base_url=HOST).status_code == 401


def test_pool_accounts_still_sign_in_beside_the_provider(app):
    client = app.test_client()
    hosted = app.extensions["reviews"].extras["hosted_ui"]
    assert client.get(hosted.sign_in(authorize(client), "E2"), base_url=HOST).status_code == 302
    assert client.get("/api/me", base_url=HOST).get_json()["employee_id"] == "E2"
