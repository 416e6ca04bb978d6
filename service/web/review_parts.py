"""The three review forms (self, manager, discussion) as one table: the pages and the JSON API both drive them
from it (web/pages_reviews.py, web/api_reviews.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

from service.services import reviews as review_svc
from service.web import forms
from service.web.schemas_reviews import DiscussionContentSchema, ManagerContentSchema, SelfContentSchema


@dataclass(frozen=True)
class Part:
    """One of the three review forms: what it edits, how it loads and saves, and who may write it when."""

    key: str
    section: str
    schema: type[Schema]
    raw: Callable[..., dict[str, Any]]
    save: Callable[..., review_svc.ReviewView]
    page: str
    title: str
    submit_label: str
    api_summary: str  # the JSON API's PUT of this form, in the OpenAPI document

    def endpoint(self) -> str:
        """The view of this form."""
        return f"pages_reviews.{self.key}_form"


PARTS = {
    "self": Part(
        "self",
        "self_assessment",
        SelfContentSchema,
        forms.self_raw,
        review_svc.save_self_assessment,
        "pages/review_self.html",
        "Self assessment",
        "Submit to your manager…",
        "Save or submit the self assessment (the employee)",
    ),
    "manager": Part(
        "manager",
        "manager_assessment",
        ManagerContentSchema,
        forms.manager_raw,
        review_svc.save_manager_assessment,
        "pages/review_manager.html",
        "Manager assessment",
        "Submit the assessment…",
        "Save or submit the manager assessment (current manager or HR)",
    ),
    "discussion": Part(
        "discussion",
        "discussion",
        DiscussionContentSchema,
        forms.discussion_raw,
        review_svc.save_discussion,
        "pages/review_discussion.html",
        "Review discussion",
        "Record the discussion…",
        "Save or record the review discussion (manager or HR)",
    ),
}
