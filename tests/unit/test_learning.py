"""Continuous learning on the in-memory fakes: the log and its roll-up, the planner's workflow, referral chain
and privacy, review evidence, the link to training needs, and bad input. The organisation is tests/conftest.py's:
Alan (E3) manages Katherine (E4) and Edsger (E5); Grace (E2) is HR; Ada (E1) leads."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.learning import DEFAULT_QUESTIONS, Contact, ContactSource, referral_tree, suppress
from service.services import interviews
from service.services import learning as svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def uow(clock) -> UnitOfWork:
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    return uow


def who(uow: UnitOfWork, employee_id: str):
    return f.principal(uow.table, employee_id)


def course(**more):
    return {"type": "course", "title": "Statistics for engineers", "date": "2026-02-10", "hours": 6, **more}


def items(uow: UnitOfWork, kind: str) -> list[dict]:
    return [i for i in uow.table.all_items() if i.get("type") == kind]


def named_needs(uow: UnitOfWork, clock, cycle_id: str | None = None, owner: str = "E4", topics=("Statistics",)):
    """Typed training needs of `owner`, named in a submitted self assessment (a cycle is launched if none given)."""
    cycle_id = cycle_id or f.launched_cycle(uow.table, clock).cycle_id
    content = f.self_content(training_needs=[{"topic": t, "priority": "high"} for t in topics])
    version = uow.reviews.get(cycle_id, owner).version
    writer = UnitOfWork(uow.table)
    review_svc.save_self_assessment(writer, who(uow, owner), cycle_id, owner, content, version, True, clock)
    return sorted(UnitOfWork(uow.table).training.of_person(owner, cycle_id), key=lambda n: n.topic_label)


def need_id(uow: UnitOfWork, clock, **more) -> str:
    return named_needs(uow, clock, **more)[0].need_id


# --- the log ------------------------------------------------------------------------------------------


def test_a_logged_activity_is_stored_audited_and_counted_in_its_year_and_department(uow, clock):
    need = need_id(uow, clock)
    made = asdict(svc.create_activity(uow, who(uow, "E4"), course(need_id=need, learnt="Bayes"), clock))
    stored = items(uow, "learning_activity")
    assert [(i["title"], i["need_id"], i["department"], i["version"]) for i in stored] == [
        ("Statistics for engineers", need, "Engineering", 1)
    ]
    assert made["activity_id"] == stored[0]["activity_id"]
    dept = UnitOfWork(uow.table).table.get({"pk": "LEARNSTATS#2026", "sk": "DEPT#Engineering"})
    assert (dept["people_course"], dept["activities_course"], dept["hours10_all"], dept["needs_all"]) == (1, 1, 60, 1)
    assert any(i["pk"].startswith("AUDIT#LEARN#E4") for i in uow.table.all_items())


def test_a_second_activity_of_the_same_person_does_not_count_them_twice(uow, clock):
    need = need_id(uow, clock)
    svc.create_activity(uow, who(uow, "E4"), course(need_id=need), clock)
    svc.create_activity(uow, who(uow, "E4"), course(title="Bayes II", need_id=need), clock)
    dept = uow.table.get({"pk": "LEARNSTATS#2026", "sk": "DEPT#Engineering"})
    assert (dept["people_course"], dept["activities_course"], dept["needs_course"]) == (1, 2, 1)


def test_changing_and_removing_an_activity_moves_its_counts(uow, clock):
    made = asdict(svc.create_activity(uow, who(uow, "E4"), course(), clock))
    changed = asdict(svc.update_activity(uow, who(uow, "E4"), made["activity_id"], {"type": "reading"}, 1, clock))
    dept = uow.table.get({"pk": "LEARNSTATS#2026", "sk": "DEPT#Engineering"})
    assert (dept["people_course"], dept["people_reading"], dept["people_all"]) == (0, 1, 1)
    svc.delete_activity(uow, who(uow, "E4"), made["activity_id"], changed["version"])
    dept = uow.table.get({"pk": "LEARNSTATS#2026", "sk": "DEPT#Engineering"})
    assert (dept["people_all"], dept["activities_all"], dept["hours10_all"]) == (0, 0, 0)
    assert items(uow, "learning_activity") == []


def test_a_stale_change_is_refused(uow, clock):
    made = asdict(svc.create_activity(uow, who(uow, "E4"), course(), clock))
    with pytest.raises(StaleWrite):
        svc.update_activity(uow, who(uow, "E4"), made["activity_id"], {"hours": 2}, 7, clock)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (course(date="2026-03-03"), "date"),  # tomorrow by the fixed clock
        (course(hours=-1), "hours"),
        (course(hours=5000), "hours"),
        (course(title="  "), "title"),
        (course(need_id="not an id!"), "need_id"),
    ],
)
def test_bad_activities_are_refused_with_a_field_message_and_nothing_is_written(uow, clock, data, field):
    with pytest.raises(ValidationFailed) as caught:
        svc.create_activity(uow, who(uow, "E4"), data, clock)
    assert field in caught.value.errors
    assert items(uow, "learning_activity") == [] and items(uow, "learning_stats") == []


def test_someone_elses_activity_is_not_found_even_for_hr(uow, clock):
    made = asdict(svc.create_activity(uow, who(uow, "E4"), course(), clock))
    for other in ("E2", "E3", "E5"):
        with pytest.raises(NotFound):
            svc.get_activity(uow, who(uow, other), made["activity_id"])
        assert svc.learning_log(uow, who(uow, other)) == []


def test_my_typed_training_needs_are_offered_open_ones_first_labelled_with_topic_and_cycle(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    needs = named_needs(uow, clock, cycle_id, topics=("Statistics", "Public speaking"))
    named_needs(uow, clock, cycle_id, owner="E5", topics=("Kubernetes",))  # someone else's: never offered
    svc.create_activity(uow, who(uow, "E4"), course(need_id=needs[0].need_id), clock)  # addresses Public speaking
    cycle_name = uow.cycles.get(cycle_id).name
    choices = [asdict(c) for c in svc.need_choices(UnitOfWork(uow.table), who(uow, "E4"))]
    assert [(c["need_id"], c["label"], c["status"]) for c in choices] == [
        (needs[1].need_id, f"Statistics ({cycle_name})", "open"),
        (needs[0].need_id, f"Public speaking ({cycle_name}) · addressed", "addressed"),
    ]
    assert svc.need_choices(UnitOfWork(uow.table), who(uow, "E6")) == []


def report_topic(uow: UnitOfWork, cycle_id: str, topic: str) -> dict:
    from service.services.training_reports import training_report

    report = asdict(training_report(UnitOfWork(uow.table), who(uow, "E2"), cycle_id))
    return next(t for t in report["topics"] if t["topic"] == topic)


def test_an_activity_naming_a_need_addresses_it_in_the_activitys_own_transaction(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    for owner in ("E2", "E3", "E5", "E6"):  # five people name the topic: the report shows it
        named_needs(uow, clock, cycle_id, owner=owner)
    need = named_needs(uow, clock, cycle_id)[0]
    assert report_topic(uow, cycle_id, "Statistics")["addressed"] == 0
    before = uow.table.transactions
    made = asdict(svc.create_activity(UnitOfWork(uow.table), who(uow, "E4"), course(need_id=need.need_id), clock))
    assert uow.table.transactions == before + 1
    stored = UnitOfWork(uow.table).training.get(need.need_id)
    assert (stored.status.value, stored.addressed_by) == ("addressed", f"learning: E4/{made['activity_id']}")
    org = UnitOfWork(uow.table).training.aggregate(cycle_id, "ORG")
    assert (org["a|free-statistics"], org["ap|free-statistics"]) == (1, 1)
    # The report withholds it: one need addressed is one person's.
    assert report_topic(uow, cycle_id, "Statistics")["addressed"] is None
    # A second activity against the same need counts it once.
    svc.create_activity(UnitOfWork(uow.table), who(uow, "E4"), course(title="More", need_id=need.need_id), clock)
    org = UnitOfWork(uow.table).training.aggregate(cycle_id, "ORG")
    assert (org["a|free-statistics"], org["ap|free-statistics"]) == (1, 1)


@pytest.mark.parametrize("whose", ["unknown", "a colleague's"])
def test_an_unknown_or_foreign_need_is_a_field_error_and_nothing_is_written(uow, clock, whose):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    theirs = named_needs(uow, clock, cycle_id, owner="E5")[0].need_id
    need = f"{cycle_id}.E4.self.9" if whose == "unknown" else theirs
    with pytest.raises(ValidationFailed) as caught:
        svc.create_activity(UnitOfWork(uow.table), who(uow, "E4"), course(need_id=need), clock)
    assert caught.value.errors == {"need_id": ["no such training need of yours"]}
    assert items(uow, "learning_activity") == [] and items(uow, "learning_stats") == []
    assert UnitOfWork(uow.table).training.get(theirs).status.value == "open"
    assert not any(k.startswith("a|") for k in UnitOfWork(uow.table).training.aggregate(cycle_id, "ORG"))
    # Changing an activity to name that need is refused the same way, and the activity stays as it was.
    made = asdict(svc.create_activity(UnitOfWork(uow.table), who(uow, "E4"), course(), clock))
    with pytest.raises(ValidationFailed) as caught:
        svc.update_activity(UnitOfWork(uow.table), who(uow, "E4"), made["activity_id"], {"need_id": need}, 1, clock)
    assert "need_id" in caught.value.errors
    assert [(i["need_id"], i["version"]) for i in items(uow, "learning_activity")] == [(None, 1)]


# --- review evidence ----------------------------------------------------------------------------------


def test_activities_in_the_period_are_picked_as_evidence_and_the_manager_comments_on_them(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    inside = asdict(svc.create_activity(uow, who(uow, "E4"), course(), clock))
    picks = [asdict(a) for a in svc.activities_for_cycle(uow, who(uow, "E4"), cycle_id)]
    assert [a["activity_id"] for a in picks] == [inside["activity_id"]]
    version = uow.reviews.get(cycle_id, "E4").version
    content = f.self_content(learning_refs=[inside["activity_id"]])
    review_svc.save_self_assessment(uow, who(uow, "E4"), cycle_id, "E4", content, version, True, clock)
    review = uow.reviews.get(cycle_id, "E4")
    assert review.self_assessment["learning_refs"] == [inside["activity_id"]]
    evidence = svc.learning_evidence_for(UnitOfWork(uow.table), who(uow, "E3"), review)
    assert [e.title for e in evidence] == ["Statistics for engineers"]
    svc.comment_on_evidence(uow, who(uow, "E3"), cycle_id, "E4", inside["activity_id"], "Apply it to the SLOs.", clock)
    evidence = svc.learning_evidence_for(UnitOfWork(uow.table), who(uow, "E4"), review)
    assert [c["text"] for c in evidence[0].comments] == ["Apply it to the SLOs."]
    with pytest.raises(NotFound):  # a peer may not read the review: it does not exist for them
        svc.comment_on_evidence(uow, who(uow, "E5"), cycle_id, "E4", inside["activity_id"], "Hi", clock)


def test_evidence_from_outside_the_period_or_someone_else_is_refused(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    old = asdict(svc.create_activity(uow, who(uow, "E4"), course(date="2025-06-01"), clock))
    theirs = asdict(svc.create_activity(uow, who(uow, "E5"), course(), clock))
    version = uow.reviews.get(cycle_id, "E4").version
    content = f.self_content(learning_refs=[old["activity_id"], theirs["activity_id"]])
    with pytest.raises(ValidationFailed) as caught:
        review_svc.save_self_assessment(uow, who(uow, "E4"), cycle_id, "E4", content, version, False, clock)
    assert set(caught.value.errors) == {"learning_refs.0", "learning_refs.1"}
    assert uow.reviews.get(cycle_id, "E4").version == version


# --- the planner ----------------------------------------------------------------------------------------


def contact(**more):
    return {
        "name": "Mae Jemison",
        "role": "Data Scientist",
        "organisation": "Orbit Labs",
        "found_via": "alumni",
        **more,
    }


def test_the_outreach_draft_asks_for_20_minutes_to_learn_not_for_a_job(uow, clock):
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(format="phone"), clock))
    draft = made["outreach"]
    assert "Dear Mae" in draft and "Katherine Johnson" in draft and "katherine@example.com" in draft
    assert "20 minutes" in draft and "not asking for a job" in draft and "by phone" in draft
    assert "a Data Scientist at Orbit Labs" in draft


def test_marking_the_request_sent_suggests_a_follow_up_a_week_later(uow, clock):
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(), clock))
    sent = asdict(interviews.act(uow, who(uow, "E4"), made["contact_id"], "send", made["version"], clock))
    assert (sent["status"], sent["sent_on"], sent["follow_up_on"]) == ("request_sent", "2026-03-02", "2026-03-09")
    with pytest.raises(Conflict):
        interviews.complete(uow, who(uow, "E4"), made["contact_id"], {"learnt": "x"}, sent["version"], clock)


def finished(uow, clock, owner="E4", referrals=(), need=None, **more):
    made = asdict(interviews.add_contact(uow, who(uow, owner), contact(**more), clock))
    on = asdict(
        interviews.act(uow, who(uow, owner), made["contact_id"], "schedule", made["version"], clock, "2026-03-01")
    )
    data = {"learnt": "Modelling matters more than tools.", "notes": "Friendly.", "referrals": list(referrals)}
    if need:
        data["need_id"] = need
    return asdict(interviews.complete(uow, who(uow, owner), made["contact_id"], data, on["version"], clock))


def test_a_completed_interview_becomes_a_learning_activity_and_reminds_to_thank(uow, clock):
    done = finished(uow, clock)
    assert done["status"] == "completed" and done["thank_you_by"] == "2026-03-02"
    log = [asdict(a) for a in svc.learning_log(uow, who(uow, "E4"))]
    assert [(a["type"], a["date"], a["provider"], a["contact_id"]) for a in log] == [
        ("informational_interview", "2026-03-01", "Mae Jemison", done["contact_id"])
    ]


def test_a_completed_interview_against_a_need_addresses_it_and_a_foreign_need_completes_nothing(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    mine = named_needs(uow, clock, cycle_id)[0]
    theirs = named_needs(uow, clock, cycle_id, owner="E5")[0]
    with pytest.raises(ValidationFailed) as caught:
        finished(UnitOfWork(uow.table), clock, need=theirs.need_id, name="Ann Other")
    assert "need_id" in caught.value.errors and items(uow, "learning_activity") == []
    assert [c["status"] for c in asdict(interviews.planner(uow, who(uow, "E4")))["contacts"]] == ["scheduled"]
    done = finished(UnitOfWork(uow.table), clock, need=mine.need_id)
    stored = UnitOfWork(uow.table).training.get(mine.need_id)
    assert stored.status.value == "addressed" and done["activity_id"] in stored.addressed_by
    assert UnitOfWork(uow.table).training.aggregate(cycle_id, "ORG")["a|free-statistics"] == 1


def test_referrals_become_contacts_and_the_chain_of_introductions_is_a_tree(uow, clock):
    first = finished(uow, clock, referrals=[{"name": "Katherine Coleman", "role": "Analyst", "organisation": "NASA"}])
    second_id = next(
        c["contact_id"]
        for c in asdict(interviews.planner(uow, who(uow, "E4")))["contacts"]
        if c["name"] == "Katherine Coleman"
    )
    second = asdict(interviews.get_contact(uow, who(uow, "E4"), second_id))
    assert (second["found_via"], second["referred_by"]) == ("referral", first["contact_id"])
    on = asdict(
        interviews.act(uow, who(uow, "E4"), second_id, "schedule", second["version"], clock, "2026-03-02T10:00")
    )
    data = {"learnt": "Ask early.", "referrals": [{"name": "Dorothy Vaughan", "role": "Lead", "organisation": "NASA"}]}
    interviews.complete(uow, who(uow, "E4"), second_id, data, on["version"], clock)
    tree = asdict(interviews.planner(uow, who(uow, "E4")))["tree"]
    assert [n["name"] for n in tree] == ["Mae Jemison"]
    assert tree[0]["referrals"][0]["name"] == "Katherine Coleman"
    assert tree[0]["referrals"][0]["referrals"][0]["name"] == "Dorothy Vaughan"
    third = tree[0]["referrals"][0]["referrals"][0]["contact_id"]
    assert [c["name"] for c in asdict(interviews.get_contact(uow, who(uow, "E4"), third))["introduced_by"]] == [
        "Mae Jemison",
        "Katherine Coleman",
    ]


def test_a_referral_loop_in_stored_data_still_draws_a_tree():
    a = Contact("a", "E4", "A", "", "", ContactSource.REFERRAL, referred_by="b")
    b = Contact("b", "E4", "B", "", "", ContactSource.REFERRAL, referred_by="a")
    roots = referral_tree([a, b])
    assert len(roots) >= 1 and sum(1 + len(r.children) for r in roots) == 2


def test_the_planner_is_private_even_from_hr_and_the_manager(uow, clock):
    done = finished(uow, clock)
    for other in ("E2", "E3", "E1"):
        with pytest.raises(NotFound):
            interviews.get_contact(uow, who(uow, other), done["contact_id"])
        with pytest.raises(NotFound):
            interviews.update_contact(uow, who(uow, other), done["contact_id"], {"notes": "x"}, done["version"])
        assert asdict(interviews.planner(uow, who(uow, other)))["contacts"] == []
    assert interviews.shared_summaries(uow, who(uow, "E3"), "E4") == []


def test_a_summary_reaches_the_manager_only_when_shared_and_only_the_manager(uow, clock):
    done = finished(uow, clock)
    interviews.update_contact(uow, who(uow, "E4"), done["contact_id"], {"shared_with_manager": True}, done["version"])
    shared = [asdict(x) for x in interviews.shared_summaries(uow, who(uow, "E3"), "E4")]
    assert shared == [
        {
            "role": "Data Scientist",
            "organisation": "Orbit Labs",
            "industry": "",
            "completed_on": "2026-03-01",
            "learnt": "Modelling matters more than tools.",
        }
    ]
    for other in ("E2", "E5", "E1"):
        with pytest.raises(NotFound):
            interviews.shared_summaries(uow, who(uow, other), "E4")


def test_an_unfinished_interview_cannot_be_shared(uow, clock):
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(), clock))
    with pytest.raises(ValidationFailed):
        interviews.update_contact(uow, who(uow, "E4"), made["contact_id"], {"shared_with_manager": True}, 1)


def test_completing_needs_what_was_learnt_and_a_name_for_each_referral(uow, clock):
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(), clock))
    on = asdict(
        interviews.act(uow, who(uow, "E4"), made["contact_id"], "schedule", made["version"], clock, "2026-03-01")
    )
    with pytest.raises(ValidationFailed) as caught:
        interviews.complete(
            uow, who(uow, "E4"), made["contact_id"], {"referrals": [{"role": "x"}]}, on["version"], clock
        )
    assert set(caught.value.errors) == {"learnt", "referrals.0.name"}
    assert items(uow, "learning_activity") == [] and len(items(uow, "interview_contact")) == 1


def test_the_question_bank_starts_with_the_ten_topics_and_can_be_edited(uow, clock):
    bank = asdict(interviews.questions(uow, who(uow, "E4")))
    assert bank["questions"] == list(DEFAULT_QUESTIONS) and len(bank["questions"]) == 10
    saved = asdict(
        interviews.save_questions(uow, who(uow, "E4"), ["What surprised you?", " ", *bank["questions"][:2]], 0)
    )
    assert saved["questions"][0] == "What surprised you?" and len(saved["questions"]) == 3
    with pytest.raises(StaleWrite):
        interviews.save_questions(uow, who(uow, "E4"), ["Again?"], 0)
    assert interviews.questions(uow, who(uow, "E5")).questions == list(DEFAULT_QUESTIONS)


# --- insights and the leadership report -----------------------------------------------------------------


def test_my_insights_list_the_roles_organisations_and_industries_explored(uow, clock):
    finished(uow, clock, industry="Space")
    mine = asdict(svc.my_insights(uow, who(uow, "E4")))
    assert (mine["roles"], mine["organisations"], mine["industries"]) == (["Data Scientist"], ["Orbit Labs"], ["Space"])
    assert mine["learnt"][0]["learnt"] == "Modelling matters more than tools."


def test_the_leadership_report_hides_groups_under_five_people(uow, clock):
    svc.create_activity(uow, who(uow, "E4"), course(), clock)
    report = asdict(svc.leadership_report(uow, who(uow, "E1"), "2026"))
    assert report["rows"]["Engineering"]["*"] is None and report["totals"]["*"] is None
    with pytest.raises(PermissionDenied):
        svc.leadership_report(uow, who(uow, "E4"), "2026")


def test_suppression_hides_the_complement_that_subtraction_would_reveal():
    def c(n):
        return {"people": n, "activities": n, "hours": n, "needs": 0}

    rows = {"Eng": {"*": c(12), "course": c(8), "reading": c(3), "mentoring": c(6)}}
    shown = suppress(rows, {"*": c(12)})
    assert shown["rows"]["Eng"]["reading"] is None
    assert shown["rows"]["Eng"]["mentoring"] is None  # the next-smallest: the total minus the rest would reveal 3
    # 12 learning, 8 of them by courses: 12 − 8 would give away the 4 who took none. Withheld too.
    assert shown["rows"]["Eng"]["course"] is None
    rows = {"Eng": {"*": c(14), "course": c(9), "reading": c(3), "mentoring": c(6)}}
    assert suppress(rows, {"*": c(14)})["rows"]["Eng"]["course"] == c(9)


def test_suppression_hides_a_second_department_when_one_small_one_would_be_revealed_by_the_total():
    def c(n):
        return {"people": n, "activities": n, "hours": n, "needs": 0}

    rows = {"A": {"*": c(3)}, "B": {"*": c(6)}, "C": {"*": c(9)}}
    shown = suppress(rows, {"*": c(18)})
    assert shown["rows"]["A"]["*"] is None and shown["rows"]["B"]["*"] is None and shown["rows"]["C"]["*"] == c(9)


def test_the_manager_cannot_comment_on_evidence_still_in_a_draft(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    made = asdict(svc.create_activity(uow, who(uow, "E4"), course(), clock))
    version = uow.reviews.get(cycle_id, "E4").version
    content = f.self_content(learning_refs=[made["activity_id"]])
    review_svc.save_self_assessment(uow, who(uow, "E4"), cycle_id, "E4", content, version, False, clock)
    with pytest.raises(NotFound):
        svc.comment_on_evidence(uow, who(uow, "E3"), cycle_id, "E4", made["activity_id"], "Early", clock)
    assert svc.learning_evidence_for(uow, who(uow, "E3"), uow.reviews.get(cycle_id, "E4")) == []


class CountingTable(MemoryTable):
    """Counts the reads a use case makes."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def get(self, key, consistent=False):
        self.reads.append("get")
        return super().get(key, consistent)

    def get_many(self, keys):
        self.reads.append("batch")
        return super().get_many(keys)

    def query_page(self, pk, sk_prefix=None, index=None, limit=None, cursor=None, descending=False):
        self.reads.append("query")
        return super().query_page(pk, sk_prefix, index, limit, cursor, descending)


def test_the_leadership_report_is_one_query_however_many_activities(clock):
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle_id = f.launched_cycle(table, clock).cycle_id
    owners = ("E3", "E4", "E5", "E6")
    needs = {o: [n.need_id for n in named_needs(UnitOfWork(table), clock, cycle_id, o, "ABC")] for o in owners}
    for n in range(30):
        owner = owners[n % 4]
        svc.create_activity(
            UnitOfWork(table), who(UnitOfWork(table), owner), course(title=f"C{n}", need_id=needs[owner][n % 3]), clock
        )
    principal = who(UnitOfWork(table), "E1")
    table.reads.clear()
    report = asdict(svc.leadership_report(UnitOfWork(table), principal, "2026"))
    assert table.reads == ["query"]
    assert report["rows"]["Engineering"]["*"] is None  # 3 people: under 5


def test_logging_an_activity_with_a_need_is_one_transaction_of_a_dozen_items(uow, clock):
    need = need_id(uow, clock)
    before = uow.table.transactions
    svc.create_activity(uow, who(uow, "E4"), course(need_id=need), clock)
    assert uow.table.transactions == before + 1
    kinds = [
        i.get("type")
        for i in uow.table.all_items()
        if i.get("type", "").startswith("learning") or i["pk"].startswith("AUDIT#LEARN")
    ]
    assert sorted(set(kinds)) == ["audit", "learning_activity", "learning_marker", "learning_stats"]
    # activity, audit, 2 counters; markers: people and need (and the person's count of needs, behind the
    # report's suppression of "needs addressed") per type and for all, in the department and overall
    assert len(kinds) <= 16


@pytest.mark.parametrize(
    "zone, scheduled_for, held",
    [
        ("America/New_York", "2026-03-02T02:30:00Z", "2026-03-01"),  # 21:30 on 1 March in New York
        ("Pacific/Auckland", "2026-03-01T12:30:00Z", "2026-03-02"),  # 01:30 on 2 March in Auckland
        ("America/New_York", "2026-03-01T23:30", "2026-03-01"),  # a wall-clock time as typed: its own day
    ],
)
def test_an_interview_scheduled_at_an_instant_was_held_on_the_organisations_day(uow, zone, scheduled_for, held):
    clock = FixedClock(datetime(2026, 3, 3, 9, tzinfo=ZoneInfo(zone)))
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(), clock))
    on = interviews.act(uow, who(uow, "E4"), made["contact_id"], "schedule", made["version"], clock, scheduled_for)
    done = interviews.complete(uow, who(uow, "E4"), made["contact_id"], {"learnt": "Ask."}, on.version, clock)
    assert done.completed_on == held
    assert [a.date for a in svc.learning_log(UnitOfWork(uow.table), who(uow, "E4"))] == [held]


def test_an_interview_scheduled_in_words_asks_for_the_day_it_was_held(uow, clock):
    made = asdict(interviews.add_contact(uow, who(uow, "E4"), contact(), clock))
    on = interviews.act(uow, who(uow, "E4"), made["contact_id"], "schedule", made["version"], clock, "next Tuesday")
    with pytest.raises(ValidationFailed) as caught:
        interviews.complete(uow, who(uow, "E4"), made["contact_id"], {"learnt": "Ask."}, on.version, clock)
    assert caught.value.errors == {"completed_on": ["required"]}
    assert items(uow, "learning_activity") == []
