"""template.yaml's Cognito for issue 21: invitations through the organisation's SES identity (no console step),
and the optional SAML/OIDC identity provider, created only when its parameters are given."""

from __future__ import annotations

import json


def test_the_pool_sends_invitations_through_ses_from_mailfrom(template):
    email = template["Resources"]["UserPool"]["Properties"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"  # SES's quota, not Cognito's 50 a day
    assert email["From"] == {"Ref": "MailFrom"}
    arn, names = email["SourceArn"]["Fn::Sub"]
    assert arn.endswith(":identity/${Identity}")
    assert names["Identity"] == {"Fn::If": ["MailFromIsIdentity", {"Ref": "MailFrom"}, {"Ref": "MailIdentity"}]}
    assert template["Conditions"]["MailFromIsIdentity"] == {"Fn::Equals": [{"Ref": "MailIdentity"}, ""]}


def test_the_identity_provider_exists_only_when_its_type_is_given(template):
    params, conditions = template["Parameters"], template["Conditions"]
    assert params["IdentityProviderType"]["Default"] == "" and params["IdentityProviderType"]["AllowedValues"] == [
        "",
        "SAML",
        "OIDC",
    ]
    assert conditions["HasSamlProvider"] == {"Fn::Equals": [{"Ref": "IdentityProviderType"}, "SAML"]}
    assert conditions["HasOidcProvider"] == {"Fn::Equals": [{"Ref": "IdentityProviderType"}, "OIDC"]}
    resources = template["Resources"]
    assert resources["SamlIdentityProvider"]["Properties"]["ProviderDetails"]["MetadataURL"] == {
        "Ref": "SamlMetadataUrl"
    }
    assert resources["OidcIdentityProvider"]["Properties"]["ProviderDetails"]["oidc_issuer"] == {"Ref": "OidcIssuer"}
    for rule, needs in (
        ("SamlProviderComplete", ("SamlMetadataUrl", "IdpEmployeeIdAttribute")),
        ("OidcProviderComplete", ("OidcIssuer", "OidcClientCredentials", "IdpEmployeeIdAttribute")),
    ):
        text = json.dumps(template["Rules"][rule])
        assert all(f'"Ref": "{n}"' in text for n in needs), rule


def test_the_oidc_client_secret_is_resolved_from_secrets_manager_never_a_parameter_value(template):
    details = template["Resources"]["OidcIdentityProvider"]["Properties"]["ProviderDetails"]
    for key in ("client_id", "client_secret"):
        assert details[key] == {
            "Fn::Sub": f"{{{{resolve:secretsmanager:${{OidcClientCredentials}}:SecretString:{key}}}}}"
        }
    assert "NoEcho" not in template["Parameters"]["OidcClientCredentials"]  # a secret's name, not a secret


def test_the_federated_employee_id_is_mutable_readable_and_written_only_with_a_provider(template):
    schema = {a["Name"]: a for a in template["Resources"]["UserPool"]["Properties"]["Schema"]}
    assert schema["sso_employee_id"]["Mutable"] is True  # Cognito rewrites mapped attributes at every sign-in
    assert schema["employee_id"]["Mutable"] is False
    web = template["Resources"]["WebClient"]["Properties"]
    assert "custom:sso_employee_id" in web["ReadAttributes"]
    assert web["WriteAttributes"] == {"Fn::If": ["HasIdentityProvider", ["name", "custom:sso_employee_id"], ["name"]]}
    api = template["Resources"]["ApiClient"]["Properties"]
    assert "custom:sso_employee_id" not in api["WriteAttributes"]
