"""The output schema of a goal (worked out when read: progress, pace, badge, alignment chain), which the goals
API and the review's JSON both answer with."""

from __future__ import annotations

from marshmallow import fields

from service.domain.goals import Goal, PaceCheck
from service.web.schemas import list_of, schema_of

# A goal with its progress and alignment chain (worked out when read).
GoalSchema = schema_of(
    Goal,
    "GoalSchema",
    exclude=("audit_head",),
    progress=fields.Float(),
    next_check_in=fields.Date(allow_none=True, metadata={"description": "when the rhythm asks for a check-in"}),
    alignment_chain=fields.List(fields.Raw()),
    pace=fields.Nested(
        schema_of(PaceCheck, "GoalPaceSchema"),
        allow_none=True,
        metadata={"description": "progress against the time elapsed in the goal's period (null: done, dropped)"},
    ),
    standing=fields.String(metadata={"description": "the badge: the status, or behind when progress trails time"}),
    warnings=fields.List(fields.String()),
)
GoalListSchema = list_of("goals", GoalSchema)
