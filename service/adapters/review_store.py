"""Reviews in the table: `uow.reviews`, one per participant per cycle, in the cycle's partition and listed in
the person's history (gsi1) beside the actions about them."""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.action_store import action_from_item
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Put
from service.domain.actions import Action
from service.domain.errors import StaleWrite
from service.domain.reviews import Review


def _review_keys(r: Review) -> dict[str, str]:
    """Its primary key, the person's history (gsi1), its cycle's reviews in its state (gsi2: HR's to-finalise and
    overdue pages) and, while the employee disagrees, HR's list (gsi3): on the review item itself, so every write of
    the review keeps the lists true."""
    found = {**keys.review(r.cycle_id, r.employee_id), **keys.review_gsi(r.employee_id, r.period_start, r.cycle_id)}
    found |= keys.review_state_gsi(r.cycle_id, r.state.value, r.employee_name, r.employee_id)
    if r.disagreed:
        found |= keys.review_disagreed_gsi(r.cycle_id, r.employee_name, r.employee_id)
    return found


# A review is listed in the person's history beside its primary key, and in HR's disagreements while it is one.
REVIEW: Codec[Review] = Codec(Review, "review", _review_keys)
review_to_item, review_from_item = REVIEW.to_item, REVIEW.from_item


class ReviewRepository(Repository):
    """Reviews: one per participant per cycle, in the cycle's partition and the person's history."""

    def get(self, cycle_id: str, employee_id: str) -> Review | None:
        """One review, or None."""
        return self._read(review_from_item, keys.review(cycle_id, employee_id))

    def get_many(self, cycle_id: str, employee_ids: list[str]) -> list[Review]:
        """The reviews of these people in a cycle (missing ones are left out)."""
        if not employee_ids:
            return []
        return [review_from_item(i) for i in self._get_many([keys.review(cycle_id, e) for e in employee_ids])]

    def read_along(self, cycle_id: str, employee_ids: list[str]) -> None:
        """These people's reviews in the cycle ride in the next batch read (the home page: mine with my team's)."""
        self._uow.read_along([keys.review(cycle_id, e) for e in employee_ids])

    def page(self, cycle_id: str, cursor: Any = None, limit: int = 100) -> tuple[list[Review], Any]:
        """A page of a cycle's reviews, and the cursor of the next page."""
        page = self._table.query_page(keys.cycle(cycle_id)["pk"], "REVIEW#", limit=limit, cursor=cursor)
        return [review_from_item(i) for i in page.items], page.cursor

    def disagreed(self, cycle_id: str, limit: int) -> tuple[list[Review], bool]:
        """The first reviews of a cycle whose employee did not agree, by name, and whether there are more (one
        Query of a sparse index, whatever the size of the cycle)."""
        index, pk = keys.disagreed_reviews(cycle_id)
        items = self._table.query_page(pk, index=index, limit=limit + 1).items  # one over: whether more wait
        return [review_from_item(i) for i in items[:limit]], len(items) > limit

    def in_state(self, cycle_id: str, state: str, after: str | None, limit: int) -> tuple[list[Review], str | None]:
        """A page of a cycle's reviews in one state by name, from after the one whose index key is `after`, and the
        index key of its last review when more may follow (one Query, whatever the size of the cycle)."""
        index, pk = keys.reviews_in_state(cycle_id, state)
        cursor = None
        if after:
            employee_id = after.rsplit("#", 1)[-1].replace("%23", "#")
            cursor = {**keys.review(cycle_id, employee_id), "gsi2pk": pk, "gsi2sk": after}
        page = self._table.query_page(pk, index=index, limit=limit, cursor=cursor)
        found = [review_from_item(i) for i in page.items]
        if page.cursor is None or not found:
            return found, None
        return found, keys.review_state_gsi(cycle_id, state, found[-1].employee_name, found[-1].employee_id)["gsi2sk"]

    def every_in_state(self, cycle_id: str, state: str) -> list[Review]:
        """Every review of a cycle in one state (the index by state, paged: the reviews in that state only)."""
        index, pk = keys.reviews_in_state(cycle_id, state)
        return [review_from_item(i) for i in self._table.query(pk, index=index)]

    def reindex(self, cycle_id: str) -> int:
        """Put again, each at the version read, the cycle's reviews whose stored index keys are not the ones their
        codec makes now (written before a key was added, or restored from an older copy); how many. A review
        changed meanwhile is skipped: its own write stored the keys."""
        fixed = 0
        for item in self._table.query(keys.cycle(cycle_id)["pk"], "REVIEW#"):
            wanted = review_to_item(review_from_item(item))
            index = {k: v for k, v in item.items() if k.startswith("gsi")}
            if index == {k: v for k, v in wanted.items() if k.startswith("gsi")}:
                continue
            kept = {k: v for k, v in item.items() if not k.startswith("gsi")}
            try:
                self._table.transact([Put(kept | wanted, expect_version=int(item["version"]))])
                fixed += 1
            except StaleWrite:
                continue
        return fixed

    def of_cycle(self, cycle_id: str) -> list[Review]:
        """Every review of a cycle (paginated underneath)."""
        return [review_from_item(i) for i in self._table.query(keys.cycle(cycle_id)["pk"], "REVIEW#")]

    def prefetch(self, cycle_id: str, employee_id: str, people: list[str]) -> None:
        """Read a review, its cycle and these people in one batch (later reads of them are served from it)."""
        wanted = [keys.cycle(cycle_id), keys.review(cycle_id, employee_id), *(keys.employee(p) for p in people)]
        wanted.append(keys.feedback_settings(cycle_id))  # the review shows its feedback groups (issue 9)
        # Whether the groups are closed or have answers, and how many nominations wait: a missing item is known
        # missing, so the groups' and requests' Queries are made only when they have something to show.
        wanted += [keys.feedback_closed(cycle_id, employee_id), keys.feedback_tally(cycle_id, employee_id)]
        wanted += [keys.feedback_waiting(cycle_id, employee_id), keys.feedback_waiting(cycle_id)]
        wanted.append(keys.action_index(employee_id))  # the actions about the person, read by key (issue 24)
        # Consistent: the page after a form's save shows what that save wrote (issue 24).
        self._get_many([*wanted, *self._uow.take_along()], consistent=True)
        self._uow.feedback.mark_prefetched(cycle_id)

    def history(self, employee_id: str) -> tuple[list[Review], list[Action]]:
        """A person's reviews across cycles and the actions about them, from one query."""
        index, pk = keys.person_history(employee_id)
        reviews, actions = [], []
        for item in self._table.query(pk, index=index):
            if item["type"] == "review":
                reviews.append(review_from_item(item))
            elif item["type"] == "action":
                actions.append(action_from_item(item))
        return reviews, actions

    def save(self, r: Review, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Review:
        """Stage the audited review; returns it as stored."""
        entity = keys.entity_review(r.cycle_id, r.employee_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": r.cycle_id}
        return review_from_item(self._audited(entity, review_to_item(r), new, **audit))
