"""Cognito on moto for the sign-in tests: the pool as template.yaml declares it, people, and a hosted UI.

moto emulates the pool, its users, the ID tokens it signs and the JWKS that verifies them, but not the
hosted UI's pages and /oauth2/token. `MotoHostedUi` stands in for those two: "signing in" gets a real
ID token from moto (admin password auth on the web client), and the token endpoint hands it out only
for the code it issued, to the redirect URI it was issued for, with the PKCE verifier whose S256
challenge came with the authorization request, once — as Cognito does.
"""

from __future__ import annotations

import secrets
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from service.adapters.cognito import SignInFailed, pkce_challenge
from service.adapters.table_setup import TEMPLATE, load_template

REGION = "eu-west-1"
PASSWORD = "Correct-Horse-42"  # a test password on moto


def pool_properties() -> dict[str, Any]:
    """The UserPool's properties in template.yaml that moto understands (schema, sign-up, aliases)."""
    props = load_template(TEMPLATE)["Resources"]["UserPool"]["Properties"]
    return {
        "PoolName": "review-cycles-people",
        "Schema": [
            {k: v for k, v in a.items() if k in ("Name", "AttributeDataType", "Mutable", "Required")}
            for a in props["Schema"]
        ],
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
        },
        "AliasAttributes": props["AliasAttributes"],
        "AutoVerifiedAttributes": props["AutoVerifiedAttributes"],
    }


def resolve_if(value: Any, conditions: dict[str, bool]) -> Any:
    """A template value with its Fn::If picked by the named conditions' values."""
    if isinstance(value, dict) and "Fn::If" in value:
        name, when_true, when_false = value["Fn::If"]
        return resolve_if(when_true if conditions[name] else when_false, conditions)
    return value


def client_properties(logical_id: str = "WebClient", federated: bool = False) -> dict[str, Any]:
    """An app client's attribute permissions as template.yaml declares them (with or without an identity provider)."""
    props = load_template(TEMPLATE)["Resources"][logical_id]["Properties"]
    conditions = {"HasIdentityProvider": federated}
    return {
        "ReadAttributes": resolve_if(props["ReadAttributes"], conditions),
        "WriteAttributes": resolve_if(props["WriteAttributes"], conditions),
    }


@dataclass
class Pool:
    """A moto user pool with the web app client."""

    cognito: Any
    pool_id: str
    client_id: str
    domain: str = "review-cycles-test.auth.eu-west-1.amazoncognito.com"

    def add_person(self, employee_id: str, email: str, password: str = PASSWORD) -> None:
        """An account as sync-users makes it, with a permanent password (as after the first sign-in)."""
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=employee_id,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:employee_id", "Value": employee_id},
            ],
            MessageAction="SUPPRESS",
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=employee_id, Password=password, Permanent=True
        )

    def id_token(self, username: str, password: str = PASSWORD) -> str:
        """An ID token moto signs for this person on the web client."""
        answer = self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return answer["AuthenticationResult"]["IdToken"]

    def federated_id_token(self, username: str, identities: list[dict[str, Any]]) -> str:
        """The ID token moto's pool signs for a federated user: its readable attributes plus `identities`
        (moto has no federated sign-in, so its pool signs the token Cognito would issue)."""
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        backend_pool = cognitoidp_backends[DEFAULT_ACCOUNT_ID][REGION].user_pools[self.pool_id]
        claims = backend_pool.get_user_extra_data_by_client_id(self.client_id, username)
        token, _ = backend_pool.create_jwt(
            self.client_id, username, "id", extra_data={**claims, "identities": identities}
        )
        return token


def create_pool(cognito: Any, federated: bool = False) -> Pool:
    """A pool and web client made like template.yaml's (inside mock_aws); `federated`: as with an identity provider."""
    pool_id = cognito.create_user_pool(**pool_properties())["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="review-cycles-web",
        GenerateSecret=False,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["https://abc123.execute-api.eu-west-1.amazonaws.com/auth/callback"],
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **client_properties(federated=federated),
    )["UserPoolClient"]["ClientId"]
    return Pool(cognito, pool_id, client_id)


def moto_jwks(url: str) -> dict[str, Any]:
    """The JWKS fetcher the tests inject: moto answers the pool's jwks.json URL."""
    import requests

    return requests.get(url, timeout=5).json()


@dataclass
class MotoHostedUi:
    """The hosted UI's authorize and token endpoints over a moto pool (see the module docstring)."""

    pool: Pool
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # authorize requests by state
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    logouts: list[str] = field(default_factory=list)

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        """Remember the request; the URL carries what Cognito's would."""
        self.pending[state] = {"redirect_uri": redirect_uri, "challenge": challenge}
        query = {
            "response_type": "code",
            "client_id": self.pool.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"https://{self.pool.domain}/oauth2/authorize?{urllib.parse.urlencode(query)}"

    def sign_in(self, authorize_url: str, username: str, password: str = PASSWORD) -> str:
        """The person signs in on the hosted UI page: the callback URL (path and query) the browser is sent to."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        request = self.pending.pop(query["state"])
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**request, "id_token": self.pool.id_token(username, password)}
        callback = urllib.parse.urlsplit(request["redirect_uri"])
        return f"{callback.path}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"

    def sign_in_federated(self, authorize_url: str, provider: str, subject: str, assertion: dict[str, str]) -> str:
        """The person signs in at the organisation's identity provider `provider`, which asserts `assertion`
        (its attribute names and values): as Cognito does, the provider's attribute mapping writes the pool
        user `<provider>_<subject>` (created at the first sign-in, updated at each), whose ID token carries the
        `identities` claim. The callback URL the browser is sent to."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        request = self.pending.pop(query["state"])
        cognito, pool_id = self.pool.cognito, self.pool.pool_id
        described = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName=provider)["IdentityProvider"]
        mapped = [
            {"Name": pool_attribute, "Value": assertion[idp_attribute]}
            for pool_attribute, idp_attribute in described["AttributeMapping"].items()
            if idp_attribute in assertion
        ]
        username = f"{provider}_{subject}"
        try:
            cognito.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=mapped)
        except cognito.exceptions.UserNotFoundException:
            cognito.admin_create_user(
                UserPoolId=pool_id, Username=username, UserAttributes=mapped, MessageAction="SUPPRESS"
            )
        identities = [
            {
                "userId": subject,
                "providerName": provider,
                "providerType": described["ProviderType"],
                "issuer": None,
                "primary": "true",
                "dateCreated": "1700000000000",
            }
        ]
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**request, "id_token": self.pool.federated_id_token(username, identities)}
        callback = urllib.parse.urlsplit(request["redirect_uri"])
        return f"{callback.path}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """The token endpoint: one use per code, same redirect URI, the verifier matching the challenge."""
        issued = self.codes.pop(code, None)
        if issued is None or issued["redirect_uri"] != redirect_uri:
            raise SignInFailed("invalid_grant")
        if pkce_challenge(verifier) != issued["challenge"]:
            raise SignInFailed("invalid_grant: the code verifier does not match")
        return {"id_token": issued["id_token"], "token_type": "Bearer", "expires_in": 3600}

    def logout_url(self, logout_uri: str) -> str:
        """The hosted UI's logout (recorded: the Cognito session ends there)."""
        self.logouts.append(logout_uri)
        query = urllib.parse.urlencode({"client_id": self.pool.client_id, "logout_uri": logout_uri})
        return f"https://{self.pool.domain}/logout?{query}"
