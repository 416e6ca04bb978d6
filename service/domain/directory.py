"""The organisation directory: employees, roles, and the rules of a CSV import."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from service.domain.errors import ImportRejected
from service.domain.time_zones import zone_error

COLUMNS = ("employee_id", "name", "email", "title", "department", "manager_id", "roles")
REQUIRED = ("employee_id", "name", "email", "department")
# issue 28: the day the person started (YYYY-MM-DD), for scheduled reviews; their IANA time zone (one-to-one times)
OPTIONAL_COLUMNS = ("start_date", "time_zone")
EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[A-Za-z]{2,}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_FIELD = 200
MAX_ROWS = 20_000
# A cell a spreadsheet would run as a formula (CSV injection): refused on import, neutralised on export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = ("name", "email", "title", "department")
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class Role(StrEnum):
    """What a principal may do; `manager` is derived from having direct reports."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    LEADERSHIP = "leadership"


ASSIGNABLE_ROLES = {Role.HR, Role.LEADERSHIP}


@dataclass(frozen=True)
class Employee:
    """A person in the organisation, as the directory knows them."""

    employee_id: str
    name: str
    email: str
    title: str = ""
    department: str = ""
    manager_id: str | None = None
    roles: frozenset[Role] = frozenset({Role.EMPLOYEE})
    active: bool = True
    chain: tuple[str, ...] = ()  # management chain, top first, excluding the person
    start_date: date | None = None  # the optional `start_date` column: probation and anniversary reviews
    time_zone: str | None = None  # the optional `time_zone` column, or the person's own setting (IANA name)
    version: int = 0

    @property
    def is_manager(self) -> bool:
        """True when the person has at least one active direct report."""
        return Role.MANAGER in self.roles

    def same_record(self, other: Employee) -> bool:
        """True when nothing an import controls differs."""
        return _record(self) == _record(other)


def _record(e: Employee) -> tuple:
    return (e.name, e.email, e.title, e.department, e.manager_id, e.roles, e.active, e.chain, e.start_date, e.time_zone)


@dataclass(frozen=True)
class RowError:
    """One problem in an import file, with its 1-based row number (the header is row 1)."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportPlan:
    """What an import would change: new hires, updates (moves, renames), leavers, unchanged."""

    created: list[Employee] = field(default_factory=list)
    updated: list[tuple[Employee, Employee]] = field(default_factory=list)  # (before, after)
    deactivated: list[tuple[Employee, Employee]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        """How many employee records the plan writes."""
        return len(self.created) + len(self.updated) + len(self.deactivated)

    def summary(self) -> dict[str, int]:
        """Counts per kind of change."""
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "deactivated": len(self.deactivated),
            "unchanged": self.unchanged,
        }


def parse_roles(text: str) -> tuple[frozenset[Role], str | None]:
    """Roles from a cell like 'hr; leadership'; returns (roles, error message or None)."""
    roles = {Role.EMPLOYEE}
    for word in re.split(r"[;,|\s]+", text.strip().lower()):
        if not word or word == Role.EMPLOYEE:
            continue
        if word == Role.MANAGER:
            continue  # derived from reports; accepted and ignored so HR exports round-trip
        try:
            role = Role(word)
        except ValueError:
            return frozenset(roles), f"unknown role {word!r} (use hr, leadership)"
        roles.add(role)
    return frozenset(roles), None


def spreadsheet_safe(value: object) -> object:
    """A cell for a CSV export: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def parse_csv(text: str) -> list[Employee]:
    """Parse and validate an organisation CSV as a whole; raise ImportRejected listing every error."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    errors: list[RowError] = []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            "The file is missing required columns.",
            [RowError(1, c, "missing column").as_dict() for c in missing],
        )
    unknown = [h for h in header if h and h not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        errors.extend(RowError(1, h, "unknown column") for h in unknown)
    reader.fieldnames = header
    people: list[tuple[int, Employee]] = []
    row_no = 1
    try:
        for row_no, row in enumerate(reader, start=2):
            if row_no - 1 > MAX_ROWS:
                errors.append(RowError(row_no, "", f"more than {MAX_ROWS} rows"))
                break
            if None in row:
                errors.append(RowError(row_no, "", "more cells than columns"))
                continue
            cells = {k: (v or "").strip() for k, v in row.items()}
            if not any(cells.values()):
                continue  # blank line
            person = _row_to_employee(row_no, cells, errors)
            if person is not None:
                people.append((row_no, person))
    except csv.Error as exc:  # a cell over the csv module's size limit, a NUL byte, a broken quote
        errors.append(RowError(row_no + 1, "", f"not readable as CSV: {exc}"))
    errors.extend(_check_people(people))
    if not people and not errors:
        errors.append(RowError(2, "", "the file has no employees"))
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        raise ImportRejected(
            f"The import was rejected: {len(errors)} problem(s); nothing was changed.",
            [e.as_dict() for e in errors],
        )
    return [p for _, p in people]


def _row_to_employee(row_no: int, cells: dict[str, str], errors: list[RowError]) -> Employee | None:
    before = len(errors)
    for column in REQUIRED:
        if not cells.get(column):
            errors.append(RowError(row_no, column, "required"))
    for column, value in cells.items():
        if len(value) > MAX_FIELD:
            errors.append(RowError(row_no, column, f"longer than {MAX_FIELD} characters"))
        elif CONTROL_RE.search(value):
            errors.append(RowError(row_no, column, "contains a control character or an unpaired surrogate"))
        elif column in TEXT_COLUMNS and value.startswith(FORMULA_PREFIXES):
            errors.append(RowError(row_no, column, "may not start with =, +, -, @ (a spreadsheet would run it)"))
    emp_id = cells.get("employee_id", "")
    if emp_id and not ID_RE.match(emp_id):
        errors.append(RowError(row_no, "employee_id", "use letters, digits, '.', '_' or '-'"))
    email = cells.get("email", "").lower()
    if email and not EMAIL_RE.match(email):
        errors.append(RowError(row_no, "email", f"{cells['email']!r} is not an email address"))
    manager = cells.get("manager_id") or None
    if manager and manager == emp_id:
        errors.append(RowError(row_no, "manager_id", "an employee cannot manage themselves"))
    roles, role_error = parse_roles(cells.get("roles", ""))
    if role_error:
        errors.append(RowError(row_no, "roles", role_error))
    start = _start_date(row_no, cells.get("start_date", ""), errors)
    zone_name = cells.get("time_zone") or None
    if zone_name and (problem := zone_error(zone_name)):
        errors.append(RowError(row_no, "time_zone", problem))
    if len(errors) > before:
        return None
    return Employee(
        employee_id=emp_id,
        name=cells["name"],
        email=email,
        title=cells.get("title", ""),
        department=cells["department"],
        manager_id=manager,
        roles=roles,
        start_date=start,
        time_zone=zone_name,
    )


def _start_date(row_no: int, text: str, errors: list[RowError]) -> date | None:
    """The optional start date of a row (empty: unknown); a malformed or implausible one is a row error."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if DATE_RE.match(text) else None
    except ValueError:
        day = None
    if day is None or day.year < 1900:
        errors.append(RowError(row_no, "start_date", f"{text!r} is not a date (use YYYY-MM-DD, from 1900)"))
    return day


def _check_people(people: list[tuple[int, Employee]]) -> list[RowError]:
    errors: list[RowError] = []
    by_id: dict[str, int] = {}
    by_email: dict[str, int] = {}
    for row_no, p in people:
        if p.employee_id in by_id:
            errors.append(RowError(row_no, "employee_id", f"duplicate of row {by_id[p.employee_id]}"))
        else:
            by_id[p.employee_id] = row_no
        if p.email in by_email:
            errors.append(RowError(row_no, "email", f"duplicate of row {by_email[p.email]}"))
        else:
            by_email[p.email] = row_no
    managers = {p.employee_id: p.manager_id for _, p in people}
    for row_no, p in people:
        if p.manager_id and p.manager_id not in managers:
            errors.append(RowError(row_no, "manager_id", f"unknown manager {p.manager_id!r}"))
    rows = {p.employee_id: r for r, p in people}
    reported: set[str] = set()
    for _, p in people:
        loop = _loop_from(p.employee_id, managers)
        if loop and not reported.intersection(loop):
            reported.update(loop)
            where = " → ".join([*loop, loop[0]])
            first = min(rows[i] for i in loop)
            errors.append(RowError(first, "manager_id", f"management loop: {where}"))
    if people and not any(p.manager_id is None for _, p in people):
        errors.append(RowError(2, "manager_id", "no root: at least one person must have no manager"))
    return errors


def _loop_from(start: str, managers: dict[str, str | None]) -> list[str]:
    """The loop that `start` sits on, in order, or [] (people merely above a loop are not on it)."""
    seen: list[str] = []
    current: str | None = start
    while current is not None and current in managers and current not in seen:
        seen.append(current)
        current = managers[current]
    if current is not None and current in seen and current == start:
        return seen
    return []


def with_hierarchy(people: list[Employee]) -> list[Employee]:
    """Fill in each person's management chain and the derived manager role."""
    managers = {p.employee_id: p.manager_id for p in people}
    has_reports = {p.manager_id for p in people if p.manager_id}
    out = []
    for p in people:
        chain: list[str] = []
        current = p.manager_id
        while current is not None:
            chain.append(current)
            current = managers.get(current)
        roles = set(p.roles)
        roles.discard(Role.MANAGER)
        if p.employee_id in has_reports:
            roles.add(Role.MANAGER)
        out.append(replace(p, chain=tuple(reversed(chain)), roles=frozenset(roles)))
    return out


def plan_import(existing: list[Employee], incoming: list[Employee]) -> ImportPlan:
    """Compare the stored directory with a validated file: hires, moves and leavers."""
    incoming = with_hierarchy(incoming)
    current = {e.employee_id: e for e in existing}
    plan = ImportPlan()
    emails_in_file = {p.email for p in incoming}
    for person in incoming:
        before = current.get(person.employee_id)
        if person.start_date is None and before is not None:
            person = replace(person, start_date=before.start_date)  # an empty cell keeps the date known
        if person.time_zone is None and before is not None:
            person = replace(person, time_zone=before.time_zone)  # an empty cell keeps the zone (or their own)
        if before is None:
            plan.created.append(person)
        elif before.same_record(person):
            plan.unchanged += 1
        else:
            plan.updated.append((before, replace(person, version=before.version)))
    seen = {p.employee_id for p in incoming}
    for e in existing:
        if e.employee_id not in seen and e.active:
            leaver = replace(e, active=False, roles=frozenset({Role.EMPLOYEE}))
            if leaver.email in emails_in_file:
                # A leaver's old address now belongs to someone else; keep the record, drop the clash.
                leaver = replace(leaver, email=f"left+{e.employee_id}@invalid")
            plan.deactivated.append((e, leaver))
    return plan
