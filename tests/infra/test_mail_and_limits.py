"""Issue 21 in template.yaml: every mailing function can mail (sender, links, configuration set), SES bounces and
complaints reach the bounce function, and the PDF function and the worker have concurrency caps."""

from __future__ import annotations

from tests.infra.conftest import sam_functions
from tests.infra.test_template import as_list, role_of, statements

MAILERS = ("WebFunction", "RemindersFunction", "TrainingReportFunction", "WorkerFunction")  # worker: issue 24


def test_every_function_that_mails_has_a_sender_links_and_the_configuration_set(template):
    functions = sam_functions(template)
    for name in MAILERS:
        variables = functions[name]["Properties"]["Environment"]["Variables"]
        assert variables["MAIL_FROM"] == {"Ref": "MailFrom"}, name
        assert variables["SES_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}, name
        base = variables["BASE_URL"]["Fn::If"]
        assert base[0] == "HasCustomDomain" and base[1] == {"Fn::Sub": "https://${DomainName}"}, name
    # The web function cannot name the API that names it: empty means the URL API Gateway reached it by.
    assert functions["WebFunction"]["Properties"]["Environment"]["Variables"]["BASE_URL"]["Fn::If"][2] == ""
    for name in set(functions) - set(MAILERS):
        assert "MAIL_FROM" not in functions[name]["Properties"].get("Environment", {}).get("Variables", {}), name


def test_mail_is_sent_only_as_the_sender_through_its_identity_and_the_configuration_set(resources):
    for name in MAILERS:
        (send,) = [s for s in statements(role_of(resources, name)) if "ses:SendEmail" in as_list(s["Action"])]
        assert set(as_list(send["Action"])) == {"ses:SendEmail", "ses:SendRawEmail"}
        assert send["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "MailFrom"}}}
        text = str(send["Resource"])
        assert "identity/${Identity}" in text and "MailFromIsIdentity" in text
        assert "configuration-set/${MailConfigurationSet}" in text and "identity/*" not in text


def test_bounces_and_complaints_reach_the_bounce_function(template, resources):
    res = template["Resources"]
    destination = res["MailFeedbackDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    assert sorted(destination["EventDestination"]["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["EventDestination"]["SnsDestination"]["TopicARN"] == {"Ref": "MailFeedbackTopic"}
    (allow,) = res["MailFeedbackTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "ses.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    (event,) = res["BounceFunction"]["Properties"]["Events"].values()
    assert event == {"Type": "SNS", "Properties": {"Topic": {"Ref": "MailFeedbackTopic"}}}
    # It writes one item kind and reads nothing; what it fails on waits in its dead-letter queue.
    table_actions = [
        a for s in statements(role_of(resources, "BounceFunction")) for a in as_list(s["Action"]) if "dynamodb" in a
    ]
    assert table_actions == ["dynamodb:PutItem"]
    assert resources["BounceFunction"]["Properties"]["DeadLetterConfig"]["TargetArn"] == {
        "Fn::GetAtt": "MailFailureQueue.Arn"
    }


def test_the_pdf_function_and_the_worker_have_concurrency_caps_their_triggers_stay_within(template):
    res = template["Resources"]
    caps = {"PdfFunction": "PdfConcurrency", "WorkerFunction": "WorkerConcurrency"}
    for function, parameter in caps.items():
        assert res[function]["Properties"]["ReservedConcurrentExecutions"] == {"Ref": parameter}
        assert template["Parameters"][parameter]["Default"] >= template["Parameters"][parameter]["MinValue"] >= 2
    triggers = {k: r["Properties"] for k, r in res.items() if r["Type"] == "AWS::Lambda::EventSourceMapping"}
    assert triggers["WorkerQueueTrigger"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "WorkerConcurrency"}
    pdf = [
        t["ScalingConfig"]["MaximumConcurrency"]
        for t in triggers.values()
        if t["FunctionName"] == {"Ref": "PdfFunction"}
    ]
    # Summary downloads keep at least one instance even while exports and dead letters run at their maximum.
    assert sum(pdf) < template["Parameters"]["PdfConcurrency"]["MinValue"]
