"""A person's downloads of their own data (services/personal_data.download_my_data): one counter item per person,
each download written with its audit record (entity `PDATA#<id>`: who, when, the how-many-th)."""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited


def stage_download(uow: Any, employee_id: str, at: str) -> int:
    """Stage one more download by `employee_id` at `at` (audited); the how-many-th it is."""
    key = keys.personal_data_downloads(employee_id)
    before = uow.table.get(key, consistent=True)
    count = int((before or {}).get("downloads", 0)) + 1
    stage_audited(
        uow,
        entity=f"PDATA#{employee_id}",
        before=before,
        after={**key, "type": "personal_data_downloads", "downloads": count, "last_at": at},
        actor=employee_id,
        action="download_personal_data",
        at=at,
    )
    return count
