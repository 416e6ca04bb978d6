"""Feedback in the table: `uow.feedback` (settings, requests, drafts, anonymous answers) and `uow.notes`.

The storage is where anonymity is decided:

- a request (`FBREQ#cycle#subject / REQ#reviewer`) is audited like every other entity, but holds no answer:
  submitting flips it to "answered" and that is the whole of its audit record (who, when, the event);
- a draft (`FBDRAFT#reviewer / cycle#subject`) sits in its author's partition and is deleted when the answer
  is submitted or declined, in the same transaction; it is never audited (an audit record is read by HR);
- an answer (`FBGROUP#cycle#subject / kind#random`) carries ratings and comments and nothing else: no reviewer,
  no time, no request token, no version chain; its random id orders the group by chance, not by time;
- a waiting count (`FBREQ#cycle#subject / WAITING`) says how many peer requests about the person wait for
  approval: every request's change that moves it in or out of "nominated" moves it in the same transaction (the
  first such change after it began stores the count from the requests as stored, on the condition that no count
  exists yet); the team overview reads it for all reports in one batch read, with the cycle's mark
  (`FBCYCLE#cycle / WAITING`, written at launch) that counting began before any request: then a person without
  a count has none waiting; in a cycle launched before counting existed such a person's requests are counted;
- an upward summary (`FBUPWARD#cycle / subject`) counts a manager's upward answers and, per competency, the ratings
  and their sum (no text, no time, no reviewer), moved by each upward answer in its transaction: the diagnosis reads
  a cycle's in one Query (issue 27);
- a tally (`FBGROUP#cycle#subject / TALLY`) counts the answers in its `version` (no time): the manager's submission,
  which scores the group it read and closes it, checks the tally is still what that read saw, so an answer landing
  in between refuses the submission instead of being released unscored.
"""

from __future__ import annotations

import uuid
from datetime import date, tzinfo
from typing import Any

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Check, Delete, Increment, Item, Put
from service.domain.errors import Clash, Conflict
from service.domain.feedback import FeedbackKind, FeedbackRequest, FeedbackSettings, ReleaseRule, RequestState
from service.domain.formats import day_of

GROUP_MOVED = "feedback about this person arrived while the manager assessment was being submitted: submit it again"


# A request is listed for its reviewer and for its cycle (HR's tracking) beside its primary key.
REQUEST: Codec[FeedbackRequest] = Codec(
    FeedbackRequest,
    "feedback_request",
    lambda r: {
        **keys.feedback_request(r.cycle_id, r.subject_id, r.reviewer_id),
        **keys.feedback_request_gsi(r.cycle_id, r.subject_id, r.reviewer_id),
    },
)
request_to_item, request_from_item = REQUEST.to_item, REQUEST.from_item


def waiting(r: FeedbackRequest | None) -> int:
    """1 for a peer request waiting for approval (nominated), else 0: what the waiting count adds up."""
    return int(r is not None and r.kind is FeedbackKind.PEER and r.state is RequestState.NOMINATED)


def settings_from_item(item: Item | None) -> FeedbackSettings:
    """Item → settings (the defaults when HR has not saved any)."""
    if not item:
        return FeedbackSettings()
    deadline = item.get("nomination_deadline")
    return FeedbackSettings(
        min_peers=int(item["min_peers"]),
        max_peers=int(item["max_peers"]),
        threshold=int(item["threshold"]),
        upward=bool(item["upward"]),
        nomination_deadline=date.fromisoformat(deadline) if deadline else None,
        release=ReleaseRule(item.get("release") or ReleaseRule.FIRST.value),
        version=int(item.get("version", 0)),
    )


class FeedbackRepository(Repository):
    """Feedback settings, requests, drafts and the anonymous answers of each group."""

    def __init__(self, uow: Any) -> None:
        super().__init__(uow)
        self._absent: set[str] = set()  # cycles whose settings a batch read found missing (defaults apply)
        # (cycle, subject) → the close mark `group_items` read: None absent, else whether it released the groups
        self._closed: dict[tuple[str, str], bool | None] = {}
        # (cycle, subject) → (the tally's version `group_items` read, or None; how many answers it read)
        self._tally: dict[tuple[str, str], tuple[int | None, int]] = {}
        # (cycle, subject) → the waiting count read (None: no count item, in a cycle launched before counting)
        self._waiting: dict[tuple[str, str], int | None] = {}
        self._with_waiting: set[str] = set()  # cycles whose `closed_of` also reads the waiting counts
        # (cycle, subject) → the one write of the waiting count staged in this unit of work (later changes add to it)
        self._waiting_op: dict[tuple[str, str], Put | Increment] = {}

    def mark_prefetched(self, cycle_id: str) -> None:
        """A batch read asked for the cycle's settings: when none came back, the defaults apply without a read."""
        if self._uow.identity_map and self._uow.cached(keys.feedback_settings(cycle_id)) is None:
            self._absent.add(cycle_id)

    def settings(self, cycle_id: str) -> FeedbackSettings:
        """A cycle's feedback settings (defaults until saved)."""
        if cycle_id in self._absent and self._uow.cached(keys.feedback_settings(cycle_id)) is None:
            return FeedbackSettings()
        return settings_from_item(self._get(keys.feedback_settings(cycle_id)))

    def save_settings(self, cycle_id: str, s: FeedbackSettings, *, actor: str, at: str) -> FeedbackSettings:
        """Stage the audited settings (a create the first time)."""
        key = keys.feedback_settings(cycle_id)
        item = {
            **key,
            "type": "feedback_settings",
            "cycle_id": cycle_id,
            "min_peers": s.min_peers,
            "max_peers": s.max_peers,
            "threshold": s.threshold,
            "upward": s.upward,
            "nomination_deadline": s.nomination_deadline.isoformat() if s.nomination_deadline else None,
            "release": s.release.value,
        }
        new = self._before(key) is None
        self._absent.discard(cycle_id)
        audit = {"actor": actor, "action": "feedback_settings", "at": at, "cycle_id": cycle_id}
        return settings_from_item(self._audited(keys.entity_feedback_settings(cycle_id), item, new, **audit))

    def request(self, cycle_id: str, subject_id: str, reviewer_id: str) -> FeedbackRequest | None:
        """One request, or None."""
        return self._read(request_from_item, keys.feedback_request(cycle_id, subject_id, reviewer_id))

    def about(self, cycle_id: str, subject_id: str) -> list[FeedbackRequest]:
        """Every request about one person in a cycle (one Query); remembered for audited updates."""
        pk, prefix = keys.feedback_requests_of(cycle_id, subject_id)
        return [request_from_item(self._uow.remember(i)) for i in self._table.query(pk, prefix)]  # type: ignore[arg-type]

    def addressed_to(self, reviewer_id: str) -> list[FeedbackRequest]:
        """The requests addressed to a reviewer, across cycles."""
        index, pk = keys.reviewer_requests(reviewer_id)
        return [request_from_item(i) for i in self._table.query(pk, index=index)]

    def of_cycle(self, cycle_id: str) -> list[FeedbackRequest]:
        """Every request of a cycle (HR's progress; reminders)."""
        index, pk = keys.cycle_feedback_requests(cycle_id)
        return [request_from_item(i) for i in self._table.query(pk, index=index)]

    def save(
        self, r: FeedbackRequest, *, new: bool, actor: str, action: str, at: str, reason: str = ""
    ) -> FeedbackRequest:
        """Stage the audited request. Its audit record names the event (state from → to), never an answer."""
        entity = keys.entity_feedback_request(r.cycle_id, r.subject_id, r.reviewer_id)
        # No cycle index on these records: the cycle's audit trail (HR) must not show HR who answered about them.
        audit = {"actor": actor, "action": action, "at": at, "reason": reason}
        before = None if new else self._before(keys.feedback_request(r.cycle_id, r.subject_id, r.reviewer_id))
        stored = request_from_item(self._audited(entity, request_to_item(r), new, **audit))
        moved = waiting(r) - waiting(request_from_item(before) if before else None)
        if moved:
            self._move_waiting(r.cycle_id, r.subject_id, moved)
        return stored

    def _move_waiting(self, cycle_id: str, subject_id: str, delta: int) -> None:
        """Stage the change of one person's waiting count (one write per unit of work: a transaction writes an
        item once). Its first change stores the count of the requests as stored, on the condition that none
        exists: a count written meanwhile refuses the commit (Conflict) rather than being overwritten."""
        op = self._waiting_op.get((cycle_id, subject_id))
        if not any(o is op for o in self._uow.ops):
            op = None  # staged for a transaction this unit of work has committed or dropped since
        if isinstance(op, Increment):
            op.deltas["waiting"] += delta
            return
        if isinstance(op, Put):
            op.item["waiting"] += delta
            return
        key = keys.feedback_waiting(cycle_id, subject_id)
        if self._table.get(key, consistent=True) is not None:
            op = Increment(key, {"waiting": delta}, {"type": "feedback_waiting"})
        else:  # the first change since counting began (or ever): count what is stored, then this change
            pk, prefix = keys.feedback_requests_of(cycle_id, subject_id)
            stored = sum(waiting(request_from_item(i)) for i in self._table.query(pk, prefix))
            op = Put({**key, "type": "feedback_waiting", "waiting": stored + delta}, must_not_exist=True)
        self._uow.add(op)
        self._waiting_op[(cycle_id, subject_id)] = op

    def start_counting(self, cycle_id: str) -> None:
        """Stage the cycle's mark that its waiting counts are complete (at launch, before any request exists)."""
        self._uow.add(Put({**keys.feedback_waiting(cycle_id), "type": "feedback_counting", "version": 1}))

    def read_waiting_with_close_marks(self, cycle_id: str) -> None:
        """The cycle's next `closed_of` also reads the waiting counts, in its one batch read (the team overview)."""
        self._with_waiting.add(cycle_id)

    def read_waiting_along(self, cycle_id: str, subject_ids: list[str]) -> None:
        """These people's close marks and waiting counts (and the cycle's mark) ride in the next batch read, which
        `closed_of` and `waiting_of` then read from (the team overview: with its reviews), with the cycle's
        feedback settings (the nomination deadline)."""
        self._with_waiting.add(cycle_id)
        wanted = sorted(set(subject_ids))
        self._uow.read_along(
            [
                keys.feedback_settings(cycle_id),
                keys.feedback_waiting(cycle_id),
                *(keys.feedback_closed(cycle_id, s) for s in wanted),
                *(keys.feedback_waiting(cycle_id, s) for s in wanted),
            ]
        )

    def waiting_of(self, cycle_id: str, subject_ids: list[str]) -> dict[str, int | None]:
        """How many peer requests about each of these people wait for approval; None for a person without a count
        in a cycle launched before counting began (count their requests). Read by `closed_of`'s batch, else one
        batch read."""
        wanted = sorted(set(subject_ids))
        unread = [s for s in wanted if (cycle_id, s) not in self._waiting]
        if unread:
            self._read_waiting(cycle_id, unread, [])
        return {s: self._waiting[(cycle_id, s)] for s in wanted}

    def _read_waiting(self, cycle_id: str, subject_ids: list[str], more: list[dict[str, str]]) -> list[Item]:
        """One batch read of these people's waiting counts and the cycle's mark, with `more` keys; returns the
        items of `more` found."""
        counts = {keys.feedback_waiting(cycle_id, s)["pk"]: s for s in subject_ids}
        mark = keys.feedback_waiting(cycle_id)
        found = self._get_many([*more, mark, *(keys.feedback_waiting(cycle_id, s) for s in subject_ids)])
        complete = any((i["pk"], i["sk"]) == (mark["pk"], mark["sk"]) for i in found)
        for s in subject_ids:
            self._waiting[(cycle_id, s)] = 0 if complete else None
        for i in found:
            if i["pk"] in counts and i["sk"] == "WAITING":
                self._waiting[(cycle_id, counts[i["pk"]])] = int(i["waiting"])
        wanted = {(k["pk"], k["sk"]) for k in more}
        return [i for i in found if (i["pk"], i["sk"]) in wanted]

    def draft(self, reviewer_id: str, cycle_id: str, subject_id: str) -> Item | None:
        """The reviewer's own unsubmitted answer: {content, version}, or None."""
        item = self._get(keys.feedback_draft(reviewer_id, cycle_id, subject_id))
        return {"content": item.get("content") or {}, "version": int(item["version"])} if item else None

    def save_draft(
        self, reviewer_id: str, cycle_id: str, subject_id: str, content: dict[str, Any], version: int
    ) -> int:
        """Stage a draft write at the version read (0: none yet); returns the new version."""
        key = keys.feedback_draft(reviewer_id, cycle_id, subject_id)
        item = {**key, "type": "feedback_draft", "content": content, "version": version + 1}
        if version == 0:
            self._uow.add(Put(item, must_not_exist=True))
        else:
            self._uow.add(Put(item, expect_version=version))
        self._uow.remember(item)
        return version + 1

    def drop_draft(self, reviewer_id: str, cycle_id: str, subject_id: str) -> None:
        """Stage the removal of a draft (its answer was submitted, or the request declined)."""
        self._uow.add(Delete(keys.feedback_draft(reviewer_id, cycle_id, subject_id)))

    def add_answer(
        self,
        cycle_id: str,
        subject_id: str,
        kind: FeedbackKind,
        content: dict[str, Any],
        chain: tuple[str, ...] | None = None,
    ) -> None:
        """Stage an answer into its group under a random id; the item names nobody and no time. The transaction
        also checks that the feedback was not closed meanwhile (a manager submitting at the same moment): an
        answer never joins a group after it is closed. An upward answer also moves the manager's upward summary
        (`chain`: the managers above them, kept from the first answer; None: not in the directory)."""
        answer_id = uuid.uuid4().hex
        item = {
            **keys.feedback_answer(cycle_id, subject_id, kind.value, answer_id),
            "type": "feedback_answer",
            "kind": kind.value,
            "ratings": content["ratings"],
            "answers": content["answers"],
            "version": 1,
        }
        self._uow.add(Check(keys.feedback_closed(cycle_id, subject_id), must_not_exist=True))
        self._uow.add(Put(item, must_not_exist=True))
        self._uow.add(Increment(keys.feedback_tally(cycle_id, subject_id), {"version": 1}, {"type": "feedback_tally"}))
        if kind is FeedbackKind.UPWARD:
            key = keys.upward_summary(cycle_id, subject_id)
            self._uow.add(Increment(key, upward_counts([content]), _summary_of(subject_id, chain)))

    def rebuild_upward_summary(self, cycle_id: str, subject_id: str, chain: tuple[str, ...] | None) -> bool:
        """Count one manager's upward answers into their summary again (after an upgrade: answers stored before
        summaries existed), on the condition that no answer joined meanwhile (the tally read); whether written."""
        answers = self.group_items(cycle_id, subject_id)[0][FeedbackKind.UPWARD]
        version = self._tally[(cycle_id, subject_id)][0]
        if not answers or version is None:
            return False
        item = {**keys.upward_summary(cycle_id, subject_id), **_summary_of(subject_id, chain), **upward_counts(answers)}
        try:
            self._table.transact([Put(item), Check(keys.feedback_tally(cycle_id, subject_id), expect_version=version)])
        except Conflict:  # an answer came meanwhile: run it again
            return False
        return True

    def upward_summaries(self, cycle_id: str) -> list[Item]:
        """The upward summaries of a cycle, one per manager with an upward answer (one paginated Query)."""
        return list(self._table.query(keys.upward_summaries(cycle_id)))

    def close(self, cycle_id: str, subject_id: str, at: str, released: bool) -> None:
        """Stage the close mark of one person's feedback (the manager submits; once: it stays if HR returns the
        review, so the answers that were final stay final, and released ones stay released)."""
        key = keys.feedback_closed(cycle_id, subject_id)
        if (cycle_id, subject_id) in self._closed:
            present = self._closed[(cycle_id, subject_id)] is not None
        else:
            present = self._get(key) is not None
        if not present:
            # The instant, not its UTC date: its day is the organisation's (`closed_on`); older marks hold a date.
            item = {**key, "type": "feedback_close", "at": at, "released": released, "version": 1}
            self._uow.add(Put(item, must_not_exist=True))
            self._expect_group_unchanged(cycle_id, subject_id)

    def _expect_group_unchanged(self, cycle_id: str, subject_id: str) -> None:
        """Stage the check that no answer joined the group since `group_items` read it (the score came from that
        read): the commit fails with Conflict (entity "feedback_tally") otherwise."""
        if (cycle_id, subject_id) not in self._tally:
            return  # nothing in this unit of work was computed from the group
        version, counted = self._tally[(cycle_id, subject_id)]
        if version is not None and counted < version:  # a lagging read: answers the tally counts were not seen
            raise Conflict(GROUP_MOVED, entity="feedback_tally", clash=Clash.STALE)
        key = keys.feedback_tally(cycle_id, subject_id)
        if version is None:
            self._uow.add(Check(key, must_not_exist=True))
        else:
            self._uow.add(Check(key, expect_version=version))

    def answers(self, cycle_id: str, subject_id: str) -> dict[FeedbackKind, list[dict[str, Any]]]:
        """The answers about one person in a cycle, per group (one Query)."""
        return self.group_items(cycle_id, subject_id)[0]

    def group_items(
        self, cycle_id: str, subject_id: str
    ) -> tuple[dict[FeedbackKind, list[dict[str, Any]]], bool | None]:
        """The answers about one person per group, and their close mark: None (absent) or whether it released the
        groups (one Query)."""
        groups: dict[FeedbackKind, list[dict[str, Any]]] = {k: [] for k in FeedbackKind}
        closed: bool | None = None
        tally: int | None = None
        counted = 0
        tally_key, mark_key = keys.feedback_tally(cycle_id, subject_id), keys.feedback_closed(cycle_id, subject_id)
        if self._uow.known_absent(tally_key) and self._known(mark_key):
            # The batch read found no tally: no answer ever joined the group, so there is nothing to query.
            mark = self._uow.cached(mark_key)
            self._closed[(cycle_id, subject_id)] = None if mark is None else bool(mark.get("released"))
            self._tally[(cycle_id, subject_id)] = (None, 0)
            return groups, self._closed[(cycle_id, subject_id)]
        for item in self._table.query(keys.feedback_group(cycle_id, subject_id)):
            if item.get("type") == "feedback_close":
                closed = bool(item.get("released"))
                continue
            if item["sk"] == keys.feedback_tally(cycle_id, subject_id)["sk"]:
                tally = int(item["version"])
                continue
            groups[FeedbackKind(item["kind"])].append({"ratings": item["ratings"], "answers": item["answers"]})
            counted += 1
        self._closed[(cycle_id, subject_id)] = closed
        self._tally[(cycle_id, subject_id)] = (tally, counted)
        return groups, closed

    def _known(self, key: dict[str, str]) -> bool:
        """Read in this unit of work already: found, or known missing."""
        return self._uow.cached(key) is not None or self._uow.known_absent(key)

    def close_mark_read(self, cycle_id: str, subject_id: str) -> tuple[bool | None] | None:
        """The close mark of one person's feedback when this unit of work has read it already: (None,) absent, else
        (whether it released the groups,); None when not read (read it with the answers)."""
        key = keys.feedback_closed(cycle_id, subject_id)
        if not self._known(key):
            return None
        mark = self._uow.cached(key)
        return (None if mark is None else bool(mark.get("released")),)

    def closed_on(self, cycle_id: str, subject_id: str, zone: tzinfo | None = None) -> date | None:
        """The day, on the wall of `zone` (the organisation's), the close mark of one person's feedback was staged (the
        manager's submission), or None."""
        item = self._get(keys.feedback_closed(cycle_id, subject_id))
        return day_of(str(item["at"]), zone) if item and item.get("at") else None

    def closed_of(self, cycle_id: str, subject_ids: list[str]) -> dict[str, bool]:
        """The close marks of these people's feedback: subject → whether it released the groups (one
        BatchGetItem; people without a mark are left out). The same batch reads their waiting counts
        (`waiting_of` then reads nothing) when `read_waiting_with_close_marks` asked for them."""
        if not subject_ids:
            return {}
        wanted = sorted(set(subject_ids))
        marks = [keys.feedback_closed(cycle_id, s) for s in wanted]
        if cycle_id in self._with_waiting:
            found = self._read_waiting(cycle_id, wanted, marks)
        else:
            found = self._get_many(marks)
        by_pk = {keys.feedback_group(cycle_id, s): s for s in subject_ids}
        return {by_pk[i["pk"]]: bool(i.get("released")) for i in found if i["pk"] in by_pk}


def upward_counts(answers: list[dict[str, Any]]) -> dict[str, int]:
    """What these upward answers add to their manager's summary: the answers, and per competency the ratings given
    and their sum."""
    counts: dict[str, int] = {"answers": len(answers)}
    for a in answers:
        for cid, rating in a["ratings"].items():
            counts[f"n#{cid}"] = counts.get(f"n#{cid}", 0) + 1
            counts[f"s#{cid}"] = counts.get(f"s#{cid}", 0) + int(rating)
    return counts


def _summary_of(subject_id: str, chain: tuple[str, ...] | None) -> dict[str, Any]:
    """The summary's fixed attributes: the manager, their level and chain (level 0: not in the directory)."""
    found: dict[str, Any] = {"type": "upward_summary", "subject_id": subject_id, "level": 0}
    if chain is not None:
        found |= {"level": len(chain) + 1, "chain": list(chain)}
    return found


class NoteRepository(Repository):
    """Continuous feedback notes (named: praise and suggestions are not anonymous)."""

    def get(self, note_id: str) -> Item | None:
        """One note, or None."""
        return self._read(_note, keys.note(note_id))

    def received_by(self, recipient_id: str) -> list[Item]:
        """The notes a person received, newest first."""
        index, pk = keys.notes_for(recipient_id)
        return [_note(i) for i in self._table.query(pk, index=index, descending=True)]

    def save(self, note: Item, *, new: bool, actor: str, action: str, at: str) -> Item:
        """Stage the audited note."""
        item = {**note, **keys.note(note["note_id"]), "type": "feedback_note"}
        item.update(keys.note_gsi(note["to_id"], note["at"], note["note_id"]))
        item.pop("version", None)
        audit = {"actor": actor, "action": action, "at": at}
        return _note(self._audited(keys.entity_note(note["note_id"]), item, new, **audit))


NOTE_FIELDS = ("note_id", "from_id", "to_id", "kind", "text", "competency_id", "goal_id", "at", "evidence", "version")


def _note(item: Item) -> Item:
    return {k: item.get(k) for k in NOTE_FIELDS} | {"evidence": list(item.get("evidence") or [])}
