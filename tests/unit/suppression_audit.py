"""An attacker's audit of published figures, independent of the code that suppresses them.

Each figure a report can publish is a *cell*: the people behind it (worked out here from the raw data, not
from the report's aggregates), its true value, and whether the report published it. A reader knows the
arithmetic between figures (a total and its parts, a group and one inside it, cumulative steps) as linear
equations. The audit fails when

- a published count concerns 1 to 4 people;
- a cell of 1 to 4 people that is not published is nevertheless determined by the published figures and
  the equations (Gaussian elimination over the rationals: its unit vector lies in the row space of the
  equations restricted to the unknown cells), whatever the number of figures combined;
- in one equation, the unknown cells taken together (what "total minus the parts shown" gives) are a
  group of 1 to 4 people;
- a published figure differs from the raw data (a report bug, or a checker bug: both must be fixed).

Non-negativity is not used (a reader could also narrow values by bounds; only exact recovery is checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

SMALL = range(1, 5)


@dataclass
class Cell:
    members: frozenset[str]
    value: int
    published: bool = False
    shown_as: Any = None  # the value as published (checked against `value`)


@dataclass
class Audit:
    cells: dict[Any, Cell] = field(default_factory=dict)
    equations: list[tuple[Any, tuple[Any, ...]]] = field(default_factory=list)  # total = Σ parts
    wrong: list[str] = field(default_factory=list)

    def cell(self, key: Any, members: set[str] | frozenset[str], value: int | None = None) -> Any:
        """Declare a cell (value: the number of members unless given)."""
        self.cells[key] = Cell(frozenset(members), len(members) if value is None else int(value))
        return key

    def publish(self, key: Any, value: Any) -> None:
        """The report shows `value` for this cell (None: withheld)."""
        if value is None:
            return
        assert key in self.cells, f"the report publishes {key!r}, which the audit does not know"
        c = self.cells[key]
        if value != c.value:  # a wrong figure: a report bug, or the audit's; either way the test fails
            self.wrong.append(f"{key!r} published as {value!r}, but the raw data give {c.value}")
            return
        c.published, c.shown_as = True, value

    def equal(self, total: Any, *parts: Any) -> None:
        """A reader knows total = Σ parts (checked on the true values)."""
        got = sum(self.cells[p].value for p in parts)
        assert self.cells[total].value == got, f"audit bug: {total!r} ≠ Σ {parts!r}"
        self.equations.append((total, parts))

    def nested(self, outer: Any, inner: Any) -> None:
        """A group inside another: outer = inner + the rest (never published)."""
        rest = ("rest", outer, inner)
        self.cell(rest, self.cells[outer].members - self.cells[inner].members)
        self.equal(outer, inner, rest)

    # --- the checks ---

    def leaks(self) -> list[str]:
        """Every way the published figures give a group of 1 to 4 people away."""
        found = list(self.wrong)
        for k, c in self.cells.items():
            if c.published and c.value and len(c.members) in SMALL:
                found.append(f"{k!r} is published ({c.value}) and concerns {len(c.members)} people")
        unknown = [k for k, c in self.cells.items() if not c.published]
        col = {k: i for i, k in enumerate(unknown)}
        rows = []
        for total, parts in self.equations:
            row: dict[int, Fraction] = {}
            for k, sign in ((total, -1), *((p, 1) for p in parts)):
                if k in col:
                    row[col[k]] = row.get(col[k], Fraction(0)) + sign
            row = {i: v for i, v in row.items() if v}
            if row:
                rows.append(row)
                hidden_parts = [p for p in (total, *parts) if p in col]
                if total not in col and len(hidden_parts) > 0:
                    union = frozenset().union(*(self.cells[p].members for p in hidden_parts))
                    if len(union) in SMALL:
                        found.append(f"{total!r} minus the parts shown gives {len(union)} people ({hidden_parts!r})")
        basis = _echelon(rows)
        for k in unknown:
            c = self.cells[k]
            if len(c.members) in SMALL and c.value and _in_span({col[k]: Fraction(1)}, basis):
                found.append(f"{k!r} ({len(c.members)} people) is determined by the published figures")
        return found


def _echelon(rows: list[dict[int, Fraction]]) -> list[tuple[int, dict[int, Fraction]]]:
    """Row-reduced basis: (pivot column, row with 1 at the pivot and 0 at every other pivot)."""
    basis: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        r = dict(row)
        for pivot, b in basis:
            if pivot in r:
                f = r[pivot]
                for i, v in b.items():
                    r[i] = r.get(i, Fraction(0)) - f * v
                r = {i: v for i, v in r.items() if v}
        if not r:
            continue
        pivot = min(r)
        f = r[pivot]
        r = {i: v / f for i, v in r.items()}
        reduced = []
        for p, b in basis:
            if pivot in b:
                g = b[pivot]
                b = {i: b.get(i, Fraction(0)) - g * r.get(i, Fraction(0)) for i in set(b) | set(r)}
                b = {i: v for i, v in b.items() if v}
            reduced.append((p, b))
        basis = [*reduced, (pivot, r)]
    return basis


def _in_span(vec: dict[int, Fraction], basis: list[tuple[int, dict[int, Fraction]]]) -> bool:
    r = dict(vec)
    for pivot, b in basis:
        if pivot in r:
            f = r[pivot]
            for i, v in b.items():
                r[i] = r.get(i, Fraction(0)) - f * v
            r = {i: v for i, v in r.items() if v}
    return not r
