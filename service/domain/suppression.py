"""Small-group suppression for every leadership report, in one place: which figures to withhold so that no
group of fewer than `SUPPRESS_BELOW` people can be read, nor worked out by adding or subtracting figures
that are published.

Pure Python. A report describes its figures as *cells*, each the group of people behind a figure (its size
is that number of people, whatever the figure counts: people, needs, activities, hours), and the arithmetic
a reader knows between them as *lines*: a total and its parts. The rule, applied until nothing changes:

1. A cell of 1 to 4 people is withheld, and so is every cell the report does not publish.
2. In a line whose total is known, the withheld parts (those with people in them) are either none, or at
   least two with together at least 5 people (for parts that may overlap, one of them alone has 5, unless
   all are withheld: parts cover their total), so that
   "total minus the parts shown" recovers neither a small group nor one cell withheld to protect another.
   When that fails, the next-smallest shown part is withheld too; when no part is left, the total.
3. In a line of disjoint parts whose total is withheld, the parts must not all be shown (they would add up to
   it): the smallest is withheld.

A nested pair (the people with a high-priority need for a topic within everyone who named it) is a line of
two parts: the inner group and the rest, which is never published. Cumulative figures (a programme's
`covered` after each step) are lines too: covered after step i = covered after step i−1 + what step i adds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

SUPPRESS_BELOW = 5  # groups of fewer people are never shown, in any output (product brief)

NOTE = (
    f"“—” marks a figure withheld: it concerns fewer than {SUPPRESS_BELOW} people, or it would let a reader "
    "work such a group out from the other figures by addition or subtraction."
)


@dataclass(frozen=True)
class Line:
    """A total and its parts, as a reader can relate them. `disjoint`: nobody is in two parts, so the parts'
    figures add up to the total's (departments of the organisation); otherwise parts may overlap (formats of
    one topic: one person can name two), and together they still cover the total's people."""

    total: Hashable
    parts: tuple[Hashable, ...]
    disjoint: bool = True


def nested(outer: Hashable, inner: Hashable) -> Line:
    """The line "outer = inner + the rest" for a group inside another (the rest is never published)."""
    return Line(outer, (inner, ("rest", outer, inner)))


def rest_size(sizes: Mapping[Hashable, int], outer: Hashable, inner: Hashable) -> int:
    """The people of `outer` outside `inner` (a nested line's unpublished part)."""
    return max(0, int(sizes.get(outer, 0)) - int(sizes.get(inner, 0)))


def withheld(
    sizes: Mapping[Hashable, int],
    lines: Iterable[Line],
    unpublished: Iterable[Hashable] = (),
    threshold: int = SUPPRESS_BELOW,
) -> frozenset[Hashable]:
    """The cells to withhold. `sizes`: cell → the people behind it (a nested line's rest may be left out: it
    is worked out here); `unpublished`: cells no output shows (they count as withheld)."""
    lines = list(lines)
    size = dict(sizes)
    for line in lines:
        for p in line.parts:
            if isinstance(p, tuple) and len(p) == 3 and p[0] == "rest" and p not in size:
                size[p] = rest_size(size, p[1], p[2])
    never = set(unpublished) | {p for line in lines for p in line.parts if isinstance(p, tuple) and p[:1] == ("rest",)}
    hidden = {k for k, n in size.items() if 0 < n < threshold} | never

    def people(k: Hashable) -> int:
        return int(size.get(k, 0))

    changed = True
    while changed:
        changed = False
        for line in lines:
            # A part nobody is in is a known zero, unless it is never published (a reader cannot tell it is 0).
            present = [p for p in line.parts if people(p) > 0 or p in never]
            gone = [p for p in present if p in hidden]
            shown = sorted((p for p in present if p not in hidden), key=lambda p: (people(p), repr(p)))
            if line.total not in hidden:
                if not any(people(p) > 0 for p in gone):
                    continue  # nothing withheld here but an unpublished zero: no group to give away
                # Disjoint parts: the people withheld add up. Overlapping ones: one part must reach the threshold
                # alone, unless every part is withheld (then together they are the total's people).
                if line.disjoint:
                    together = sum(map(people, gone))
                else:
                    together = people(line.total) if not shown else max(map(people, gone))
                protected = together >= threshold and (len(gone) >= 2 or gone[0] in never)
                if protected:
                    continue
                hidden.add(shown[0] if shown else line.total)
                changed = True
            elif line.disjoint and people(line.total) > 0 and present and not gone:
                hidden.add(shown[0])
                changed = True
    return frozenset(hidden)
