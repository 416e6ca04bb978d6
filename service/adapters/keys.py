"""The one place that builds DynamoDB key strings.

Table design (see docs/ARCHITECTURE.md): partition key `pk`, sort key `sk`;
GSI `gsi1` (`gsi1pk`, `gsi1sk`) and GSI `gsi2` (`gsi2pk`, `gsi2sk`).
"""

from __future__ import annotations

ORG = "ORG"


def _esc(value: str) -> str:
    # '#' separates key parts; a value containing it must not forge another key.
    return value.replace("#", "%23")


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


def owner_actions(owner_id: str) -> tuple[str, str]:
    """gsi2 partition of the actions someone owns."""
    return "gsi2", f"OWNER#{_esc(owner_id)}"


def audit(entity: str, version: int) -> dict[str, str]:
    """One audit record of an entity ('REVIEW#c#e', 'CYCLE#c', 'TEMPLATE#t', ...)."""
    return {"pk": f"AUDIT#{entity}", "sk": f"V#{version:08d}"}


def audit_gsi1(cycle_id: str, at: str, entity: str, version: int) -> dict[str, str]:
    """gsi1 attributes listing a cycle's audit records in time order."""
    return {"gsi1pk": f"AUDITCYCLE#{_esc(cycle_id)}", "gsi1sk": f"{at}#{entity}#{version:08d}"}


def reminder_day(employee_id: str, day: str) -> dict[str, str]:
    """Marks that a person got their reminder on a day (at most one a day)."""
    return {"pk": f"REMINDER#{_esc(employee_id)}", "sk": f"DAY#{day}"}


def escalation(cycle_id: str, employee_id: str, task: str) -> dict[str, str]:
    """Marks that a manager was told of an overdue task (once per task)."""
    return {"pk": f"REMINDER#{_esc(employee_id)}", "sk": f"ESCALATED#{_esc(cycle_id)}#{task}"}


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


def goal_totals(cycle_id: str) -> dict[str, str]:
    """Counts of a cycle's orphan and at-risk goals."""
    return {"pk": f"GOALSTATS#{_cycle_part(cycle_id)}", "sk": "TOTALS"}


def entity_goal(goal_id: str) -> str:
    """Audit entity name of a goal."""
    return f"GOAL#{_esc(goal_id)}"


# Kinds of item by the shape of their key, for error fields and messages (never shown as keys).
_KINDS: tuple[tuple[str, str, str], ...] = (
    ("ORG", "EMP#", "employee"),
    ("IMPORT", "AT#", "org_import"),
    ("TEMPLATE#", "CURRENT", "template"),
    ("TEMPLATE#", "V#", "template_version"),
    ("CYCLE#", "CYCLE", "cycle"),
    ("CYCLE#", "STATS", "cycle_stats"),
    ("CYCLE#", "REVIEW#", "review"),
    ("ACTION#", "ACTION", "action"),
    ("AUDIT#", "V#", "audit"),
    ("REMINDER#", "", "reminder_log"),
    ("GOAL#", "GOAL", "goal"),
    ("GOAL#", "ROLLUP#", "goal_rollup"),
    ("GOAL#", "PERSON#", "goal_person"),
    ("GOALSTATS#", "", "goal_stats"),
    ("SIGNIN#", "WINDOW#", "signin_failures"),
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


def signin_failures(source: str, window: str) -> dict[str, str]:
    """Failed sign-ins from one source address in one time window (issue 12: rate limit)."""
    return {"pk": f"SIGNIN#{_esc(source)}", "sk": f"WINDOW#{window}"}
