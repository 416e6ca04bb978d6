"""The one place that builds DynamoDB key strings.

Table design (see docs/ARCHITECTURE.md): partition key `pk`, sort key `sk`;
GSI `gsi1` (`gsi1pk`, `gsi1sk`) and GSI `gsi2` (`gsi2pk`, `gsi2sk`).
"""

from __future__ import annotations

ORG = "ORG"


def _esc(value: str) -> str:
    # '#' separates key parts; a value containing it must not forge another key.
    return value.replace("#", "%23")


def _listed_in(index: tuple[str, ...], sort: str) -> dict[str, str]:
    # An item's attributes on an index, its partition the one the index's query reads (written once, in that query).
    name, partition = index[:2]
    return {f"{name}pk": partition, f"{name}sk": sort}


def employee(employee_id: str) -> dict[str, str]:
    """Primary key of an employee profile (all employees share the ORG partition)."""
    return {"pk": ORG, "sk": f"EMP#{_esc(employee_id)}"}


def employee_prefix() -> tuple[str, str]:
    """Partition and sort-key prefix that list every employee."""
    return ORG, "EMP#"


def reports_index(manager_id: str) -> tuple[str, str]:
    """gsi1 partition listing a manager's direct reports."""
    return "gsi1", f"MGR#{_esc(manager_id)}"


def employee_gsi1(manager_id: str | None, employee_id: str) -> dict[str, str]:
    """gsi1 attributes of an employee: reports by manager (roots sit under MGR#-)."""
    return {"gsi1pk": f"MGR#{_esc(manager_id) if manager_id else '-'}", "gsi1sk": f"EMP#{_esc(employee_id)}"}


def department_index(department: str) -> tuple[str, str]:
    """gsi2 partition listing a department's people."""
    return "gsi2", f"DEPT#{_esc(department.casefold())}"


def employee_gsi2(department: str, name: str, employee_id: str) -> dict[str, str]:
    """gsi2 attributes of an employee: people by department, ordered by name."""
    return {
        "gsi2pk": f"DEPT#{_esc(department.casefold())}",
        "gsi2sk": f"NAME#{name.casefold()}#{_esc(employee_id)}",
    }


def employee_email(address: str) -> dict[str, str]:
    """Whose an address is (issue 24: the bouncing list and the digests find people by address, by key)."""
    return {"pk": "EMAILS", "sk": f"TO#{_esc(address.strip().casefold())}"}


def employee_emails_complete() -> dict[str, str]:
    """The mark that every person's address is in `employee_email` (written by the import that filled it)."""
    return {"pk": "EMAILS", "sk": "COMPLETE"}


def manager_change(employee_id: str) -> dict[str, str]:
    """A person whose manager an import changed while their open reviews may not have followed yet (issue 24)."""
    return {"pk": "MANAGERCHANGES", "sk": f"EMP#{_esc(employee_id)}"}


def manager_changes() -> tuple[str, str]:
    """Partition and prefix of the manager changes whose reviews have not followed yet (few: the last import's)."""
    return "MANAGERCHANGES", "EMP#"


def org_import(timestamp: str, import_id: str) -> dict[str, str]:
    """An organisation import record (append-only history of imports)."""
    return {"pk": "IMPORT", "sk": f"AT#{timestamp}#{import_id}"}


def import_prefix() -> tuple[str, str]:
    """Partition and prefix of import records, oldest first."""
    return "IMPORT", "AT#"


def template(template_id: str) -> dict[str, str]:
    """The current version of a review template."""
    return {"pk": f"TEMPLATE#{_esc(template_id)}", "sk": "CURRENT"}


def template_version(template_id: str, version: int) -> dict[str, str]:
    """An immutable saved version of a template."""
    return {"pk": f"TEMPLATE#{_esc(template_id)}", "sk": f"V#{version:06d}"}


def template_list_gsi1(name: str, template_id: str) -> dict[str, str]:
    """gsi1 attributes that list templates by name."""
    return {"gsi1pk": "TEMPLATES", "gsi1sk": f"{name.casefold()}#{_esc(template_id)}"}


def cycle(cycle_id: str) -> dict[str, str]:
    """A review cycle."""
    return {"pk": f"CYCLE#{_esc(cycle_id)}", "sk": "CYCLE"}


def cycle_participants(cycle_id: str, chunk: int) -> dict[str, str]:
    """One chunk of a launched cycle's participant ids (issue 24: the cycle item holds only their count)."""
    return {"pk": f"CYCLE#{_esc(cycle_id)}", "sk": f"PART#{chunk:05d}"}


def cycle_stats(cycle_id: str) -> dict[str, str]:
    """Counters of a cycle's reviews per state and department (kept up to date on write)."""
    return {"pk": f"CYCLE#{_esc(cycle_id)}", "sk": "STATS"}


def cycle_list_gsi1(created_at: str, cycle_id: str) -> dict[str, str]:
    """gsi1 attributes that list cycles, newest last."""
    return {"gsi1pk": "CYCLES", "gsi1sk": f"{created_at}#{_esc(cycle_id)}"}


def review(cycle_id: str, employee_id: str) -> dict[str, str]:
    """One person's review in a cycle (a cycle's reviews share its partition)."""
    return {"pk": f"CYCLE#{_esc(cycle_id)}", "sk": f"REVIEW#{_esc(employee_id)}"}


def review_gsi(employee_id: str, period_start: str, cycle_id: str) -> dict[str, str]:
    """gsi1: a person's history across cycles (reviews and actions in one partition)."""
    return {"gsi1pk": f"PERSON#{_esc(employee_id)}", "gsi1sk": f"REVIEW#{period_start}#{_esc(cycle_id)}"}


def review_state_gsi(cycle_id: str, state: str, employee_name: str, employee_id: str) -> dict[str, str]:
    """gsi2: a cycle's reviews in one state, by name (HR's to-finalise and overdue pages, a page at a time)."""
    return {
        "gsi2pk": f"REVSTATE#{_esc(cycle_id)}#{state}",
        "gsi2sk": f"{employee_name.casefold()}#{_esc(employee_id)}",
    }


def reviews_in_state(cycle_id: str, state: str) -> tuple[str, str]:
    """gsi2 partition of a cycle's reviews in one state."""
    return "gsi2", f"REVSTATE#{_esc(cycle_id)}#{state}"


def review_disagreed_gsi(cycle_id: str, employee_name: str, employee_id: str) -> dict[str, str]:
    """gsi3 (sparse): a review whose employee did not agree, listed for HR by name while it says so."""
    return _listed_in(disagreed_reviews(cycle_id), f"{employee_name.casefold()}#{_esc(employee_id)}")


def disagreed_reviews(cycle_id: str) -> tuple[str, str]:
    """gsi3 partition of a cycle's reviews whose employee did not agree."""
    return "gsi3", f"DISAGREED#{_esc(cycle_id)}"


def person_history(employee_id: str) -> tuple[str, str]:
    """gsi1 partition holding a person's reviews and actions (history in one query)."""
    return "gsi1", f"PERSON#{_esc(employee_id)}"


def action(action_id: str) -> dict[str, str]:
    """A tracked action (remediation of an obstacle, or agreed in a discussion)."""
    return {"pk": f"ACTION#{_esc(action_id)}", "sk": "ACTION"}


def action_gsi(subject_id: str, created_at: str, action_id: str, owner_id: str, status: str, due: str) -> dict:
    """gsi1: with the subject's history; gsi2: the owner's list, open first then by due date."""
    rank = "0" if status in ("open", "in_progress") else "1"
    return {
        "gsi1pk": f"PERSON#{_esc(subject_id)}",
        "gsi1sk": f"ACTION#{created_at}#{_esc(action_id)}",
        "gsi2pk": f"OWNER#{_esc(owner_id)}",
        "gsi2sk": f"{rank}#{due or '9999-12-31'}#{_esc(action_id)}",
    }


def action_index(subject_id: str) -> dict[str, str]:
    """The ids of the actions about a person, each with its cycle (`a#<id>`: cycle), added by each action's create in
    its transaction; `complete` once the launch of a cycle listed the actions stored before it (then the list is
    the whole truth and the review reads the carried actions by key, not by a Query)."""
    return {"pk": f"ACTIONS#{_esc(subject_id)}", "sk": "INDEX"}


def owner_actions(owner_id: str) -> tuple[str, str]:
    """gsi2 partition of the actions someone owns."""
    return "gsi2", f"OWNER#{_esc(owner_id)}"


def audit(entity: str, version: int) -> dict[str, str]:
    """One audit record of an entity ('REVIEW#c#e', 'CYCLE#c', 'TEMPLATE#t', ...)."""
    return {"pk": f"AUDIT#{entity}", "sk": f"V#{version:08d}"}


def audit_gsi1(cycle_id: str, at: str, entity: str, version: int) -> dict[str, str]:
    """gsi1 attributes listing a cycle's audit records in time order."""
    return {"gsi1pk": f"AUDITCYCLE#{_esc(cycle_id)}", "gsi1sk": f"{at}#{entity}#{version:08d}"}


def reminder_day(employee_id: str, day: str, rehearsal_of: str | None = None) -> dict[str, str]:
    """Marks that a person got their reminder on a day (at most one a day); a rehearsal cycle's, which goes to HR,
    is marked apart so that it never takes the place of the person's real one."""
    sk = f"DAY#{day}" + (f"#REHEARSAL#{_esc(rehearsal_of)}" if rehearsal_of else "")
    return {"pk": f"REMINDER#{_esc(employee_id)}", "sk": sk}


def escalation(cycle_id: str, employee_id: str, task: str) -> dict[str, str]:
    """Marks that a manager was told of an overdue task (once per task)."""
    return {"pk": f"REMINDER#{_esc(employee_id)}", "sk": f"ESCALATED#{_esc(cycle_id)}#{task}"}


DIGEST_SHARDS = 8  # partitions the day's digest notices are spread over (a launch can queue thousands at once)


def digest_notice(address: str, at: str, notice_id: str) -> dict[str, str]:
    """A message waiting for its recipient's daily digest, in one of the digest partitions (by its address)."""
    shard = sum(address.lower().encode()) % DIGEST_SHARDS
    return {"pk": digest_partition(shard), "sk": f"{_esc(address.lower())}#{at}#{notice_id}"}


def digest_partition(shard: int) -> str:
    """One of the partitions holding the messages that wait for a digest."""
    return f"DIGEST#{shard}"


def personal_data_downloads(employee_id: str) -> dict[str, str]:
    """How often a person downloaded their own data (each download audited as entity `PDATA#<id>`)."""
    return {"pk": f"PDATA#{_esc(employee_id)}", "sk": "DOWNLOADS"}


def notify_preference(employee_id: str) -> dict[str, str]:
    """A person's notification preference (issue 28: channel and timing; audited)."""
    return {"pk": f"NOTIFYPREF#{_esc(employee_id)}", "sk": "PREF"}


def notify_preference_gsi(address: str) -> dict[str, str]:
    """Finds a person's preference by the address a message is sent to (the mailer knows only that)."""
    return {"gsi1pk": f"NOTIFYTO#{_esc(address.lower())}", "gsi1sk": "PREF"}


def notify_workspace(channel: str) -> dict[str, str]:
    """A chat channel HR connected: how, when, by whom (the secret is in Secrets Manager, never here)."""
    return {"pk": "NOTIFYWORKSPACE", "sk": f"CHANNEL#{channel}"}


def entity_review(cycle_id: str, employee_id: str) -> str:
    """Audit entity name of a review."""
    return f"REVIEW#{_esc(cycle_id)}#{_esc(employee_id)}"


def entity_cycle(cycle_id: str) -> str:
    """Audit entity name of a cycle."""
    return f"CYCLE#{_esc(cycle_id)}"


def entity_template(template_id: str) -> str:
    """Audit entity name of a template."""
    return f"TEMPLATE#{_esc(template_id)}"


def entity_action(action_id: str) -> str:
    """Audit entity name of an action."""
    return f"ACTION#{_esc(action_id)}"


def goal(goal_id: str) -> dict[str, str]:
    """A goal."""
    return {"pk": f"GOAL#{_esc(goal_id)}", "sk": "GOAL"}


def _cycle_part(cycle_id: str | None) -> str:
    return _esc(cycle_id) if cycle_id else "-"


def goal_gsi(
    goal_id: str, level: str, owner_id: str, cycle_id: str | None, parent_id: str | None, at_risk: bool
) -> dict[str, str]:
    """gsi1: organisation goals / children of a goal / orphans; gsi2: an owner's goals; gsi3: at risk."""
    cyc = _cycle_part(cycle_id)
    attrs: dict[str, str] = {"gsi2pk": f"GOALS#{_esc(owner_id)}", "gsi2sk": f"{cyc}#{_esc(goal_id)}"}
    if level == "organisation":
        attrs.update(gsi1pk="ORGGOALS", gsi1sk=f"{cyc}#{_esc(goal_id)}")
    elif parent_id:
        attrs.update(gsi1pk=f"CHILDREN#{_esc(parent_id)}", gsi1sk=f"{cyc}#{_esc(goal_id)}")
    else:
        attrs.update(gsi1pk=f"ORPHANS#{cyc}", gsi1sk=f"{level}#{_esc(goal_id)}")
    if at_risk:
        attrs.update(gsi3pk=f"ATRISK#{cyc}", gsi3sk=_esc(goal_id))
    return attrs


def org_goals(cycle_id: str | None) -> tuple[str, str, str]:
    """gsi1 partition and prefix of organisation goals of a cycle ('-' for those standing across cycles)."""
    return "gsi1", "ORGGOALS", f"{_cycle_part(cycle_id)}#"


def goal_children(goal_id: str) -> tuple[str, str]:
    """gsi1 partition of the goals aligned to a goal."""
    return "gsi1", f"CHILDREN#{_esc(goal_id)}"


def orphan_goals(cycle_id: str) -> tuple[str, str]:
    """gsi1 partition of a cycle's goals aligned to nothing."""
    return "gsi1", f"ORPHANS#{_cycle_part(cycle_id)}"


def at_risk_goals(cycle_id: str) -> tuple[str, str]:
    """gsi3 partition of a cycle's goals at risk or off track."""
    return "gsi3", f"ATRISK#{_cycle_part(cycle_id)}"


def owner_goals(owner_id: str, cycle_id: str | None) -> tuple[str, str, str]:
    """gsi2 partition and prefix of someone's goals in a cycle."""
    return "gsi2", f"GOALS#{_esc(owner_id)}", f"{_cycle_part(cycle_id)}#"


def goal_rollup(goal_id: str, cycle_id: str | None) -> dict[str, str]:
    """Rolled-up figures of the goals aligned (directly or not) to a goal, for one cycle."""
    return {"pk": f"GOAL#{_esc(goal_id)}", "sk": f"ROLLUP#{_cycle_part(cycle_id)}"}


def goal_person(root_id: str, cycle_id: str | None, owner_id: str) -> dict[str, str]:
    """How many goals one person has under an organisation goal in a cycle (people contributing)."""
    return {"pk": f"GOAL#{_esc(root_id)}", "sk": f"PERSON#{_cycle_part(cycle_id)}#{_esc(owner_id)}"}


def goal_stats(cycle_id: str, department: str) -> dict[str, str]:
    """Per-department counts of individual goals and of those aligned to an organisation goal."""
    return {"pk": f"GOALSTATS#{_cycle_part(cycle_id)}", "sk": f"DEPT#{department.replace('#', ' ')}"}


def goal_owner_total(cycle_id: str, owner_id: str | None = None) -> dict[str, str]:
    """The sum of an owner's individual goal weights in a cycle (dropped ones aside) and how many they are, moved by
    each goal's save in its transaction. Without an owner: the cycle's mark that every goal of it was counted (written
    when the cycle is created, before any goal of it can exist)."""
    sk = "OWNERS" if owner_id is None else f"OWNER#{_esc(owner_id)}"
    return {"pk": f"GOALSTATS#{_cycle_part(cycle_id)}", "sk": sk}


def check_in_due(cycle_id: str, day: str, goal_id: str) -> dict[str, str]:
    """A goal of a cycle due a check-in on `day` (ISO) by its rhythm, for the daily reminders (issue 24)."""
    return {"pk": check_ins_due(cycle_id), "sk": f"{day}#{_esc(goal_id)}"}


def check_ins_due(cycle_id: str) -> str:
    """The partition of a cycle's goals with a check-in due, by day, earliest first."""
    return f"CHECKINS#{_cycle_part(cycle_id)}"


def goal_totals(cycle_id: str) -> dict[str, str]:
    """Counts of a cycle's orphan and at-risk goals."""
    return {"pk": f"GOALSTATS#{_cycle_part(cycle_id)}", "sk": "TOTALS"}


def goal_behind_gsi(cycle_id: str, day: str, goal_id: str) -> dict[str, str]:
    """gsi3 attributes of a goal's roll-up: the day its pace falls behind, to list a cycle's goals behind by day."""
    return _listed_in(behind_goals(cycle_id), f"{day}#{_esc(goal_id)}")


def behind_goals(cycle_id: str) -> tuple[str, str]:
    """gsi3 partition of a cycle's goals by the day they fall behind, earliest first."""
    return "gsi3", f"BEHIND#{_cycle_part(cycle_id)}"


def goal_behind_count(cycle_id: str, node: int) -> dict[str, str]:
    """One counter of a cycle's goals behind by day (a node of goal_store's tree over the cycle's days)."""
    return {"pk": f"GOALSTATS#{_cycle_part(cycle_id)}", "sk": f"BEHIND#{node:05d}"}


def entity_goal(goal_id: str) -> str:
    """Audit entity name of a goal."""
    return f"GOAL#{_esc(goal_id)}"


# --- calibration (issue 23) -----------------------------------------------------------------------


def calibration_session(session_id: str) -> dict[str, str]:
    """A calibration session."""
    return {"pk": f"CALSESSION#{_esc(session_id)}", "sk": "SESSION"}


def calibration_session_gsi1(cycle_id: str, created_at: str, session_id: str) -> dict[str, str]:
    """gsi1 attributes that list a cycle's calibration sessions, oldest first."""
    return _listed_in(calibration_sessions_index(cycle_id), f"{created_at}#{_esc(session_id)}")


def calibration_sessions_index(cycle_id: str) -> tuple[str, str]:
    """gsi1 partition of a cycle's calibration sessions."""
    return "gsi1", f"CALSESSIONS#{_esc(cycle_id)}"


def calibration_member(cycle_id: str, employee_id: str) -> dict[str, str]:
    """A person's claim on one open calibration session of a cycle (created only if absent: at most one)."""
    return {"pk": f"CALCYCLE#{_esc(cycle_id)}", "sk": f"MEMBER#{_esc(employee_id)}"}


def calibration_adjustment(session_id: str, employee_id: str) -> dict[str, str]:
    """One person's calibration in a session (original beside calibrated)."""
    return {"pk": f"CALSESSION#{_esc(session_id)}", "sk": f"PERSON#{_esc(employee_id)}"}


def calibration_adjustments(session_id: str) -> tuple[str, str]:
    """Partition and prefix of a session's adjustments."""
    return f"CALSESSION#{_esc(session_id)}", "PERSON#"


def entity_calibration_session(session_id: str) -> str:
    """Audit entity name of a calibration session."""
    return f"CALSESSION#{_esc(session_id)}"


def entity_calibration_adjustment(session_id: str, employee_id: str) -> str:
    """Audit entity name of one person's calibration."""
    return f"CALADJ#{_esc(session_id)}#{_esc(employee_id)}"


# Kinds of item by the shape of their key, for error fields and messages (never shown as keys).
_KINDS: tuple[tuple[str, str, str], ...] = (
    ("ORG", "EMP#", "employee"),
    ("IMPORT", "AT#", "org_import"),
    ("TEMPLATE#", "CURRENT", "template"),
    ("TEMPLATE#", "V#", "template_version"),
    ("CYCLE#", "CYCLE", "cycle"),
    ("CYCLE#", "STATS", "cycle_stats"),
    ("CYCLE#", "PART#", "cycle_participants"),
    ("CYCLE#", "REVIEW#", "review"),
    ("ACTION#", "ACTION", "action"),
    ("ACTIONS#", "INDEX", "action_index"),
    ("AUDIT#", "V#", "audit"),
    ("REMINDER#", "", "reminder_log"),
    ("NOTIFYPREF#", "PREF", "notification_preference"),
    ("NOTIFYWORKSPACE", "CHANNEL#", "notification_workspace"),
    ("GOAL#", "GOAL", "goal"),
    ("GOAL#", "ROLLUP#", "goal_rollup"),
    ("GOAL#", "PERSON#", "goal_person"),
    ("GOALSTATS#", "OWNER#", "goal_owner_total"),
    ("GOALSTATS#", "", "goal_stats"),
    ("NEED#", "NEED", "training_need"),
    ("TRAINAGG#", "PERSON#", "training_contribution"),
    ("TRAINAGG#", "G#", "training_aggregate"),
    ("TOPICS", "T#", "training_topic"),
    ("TRAINMAIL#", "TO#", "training_report_delivery"),
    ("TRAINSCHED", "", "training_report_schedule"),
    ("LEARN#", "ACT#", "learning_activity"),
    ("PLAN#", "CONTACT#", "interview_contact"),
    ("PLAN#", "QUESTIONS", "question_bank"),
    ("LEARNSTATS#", "", "learning_stats"),
    ("LEARNPERSON#", "", "learning_marker"),
    ("LPLAN#", "ITEM#", "learning_plan_item"),
    ("LPLANDUE", "", "learning_plan_due"),
    ("FBCYCLE#", "SETTINGS", "feedback_settings"),
    ("FBCYCLE#", "WAITING", "feedback_counting"),
    ("FBREQ#", "REQ#", "feedback_request"),
    ("FBREQ#", "WAITING", "feedback_waiting"),
    ("FBDRAFT#", "", "feedback_draft"),
    ("FBGROUP#", "CLOSED", "feedback_close"),
    ("FBGROUP#", "TALLY", "feedback_tally"),
    ("FBGROUP#", "", "feedback_answer"),
    ("FBUPWARD#", "", "upward_summary"),
    ("NOTE#", "NOTE", "feedback_note"),
    ("MAILBOUNCE", "TO#", "bouncing_address"),
    ("EXPORT#", "EXPORT", "export_job"),
    ("EXPORT#", "PROGRESS", "export_progress"),
    ("EXPORT#", "PLAN", "export_plan"),
    ("EXPORT#", "RETRY", "export_retry"),
    ("EXPORT#", "ALIVE", "export_alive"),
    ("EXPORTCHUNK#", "CHUNK#", "export_chunk"),
    ("EXPORTKEY#", "KEY", "export_request"),
    ("EXPORTSLOT#", "SLOT#", "export_slot"),
    ("SIGNIN#", "WINDOW#", "signin_failures"),
    ("DECISION#", "DECISION", "decision"),
    ("DECIDED#", "D#", "decision_mark"),
    ("DECISIONSTATS", "DEPT#", "decision_counts"),
    ("PROCFB#", "A#", "process_answer"),
    ("PROCFB#", "GIVEN#", "process_feedback_given"),
    ("CALSESSION#", "SESSION", "calibration_session"),
    ("CALSESSION#", "PERSON#", "calibration_adjustment"),
    ("CALCYCLE#", "MEMBER#", "calibration_member"),
    ("O2O#", "PAIR", "one_to_one_pair"),
    ("O2O#", "MEET#", "one_to_one_meeting"),
    ("O2O#", "PRIVATE#", "one_to_one_private_note"),
    ("DELEGATION#", "DELEGATION", "delegation"),
    ("ACTINGFOR#", "INDEX", "acting_index"),
    ("CONTRIB#", "CONTRIB", "contribution"),
    ("SCHEDULES", "RULE#", "schedule_rule"),
    ("SCHEDULES", "THROUGH#", "schedule_cursor"),
    ("ORGPLAN#", "ITEM", "plan_item"),
)


def kind_of(key: dict[str, str]) -> str:
    """What kind of item a key addresses ("review", "goal_rollup", ...), or "item"."""
    for pk_prefix, sk_prefix, kind in _KINDS:
        if key["pk"].startswith(pk_prefix) and key["sk"].startswith(sk_prefix):
            return kind
    return "item"


def cycle_audit_index(cycle_id: str) -> tuple[str, str]:
    """gsi1 partition listing a cycle's audit records in time order."""
    return "gsi1", f"AUDITCYCLE#{_esc(cycle_id)}"


def action_is_about(entity: str, employee_id: str) -> bool:
    """Whether an audit entity name is an action about this person (action ids: cycle.person.kind.n)."""
    return entity.startswith("ACTION#") and f".{_esc(employee_id)}." in entity


# --- training needs (issue 10) -------------------------------------------------------------------


def training_need(need_id: str) -> dict[str, str]:
    """One training need named in an assessment."""
    return {"pk": f"NEED#{_esc(need_id)}", "sk": "NEED"}


def training_need_gsi(employee_id: str, cycle_id: str, need_id: str) -> dict[str, str]:
    """gsi1: a person's needs, by cycle."""
    return {"gsi1pk": f"TNEEDS#{_esc(employee_id)}", "gsi1sk": f"{_esc(cycle_id)}#{_esc(need_id)}"}


def person_needs(employee_id: str, cycle_id: str | None) -> tuple[str, str, str | None]:
    """gsi1 partition and prefix of a person's needs (in one cycle, or all)."""
    return "gsi1", f"TNEEDS#{_esc(employee_id)}", f"{_esc(cycle_id)}#" if cycle_id else None


def training_contribution(cycle_id: str, employee_id: str) -> dict[str, str]:
    """What one person adds to a cycle's training aggregates (the base of the next change)."""
    return {"pk": f"TRAINAGG#{_esc(cycle_id)}", "sk": f"PERSON#{_esc(employee_id)}"}


def training_aggregate(cycle_id: str, group: str) -> dict[str, str]:
    """A cycle's training figures of one group: "ORG", "DEPT|<department>" or "MGR|<manager>"."""
    return {"pk": f"TRAINAGG#{_esc(cycle_id)}", "sk": f"G#{_esc(group)}"}


def training_aggregates(cycle_id: str, kind: str) -> tuple[str, str]:
    """Partition and prefix of a cycle's aggregates of one kind ("DEPT|", "MGR|", "ORG")."""
    return f"TRAINAGG#{_esc(cycle_id)}", f"G#{kind}"


def training_topic(topic_id: str) -> dict[str, str]:
    """A topic of the HR-managed catalogue."""
    return {"pk": "TOPICS", "sk": f"T#{_esc(topic_id)}"}


def training_topics() -> tuple[str, str]:
    """Partition and prefix of the catalogue."""
    return "TOPICS", "T#"


def training_delivery(tick: str, recipient: str) -> dict[str, str]:
    """The claim of one report email: one per recipient per schedule tick, however often the job runs."""
    return {"pk": f"TRAINMAIL#{_esc(tick)}", "sk": f"TO#{_esc(recipient.casefold())}"}


def training_schedule() -> dict[str, str]:
    """HR's schedule of the training report email."""
    return {"pk": "TRAINSCHED", "sk": "SETTING"}


def entity_need(need_id: str) -> str:
    """Audit entity name of a training need."""
    return f"NEED#{_esc(need_id)}"


def entity_topic(topic_id: str) -> str:
    """Audit entity name of a catalogue topic."""
    return f"TOPIC#{_esc(topic_id)}"


# --- continuous learning (issue 14) ----------------------------------------------------------------


def learning_activity(owner_id: str, activity_id: str) -> dict[str, str]:
    """One learning activity (a person's log is one partition)."""
    return {"pk": f"LEARN#{_esc(owner_id)}", "sk": f"ACT#{_esc(activity_id)}"}


def learning_log(owner_id: str) -> tuple[str, str]:
    """Partition and prefix of a person's learning log."""
    return f"LEARN#{_esc(owner_id)}", "ACT#"


def entity_activity(owner_id: str, activity_id: str) -> str:
    """Audit entity name of a learning activity."""
    return f"LEARN#{_esc(owner_id)}#{_esc(activity_id)}"


def interview_contact(owner_id: str, contact_id: str) -> dict[str, str]:
    """A contact of someone's informational-interview planner, with the interview (private to the owner)."""
    return {"pk": f"PLAN#{_esc(owner_id)}", "sk": f"CONTACT#{_esc(contact_id)}"}


def planner_contacts(owner_id: str) -> tuple[str, str]:
    """Partition and prefix of someone's planner contacts."""
    return f"PLAN#{_esc(owner_id)}", "CONTACT#"


def question_bank(owner_id: str) -> dict[str, str]:
    """Someone's own question bank for informational interviews."""
    return {"pk": f"PLAN#{_esc(owner_id)}", "sk": "QUESTIONS"}


def learning_plan_item(owner_id: str, item_id: str) -> dict[str, str]:
    """One item of someone's learning plan (issue 27; a person's plan is one partition)."""
    return {"pk": f"LPLAN#{_esc(owner_id)}", "sk": f"ITEM#{_esc(item_id)}"}


def learning_plan(owner_id: str) -> tuple[str, str]:
    """Partition and prefix of someone's learning plan."""
    return f"LPLAN#{_esc(owner_id)}", "ITEM#"


def entity_learning_plan_item(owner_id: str, item_id: str) -> str:
    """Audit entity name of a learning-plan item."""
    return f"LPLAN#{_esc(owner_id)}#{_esc(item_id)}"


def plan_due(owner_id: str, item_id: str) -> dict[str, str]:
    """The open plan item's line in the one partition the daily reminder reads (owner, item, title, date)."""
    return {"pk": PLAN_DUE, "sk": f"{_esc(owner_id)}#{_esc(item_id)}"}


PLAN_DUE = "LPLANDUE"


def learning_stats(year: str, department: str | None) -> dict[str, str]:
    """Counters of a year's learning per department (None: the whole organisation)."""
    sk = "TOTAL" if department is None else f"DEPT#{department.replace('#', ' ')}"
    return {"pk": f"LEARNSTATS#{year}", "sk": sk}


def learning_stats_year(year: str) -> str:
    """Partition of a year's learning counters."""
    return f"LEARNSTATS#{year}"


def learning_marker(owner_id: str, year: str, department: str | None, what: str) -> dict[str, str]:
    """How many activities one person has in a group (department or everyone, type or all, a need):
    the group's count of people changes when this goes from 0 to 1 or back."""
    dept = "*" if department is None else _esc(department)
    return {"pk": f"LEARNPERSON#{_esc(owner_id)}", "sk": f"Y#{year}#D#{dept}#{_esc(what)}"}


# --- feedback (issue 9): requests, drafts, anonymous answers, settings, continuous notes ---------------


def feedback_settings(cycle_id: str) -> dict[str, str]:
    """A cycle's feedback settings (peer min/max, anonymity threshold, upward on/off, nomination deadline)."""
    return {"pk": f"FBCYCLE#{_esc(cycle_id)}", "sk": "SETTINGS"}


def feedback_request(cycle_id: str, subject_id: str, reviewer_id: str) -> dict[str, str]:
    """One request for feedback on `subject_id` addressed to `reviewer_id` (a subject's requests share a partition)."""
    return {"pk": f"FBREQ#{_esc(cycle_id)}#{_esc(subject_id)}", "sk": f"REQ#{_esc(reviewer_id)}"}


def feedback_request_gsi(cycle_id: str, subject_id: str, reviewer_id: str) -> dict[str, str]:
    """gsi1: a reviewer's requests to answer; gsi2: a cycle's requests (HR's response rates and chasing list)."""
    return {
        "gsi1pk": f"FBREVIEWER#{_esc(reviewer_id)}",
        "gsi1sk": f"{_esc(cycle_id)}#{_esc(subject_id)}",
        "gsi2pk": f"FBCYCLE#{_esc(cycle_id)}",
        "gsi2sk": f"{_esc(subject_id)}#{_esc(reviewer_id)}",
    }


def feedback_requests_of(cycle_id: str, subject_id: str) -> tuple[str, str]:
    """Partition and prefix of the requests about one person in a cycle."""
    return f"FBREQ#{_esc(cycle_id)}#{_esc(subject_id)}", "REQ#"


def feedback_waiting(cycle_id: str, subject_id: str | None = None) -> dict[str, str]:
    """How many peer requests about one person wait for approval (nominated), kept by each request's change in its
    transaction: in the requests' partition, outside their `REQ#` prefix. Without a person: the cycle's mark that
    its counts are complete (written at launch; a person without a count then has none waiting)."""
    if subject_id is None:
        return {"pk": f"FBCYCLE#{_esc(cycle_id)}", "sk": "WAITING"}
    return {"pk": f"FBREQ#{_esc(cycle_id)}#{_esc(subject_id)}", "sk": "WAITING"}


def reviewer_requests(reviewer_id: str) -> tuple[str, str]:
    """gsi1 partition of the requests addressed to a reviewer."""
    return "gsi1", f"FBREVIEWER#{_esc(reviewer_id)}"


def cycle_feedback_requests(cycle_id: str) -> tuple[str, str]:
    """gsi2 partition of every feedback request of a cycle."""
    return "gsi2", f"FBCYCLE#{_esc(cycle_id)}"


def feedback_draft(reviewer_id: str, cycle_id: str, subject_id: str) -> dict[str, str]:
    """A reviewer's unsubmitted answer (in the reviewer's partition: only its author reads it)."""
    return {"pk": f"FBDRAFT#{_esc(reviewer_id)}", "sk": f"{_esc(cycle_id)}#{_esc(subject_id)}"}


def feedback_answer(cycle_id: str, subject_id: str, kind: str, answer_id: str) -> dict[str, str]:
    """A submitted answer in its group's partition, under a random id: nothing in it names who gave it."""
    return {"pk": f"FBGROUP#{_esc(cycle_id)}#{_esc(subject_id)}", "sk": f"{kind}#{_esc(answer_id)}"}


def feedback_closed(cycle_id: str, subject_id: str) -> dict[str, str]:
    """The mark that one person's feedback is closed (the manager submitted): in the group's own partition, so the
    one Query that reads the answers reads it too. Answer sorts are `peer#`/`upward#`, never `CLOSED`."""
    return {"pk": feedback_group(cycle_id, subject_id), "sk": "CLOSED"}


def feedback_tally(cycle_id: str, subject_id: str) -> dict[str, str]:
    """How many answers joined one person's feedback (its `version`, one more per answer, no time): the manager's
    submission checks it is unchanged since the score read the group. In the group's partition; sorts after the
    answers' `peer#`/`upward#` and the `CLOSED` mark, and is neither."""
    return {"pk": feedback_group(cycle_id, subject_id), "sk": "TALLY"}


def upward_summary(cycle_id: str, subject_id: str) -> dict[str, str]:
    """The counts of one manager's upward answers in a cycle (answers, and per competency the ratings and their
    sum; no text, no time, no reviewer), in the cycle's partition: the diagnosis reads a cycle's in one Query."""
    return {"pk": upward_summaries(cycle_id), "sk": _esc(subject_id)}


def upward_summaries(cycle_id: str) -> str:
    """Partition of a cycle's upward summaries (one item per manager with an upward answer)."""
    return f"FBUPWARD#{_esc(cycle_id)}"


def feedback_group(cycle_id: str, subject_id: str) -> str:
    """Partition of the answers (peer and upward groups) about one person in a cycle."""
    return f"FBGROUP#{_esc(cycle_id)}#{_esc(subject_id)}"


def entity_feedback_request(cycle_id: str, subject_id: str, reviewer_id: str) -> str:
    """Audit entity name of a feedback request (its events: nominated, approved, answered, declined)."""
    return f"FBREQ#{_esc(cycle_id)}#{_esc(subject_id)}#{_esc(reviewer_id)}"


def entity_feedback_settings(cycle_id: str) -> str:
    """Audit entity name of a cycle's feedback settings."""
    return f"FBCYCLE#{_esc(cycle_id)}"


def note(note_id: str) -> dict[str, str]:
    """A piece of continuous feedback (praise or a suggestion)."""
    return {"pk": f"NOTE#{_esc(note_id)}", "sk": "NOTE"}


def note_gsi(recipient_id: str, at: str, note_id: str) -> dict[str, str]:
    """gsi1: the notes a person received, oldest first."""
    return _listed_in(notes_for(recipient_id), f"{at}#{_esc(note_id)}")


def notes_for(recipient_id: str) -> tuple[str, str]:
    """gsi1 partition of the notes a person received."""
    return "gsi1", f"NOTES#{_esc(recipient_id)}"


def entity_note(note_id: str) -> str:
    """Audit entity name of a note."""
    return f"NOTE#{_esc(note_id)}"


# --- bulk exports of appraisal summaries (issue 11) ------------------------------------------------


def export_job(export_id: str) -> dict[str, str]:
    """A bulk export job."""
    return {"pk": f"EXPORT#{_esc(export_id)}", "sk": "EXPORT"}


def export_job_gsi1(requested_at: str, export_id: str) -> dict[str, str]:
    """gsi1: every export job, newest last by request time."""
    return {"gsi1pk": "EXPORTS", "gsi1sk": f"{requested_at}#{_esc(export_id)}"}


def export_progress(export_id: str) -> dict[str, str]:
    """An export job's progress (how many made, which failed), written by the worker as it goes."""
    return {"pk": f"EXPORT#{_esc(export_id)}", "sk": "PROGRESS"}


def export_plan(export_id: str) -> dict[str, str]:
    """How an export was cut into chunks (written once, when the fan-out has queued them all)."""
    return {"pk": f"EXPORT#{_esc(export_id)}", "sk": "PLAN"}


def export_retry(export_id: str) -> dict[str, str]:
    """The latest failed attempt of one of an export's chunks (shown while SQS retries it)."""
    return {"pk": f"EXPORT#{_esc(export_id)}", "sk": "RETRY"}


def export_alive(export_id: str) -> dict[str, str]:
    """When a chunk of an export was last made: its progress as time (a job silent too long reads as failed)."""
    return {"pk": f"EXPORT#{_esc(export_id)}", "sk": "ALIVE"}


def export_chunks(export_id: str) -> str:
    """The partition of an export's chunks (apart from the job's, which a page reads whole)."""
    return f"EXPORTCHUNK#{_esc(export_id)}"


def export_chunk(export_id: str, n: int) -> dict[str, str]:
    """One chunk of an export: its reviews, and once made, its ZIP piece's entries (issue 24)."""
    return {"pk": export_chunks(export_id), "sk": f"CHUNK#{n:06d}"}


def exports_index() -> tuple[str, str]:
    """gsi1 partition listing export jobs."""
    return "gsi1", "EXPORTS"


def export_request(requested_by: str, idempotency_key: str) -> dict[str, str]:
    """The export a person's Idempotency-Key created (a repeat of the request answers with it)."""
    return {"pk": f"EXPORTKEY#{_esc(requested_by)}#{_esc(idempotency_key)}", "sk": "KEY"}


def export_slot(requested_by: str, n: int) -> dict[str, str]:
    """One of a person's unfinished-export slots (issue 21's limit): taken with the job, freed when it ends."""
    return {"pk": f"EXPORTSLOT#{_esc(requested_by)}", "sk": f"SLOT#{n}"}


def entity_export(export_id: str) -> str:
    """Audit entity name of an export job."""
    return f"EXPORT#{_esc(export_id)}"


def signin_failures(source: str, window: str) -> dict[str, str]:
    """Failed sign-ins from one source address in one time window (issue 12: rate limit)."""
    return {"pk": f"SIGNIN#{_esc(source)}", "sk": f"WINDOW#{window}"}


MAIL_BOUNCES = "MAILBOUNCE"


def bouncing_address(address: str) -> dict[str, str]:
    """Primary key of an address SES reported as bouncing or complaining (issue 21); case-insensitive."""
    return {"pk": MAIL_BOUNCES, "sk": f"TO#{_esc(address.strip().casefold())}"}


def bouncing_addresses() -> tuple[str, str]:
    """Partition and sort-key prefix listing every bouncing address (few: HR's list)."""
    return MAIL_BOUNCES, "TO#"


def health_probe() -> dict[str, str]:
    """The key /healthz reads to see that the table answers (never written)."""
    return {"pk": "HEALTH", "sk": "PROBE"}


# --- personnel decisions weighed against the record (issue 27) ---------------------------------------


def decision(decision_id: str) -> dict[str, str]:
    """Primary key of a decision (its evidence kept in the item)."""
    return {"pk": f"DECISION#{_esc(decision_id)}", "sk": "DECISION"}


def decision_gsi(recorded_at: str, decision_id: str, recorded_by: str, awaiting: bool) -> dict[str, str]:
    """Index attributes of a decision: all decisions newest first (gsi1), the recorder's (gsi2), and those
    awaiting approval (gsi3, sparse: only while it waits)."""
    attrs = {
        "gsi1pk": "DECISIONS",
        "gsi1sk": f"{recorded_at}#{_esc(decision_id)}",
        "gsi2pk": f"DECIDEDBY#{_esc(recorded_by)}",
        "gsi2sk": f"{recorded_at}#{_esc(decision_id)}",
    }
    if awaiting:
        attrs.update({"gsi3pk": "DECISIONWAIT", "gsi3sk": f"{recorded_at}#{_esc(decision_id)}"})
    return attrs


def decisions_index() -> tuple[str, str]:
    """gsi1 partition of every decision, by time."""
    return "gsi1", "DECISIONS"


def decisions_by(recorded_by: str) -> tuple[str, str]:
    """gsi2 partition of the decisions one person recorded."""
    return "gsi2", f"DECIDEDBY#{_esc(recorded_by)}"


def decisions_awaiting() -> tuple[str, str]:
    """gsi3 partition of the decisions waiting for a second HR person's approval."""
    return "gsi3", "DECISIONWAIT"


def decision_mark(employee_id: str, recorded_at: str, decision_id: str) -> dict[str, str]:
    """A mark that a decision concerns this person (their list of decisions is one Query)."""
    return {"pk": f"DECIDED#{_esc(employee_id)}", "sk": f"D#{recorded_at}#{_esc(decision_id)}"}


def decisions_about(employee_id: str) -> tuple[str, str]:
    """Partition and prefix of the marks of the decisions about a person."""
    return f"DECIDED#{_esc(employee_id)}", "D#"


def decision_counts(department: str) -> dict[str, str]:
    """Counters of people affected by decisions, per kind, in one department (leadership's counts)."""
    return {"pk": "DECISIONSTATS", "sk": f"DEPT#{_esc(department)}"}


def decision_counts_all() -> tuple[str, str]:
    """Partition and prefix of every department's decision counters."""
    return "DECISIONSTATS", "DEPT#"


def entity_decision(decision_id: str) -> str:
    """Audit entity name of a decision."""
    return f"DECISION#{_esc(decision_id)}"


# --- the organisation's improvement plan (issue 27, point 3) -------------------------------------------


def plan_item(item_id: str) -> dict[str, str]:
    """Primary key of an item of the organisation's improvement plan."""
    return {"pk": f"ORGPLAN#{_esc(item_id)}", "sk": "ITEM"}


def plan_item_gsi(created_at: str, item_id: str) -> dict[str, str]:
    """Index attributes of a plan item: the whole plan, by creation time (gsi1)."""
    return _listed_in(plan_index(), f"{created_at}#{_esc(item_id)}")


def plan_index() -> tuple[str, str]:
    """gsi1 partition of every item of the plan."""
    return "gsi1", "ORGPLAN"


def entity_plan_item(item_id: str) -> str:
    """Audit entity name of a plan item."""
    return f"ORGPLAN#{_esc(item_id)}"


# --- feedback on the review process itself (issue 27, point 5) ---------------------------------------


def process_answer(cycle_id: str, answer_id: str) -> dict[str, str]:
    """An anonymous answer about a cycle's process, under a random id (no person, no time)."""
    return {"pk": f"PROCFB#{_esc(cycle_id)}", "sk": f"A#{_esc(answer_id)}"}


def process_answers(cycle_id: str) -> tuple[str, str]:
    """Partition and prefix of a cycle's process answers."""
    return f"PROCFB#{_esc(cycle_id)}", "A#"


def process_given(cycle_id: str, employee_id: str) -> dict[str, str]:
    """The mark that a person answered about a cycle's process (never what)."""
    return {"pk": f"PROCFB#{_esc(cycle_id)}", "sk": f"GIVEN#{_esc(employee_id)}"}


# --- one-to-ones (issue 28, point 1) -------------------------------------------------------------------


def one_to_one_partition(manager_id: str, report_id: str) -> str:
    """Partition of a manager and report's one-to-ones: the pair, its meetings, each side's private notes."""
    return f"O2O#{_esc(manager_id)}#{_esc(report_id)}"


def one_to_one_pair(manager_id: str, report_id: str) -> dict[str, str]:
    """A pair's rhythm and counts."""
    return {"pk": one_to_one_partition(manager_id, report_id), "sk": "PAIR"}


def one_to_one_pairs_gsi(manager_id: str, report_id: str) -> dict[str, str]:
    """gsi1: every pair (the reminders' run and HR's counts)."""
    return _listed_in(one_to_one_pairs(), f"{_esc(manager_id)}#{_esc(report_id)}")


def one_to_one_pairs() -> tuple[str, str]:
    """gsi1 partition of every pair."""
    return "gsi1", "O2OPAIRS"


def one_to_one_meeting(manager_id: str, report_id: str, day: str) -> dict[str, str]:
    """One meeting of a pair, by its date."""
    return {"pk": one_to_one_partition(manager_id, report_id), "sk": f"MEET#{_esc(day)}"}


def one_to_one_meetings(manager_id: str, report_id: str) -> tuple[str, str]:
    """Partition and prefix of a pair's meetings (oldest first)."""
    return one_to_one_partition(manager_id, report_id), "MEET#"


def one_to_one_private(manager_id: str, report_id: str, day: str, author_id: str) -> dict[str, str]:
    """One side's private notes on a meeting (read by its author only)."""
    return {"pk": one_to_one_partition(manager_id, report_id), "sk": f"PRIVATE#{_esc(day)}#{_esc(author_id)}"}


def entity_one_to_one(manager_id: str, report_id: str, part: str) -> str:
    """Audit entity name of a pair (`part` "PAIR"), a meeting (its date) or private notes (`PRIVATE.<date>.<author>`:
    a trail of its own that no route shows the other side)."""
    return f"{one_to_one_partition(manager_id, report_id)}#{_esc(part)}"


# --- acting managers and contribution requests (issue 28, point 3) ----------------------------------------


def delegation(delegation_id: str) -> dict[str, str]:
    """Primary key of a delegation to an acting manager."""
    return {"pk": f"DELEGATION#{_esc(delegation_id)}", "sk": "DELEGATION"}


def delegation_gsi(acting_id: str, manager_id: str, starts: str, delegation_id: str) -> dict[str, str]:
    """Index attributes of a delegation: by its acting manager (gsi1), by its manager (gsi2), all of them (gsi3)."""
    order = f"{starts}#{_esc(delegation_id)}"
    return {
        "gsi1pk": f"ACTING#{_esc(acting_id)}",
        "gsi1sk": order,
        "gsi2pk": f"DELEGATOR#{_esc(manager_id)}",
        "gsi2sk": order,
        "gsi3pk": "DELEGATIONS",
        "gsi3sk": order,
    }


def delegations_to(acting_id: str) -> tuple[str, str]:
    """gsi1 partition of the delegations naming this person acting manager."""
    return "gsi1", f"ACTING#{_esc(acting_id)}"


def delegations_of(manager_id: str) -> tuple[str, str]:
    """gsi2 partition of the delegations of one manager."""
    return "gsi2", f"DELEGATOR#{_esc(manager_id)}"


def delegations_all() -> tuple[str, str]:
    """gsi3 partition of every delegation (HR)."""
    return "gsi3", "DELEGATIONS"


def acting_index(acting_id: str) -> dict[str, str]:
    """The periods one person acts for managers, kept by each delegation's save: read by key, so it rides in a
    request's first batch read."""
    return {"pk": f"ACTINGFOR#{_esc(acting_id)}", "sk": "INDEX"}


def entity_delegation(delegation_id: str) -> str:
    """Audit entity name of a delegation."""
    return f"DELEGATION#{_esc(delegation_id)}"


def contribution(contribution_id: str) -> dict[str, str]:
    """Primary key of a contribution request (and the contribution, once written)."""
    return {"pk": f"CONTRIB#{_esc(contribution_id)}", "sk": "CONTRIB"}


def contribution_gsi(contributor_id: str, cycle_id: str, employee_id: str, at: str, contribution_id: str) -> dict:
    """Index attributes of a contribution: the contributor's requests (gsi1), the review's (gsi2)."""
    return {
        "gsi1pk": f"CONTRIBUTOR#{_esc(contributor_id)}",
        "gsi1sk": f"{at}#{_esc(contribution_id)}",
        "gsi2pk": f"CONTRIBREVIEW#{_esc(cycle_id)}#{_esc(employee_id)}",
        "gsi2sk": f"{at}#{_esc(contribution_id)}",
    }


def contributions_by(contributor_id: str) -> tuple[str, str]:
    """gsi1 partition of the contributions asked of one person."""
    return "gsi1", f"CONTRIBUTOR#{_esc(contributor_id)}"


def contributions_to(cycle_id: str, employee_id: str) -> tuple[str, str]:
    """gsi2 partition of the contributions asked for one review."""
    return "gsi2", f"CONTRIBREVIEW#{_esc(cycle_id)}#{_esc(employee_id)}"


def entity_contribution(contribution_id: str) -> str:
    """Audit entity name of a contribution."""
    return f"CONTRIB#{_esc(contribution_id)}"


# --- scheduled reviews (issue 28, point 4) ------------------------------------------------------------

SCHEDULES = "SCHEDULES"


def schedule_rule(rule_id: str) -> dict[str, str]:
    """Primary key of a review schedule rule (all rules share one small partition with their cursors)."""
    return {"pk": SCHEDULES, "sk": f"RULE#{_esc(rule_id)}"}


def schedule_cursor(rule_id: str) -> dict[str, str]:
    """The last day a daily run evaluated a rule through (the next run starts the day after)."""
    return {"pk": SCHEDULES, "sk": f"THROUGH#{_esc(rule_id)}"}


def schedules_all() -> tuple[str, str]:
    """Partition and prefix of every rule and cursor: a daily run reads them in one Query."""
    return SCHEDULES, ""


def entity_schedule_rule(rule_id: str) -> str:
    """Audit entity name of a schedule rule."""
    return f"SCHEDRULE#{_esc(rule_id)}"


# --- leadership's decision counts per period (domain/decisions.py: anonymity over time) ---------------------------


def decision_period_counts(period: str, department: str) -> dict[str, str]:
    """Counters of people affected by decisions, per kind, in one department and one period (a quarter); under
    the prefix of `decision_counts_all`, so one Query reads them beside the counters kept before periods."""
    return {"pk": "DECISIONSTATS", "sk": f"DEPT#{_esc(department)}#PERIOD#{_esc(period)}"}
