"""One-to-ones in the table: `uow.one_to_ones` (issue 28, point 1). A pair's rhythm, its meetings and each side's
private notes share the pair's partition; every write is versioned and audited. Private notes have audit entities
of their own, which no route reads for the other side."""

from __future__ import annotations

from dataclasses import replace

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Item
from service.domain.one_to_ones import Meeting, Pair

PAIR: Codec[Pair] = Codec(
    Pair,
    "one_to_one_pair",
    lambda p: {
        **keys.one_to_one_pair(p.manager_id, p.report_id),
        **keys.one_to_one_pairs_gsi(p.manager_id, p.report_id),
    },
)
MEETING: Codec[Meeting] = Codec(
    Meeting, "one_to_one_meeting", lambda m: keys.one_to_one_meeting(m.manager_id, m.report_id, m.date)
)


def _versioned(item: Item) -> Item:
    return {k: v for k, v in item.items() if k != "version"}


class OneToOneRepository(Repository):
    """Pairs, meetings and private notes of one-to-ones."""

    def pair(self, manager_id: str, report_id: str) -> Pair | None:
        """A pair's rhythm and counts, or None before they set one."""
        return self._read(PAIR.from_item, keys.one_to_one_pair(manager_id, report_id))

    def pairs(self) -> list[Pair]:
        """Every pair (one Query of gsi1: the reminders' run and HR's counts)."""
        index, pk = keys.one_to_one_pairs()
        return [PAIR.from_item(i) for i in self._table.query(pk, index=index)]

    def meetings(self, manager_id: str, report_id: str) -> list[Meeting]:
        """A pair's meetings, oldest first."""
        pk, prefix = keys.one_to_one_meetings(manager_id, report_id)
        return [MEETING.from_item(i) for i in self._query_noted(pk, prefix)]

    def meeting(self, manager_id: str, report_id: str, day: str) -> Meeting | None:
        """One meeting by its date, or None."""
        return self._read(MEETING.from_item, keys.one_to_one_meeting(manager_id, report_id, day))

    def private_note(self, manager_id: str, report_id: str, day: str, author_id: str) -> Item | None:
        """`{text, version}` of one side's private notes on a meeting, or None (callers pass the reader as author)."""
        item = self._get(keys.one_to_one_private(manager_id, report_id, day, author_id))
        return {"text": item.get("text", ""), "version": int(item["version"])} if item else None

    def private_notes_of(self, manager_id: str, report_id: str, days: list[str], author_id: str) -> dict[str, str]:
        """Date → the author's own private notes on those meetings (one batch read of the author's keys only)."""
        found = self.private_note_items(manager_id, report_id, days, author_id)
        return {d: i["text"] for d, i in found.items() if i["text"]}

    def private_note_items(self, manager_id: str, report_id: str, days: list[str], author_id: str) -> dict[str, Item]:
        """Date → `{text, version}` of the author's own private notes on those meetings, as stored (one batch read of
        the author's keys only)."""
        wanted = [keys.one_to_one_private(manager_id, report_id, d, author_id) for d in days]
        by_sk = {k["sk"]: d for k, d in zip(wanted, days, strict=True)}
        return {
            by_sk[i["sk"]]: {"text": i.get("text", ""), "version": int(i["version"])} for i in self._get_many(wanted)
        }

    def save_pair(self, pair: Pair, *, new: bool, actor: str, action: str, at: str) -> Pair:
        """Stage the audited pair."""
        entity = keys.entity_one_to_one(pair.manager_id, pair.report_id, "PAIR")
        stored = self._audited(entity, _versioned(PAIR.to_item(pair)), new, actor=actor, action=action, at=at)
        return replace(PAIR.from_item(stored), version=int(stored["version"]))

    def save_meeting(self, meeting: Meeting, *, new: bool, actor: str, action: str, at: str) -> Meeting:
        """Stage the audited meeting."""
        entity = keys.entity_one_to_one(meeting.manager_id, meeting.report_id, meeting.date)
        stored = self._audited(entity, _versioned(MEETING.to_item(meeting)), new, actor=actor, action=action, at=at)
        return replace(MEETING.from_item(stored), version=int(stored["version"]))

    def move_meeting(self, meeting: Meeting, day: str, *, actor: str, at: str) -> Meeting:
        """Stage an upcoming meeting moved to another date (the rhythm changed): created there with its content and
        each side's private notes, removed where it was (each a deletion closing its audit trail)."""
        m, r = meeting.manager_id, meeting.report_id
        target = keys.entity_one_to_one(m, r, day)  # it may have been there before: its trail goes on
        item = _versioned(MEETING.to_item(replace(meeting, date=day, version=0)))
        stored = self._audited(target, item, True, actor=actor, action="move_meeting", at=at, trail=self._end(target))
        moved = replace(MEETING.from_item(stored), version=int(stored["version"]))
        gone = self._before(keys.one_to_one_meeting(m, r, meeting.date))
        entity = keys.entity_one_to_one(m, r, meeting.date)
        stage_audited(self._uow, entity=entity, before=gone, after={}, actor=actor, action="move_meeting", at=at)
        self.move_private_notes(m, r, meeting.date, day, at=at)
        return moved

    def move_private_notes(self, manager_id: str, report_id: str, day: str, to_day: str, *, at: str) -> None:
        """Stage each side's private notes of a meeting date moved to another (the meeting with them, or alone when
        nothing shared was written yet); a date that holds notes already keeps them."""
        m, r = manager_id, report_id
        for author in (m, r):
            note = self._get(keys.one_to_one_private(m, r, day, author))
            if note and self._get(keys.one_to_one_private(m, r, to_day, author)) is None:
                moved_to = keys.entity_one_to_one(m, r, f"PRIVATE.{to_day}.{author}")
                self.save_private_note(
                    m, r, to_day, author, note.get("text", ""), new=True, at=at, trail=self._end(moved_to)
                )
                entity = keys.entity_one_to_one(m, r, f"PRIVATE.{day}.{author}")
                stage_audited(
                    self._uow, entity=entity, before=note, after={}, actor=author, action="move_meeting", at=at
                )

    def save_private_note(
        self,
        manager_id: str,
        report_id: str,
        day: str,
        author_id: str,
        text: str,
        *,
        new: bool,
        at: str,
        trail: Item | None = None,
    ) -> int:
        """Stage one side's private notes (audited under an entity of its own; `trail`: the end of the trail it had
        at that date before, moved away and back); returns the new version."""
        key = keys.one_to_one_private(manager_id, report_id, day, author_id)
        entity = keys.entity_one_to_one(manager_id, report_id, f"PRIVATE.{day}.{author_id}")
        item = {**key, "type": "one_to_one_private_note", "text": text}
        stored = self._audited(entity, item, new, actor=author_id, action="save_private_note", at=at, trail=trail)
        return int(stored["version"])

    def _end(self, entity: str) -> Item | None:
        """The last audit record of an entity, if it existed before (one Query)."""
        found = list(self._table.query(keys.audit(entity, 0)["pk"], "V#"))
        return found[-1] if found else None
