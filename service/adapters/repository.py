"""The base of every repository: reads through the unit of work's table and identity map, writes staged on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from service.adapters.audited import stage_audited
from service.adapters.codec import Codec
from service.adapters.ports import UnitOfWorkPort
from service.adapters.store import Item, Table, key_of

T = TypeVar("T")


class Repository:
    """Base: reads through the unit of work's table, writes staged on it."""

    def __init__(self, uow: UnitOfWorkPort) -> None:
        self._uow = uow

    @property
    def _table(self) -> Table:
        return self._uow.table

    def _get(self, key: dict[str, str], consistent: bool = False) -> Item | None:
        # The identity map: an item read once in this unit of work is not read again.
        hit = None if consistent else self._uow.cached(key)
        if hit is None and not consistent and self._uow.known_absent(key):
            return None
        return hit if hit is not None else self._uow.remember(self._table.get(key, consistent=consistent))

    def _read(self, decode: Callable[[Item], T], key: dict[str, str]) -> T | None:
        """One record by its key (read once per unit of work), or None."""
        item = self._get(key)
        return decode(item) if item else None

    def _query_noted(self, pk: str, prefix: str | None = None, index: str | None = None) -> list[Item]:
        """A query's items, noted as read (a later update in this unit of work diffs against them)."""
        return [self._uow.remember(i) or i for i in self._table.query(pk, prefix, index=index)]

    def _get_many(self, key_list: list[dict[str, str]], cached: bool = True, consistent: bool = False) -> list[Item]:
        """Items by key in one batch read (with what `read_along` asked for): each read once per unit of work, a key
        found missing not asked for again (`cached` False: these keys are read from the table whatever was read;
        `consistent`: strongly consistent reads)."""
        hits = [i for i in (self._uow.cached(k) for k in key_list) if i is not None] if cached else []
        known = {(i["pk"], i["sk"]) for i in hits}
        missing = [
            k for k in key_list if (k["pk"], k["sk"]) not in known and not (cached and self._uow.known_absent(k))
        ]
        along = self._uow.take_along() if missing else []
        asked = list({(k["pk"], k["sk"]): k for k in [*missing, *along]}.values())
        found_now = (
            (self._table.get_many(asked, consistent=True) if consistent else self._table.get_many(asked))
            if asked
            else []
        )
        fetched = [self._uow.remember(i) for i in found_now]
        if self._uow.identity_map:
            found = {(i["pk"], i["sk"]) for i in fetched}  # type: ignore[index]
            self._uow.absent |= {(k["pk"], k["sk"]) for k in asked} - found
        wanted = {(k["pk"], k["sk"]) for k in missing}
        return hits + [i for i in fetched if (i["pk"], i["sk"]) in wanted]  # type: ignore[index,misc]

    def _before(self, key: dict[str, str]) -> Item | None:
        """The item as this unit of work read it (an audited update diffs against it)."""
        return self._uow.seen.get((key["pk"], key["sk"]))

    def _audited(self, entity: str, after: Item, new: bool, **audit: Any) -> Item:
        before = None if new else self._before(key_of(after))
        if not new and before is None:
            raise RuntimeError(f"{entity}: an update must follow a read in the same unit of work")
        stored = stage_audited(self._uow, entity=entity, before=before, after=after, **audit)
        self._uow.remember(stored)
        return stored


class RecordRepository(Repository, Generic[T]):
    """Audited records of one kind, an item each: one by its id, lists from an index, saves staged with their chained
    audit record. A subclass names how they are stored (`codec`), a record's key and its audit entity by its id."""

    codec: ClassVar[Codec[Any]]
    key: ClassVar[Callable[[str], dict[str, str]]]  # record id → key
    entity: ClassVar[Callable[[str], str]]  # record id → audit entity

    def get(self, record_id: str) -> T | None:
        """One record, or None."""
        return self._read(type(self).codec.from_item, type(self).key(record_id))

    def _indexed(self, index: str, pk: str) -> list[T]:
        """Every record of an index's partition, in the index's order (one Query)."""
        return [type(self).codec.from_item(i) for i in self._query_noted(pk, index=index)]

    def _newest(self, index: str, pk: str, limit: int) -> list[T]:
        """The newest `limit` records of an index's partition (one Query page)."""
        page = self._table.query_page(pk, index=index, limit=limit, descending=True)
        return [type(self).codec.from_item(self._uow.remember(i) or i) for i in page.items]

    def _save(self, record_id: str, record: T, new: bool, **audit: Any) -> T:
        """Stage the record and its chained audit record (a create, or an update of the version read); returns it as
        stored."""
        codec = type(self).codec
        return codec.from_item(self._audited(type(self).entity(record_id), codec.to_item(record), new, **audit))


class OwnedRepository(Repository, Generic[T]):
    """Records one person owns, kept in a partition of theirs: one by its id, or all of them in one Query.

    A subclass names how its records decode, their key, the owner's partition and the order of the list."""

    decode: ClassVar[Callable[[Item], Any]]
    key: ClassVar[Callable[[str, str], dict[str, str]]]  # (owner id, record id) → key
    partition: ClassVar[Callable[[str], tuple[str, str]]]  # owner id → partition and prefix
    order: ClassVar[Callable[[Any], Any]]
    newest_first: ClassVar[bool] = False

    def get(self, owner_id: str, record_id: str) -> T | None:
        """One record of this owner, or None."""
        return self._read(type(self).decode, type(self).key(owner_id, record_id))

    def of_owner(self, owner_id: str) -> list[T]:
        """Every record of this owner, in the repository's order."""
        pk, prefix = type(self).partition(owner_id)
        found = [type(self).decode(i) for i in self._query_noted(pk, prefix)]
        return sorted(found, key=type(self).order, reverse=type(self).newest_first)
