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
