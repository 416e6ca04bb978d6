"""The summary's context and HTML without WeasyPrint: the reader's copy, the optional blocks other features
fill in, and a content hash that does not depend on how the table hands numbers back."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.content_hash import review_hash
from service.domain.errors import NotFound
from service.pdf.documents import summary_html
from service.services import summaries
from tests import factories as f
from tests.pdf.conftest import build_world


@pytest.fixture(scope="module")
def world():
    return build_world()


def summary(world, reader: str, subject: str):
    p = f.principal(world.table, reader)
    return summaries.summary_for(UnitOfWork(world.table), p, world.cycle_id, subject, world.clock.now())


def test_the_employee_copy_leaves_out_what_their_page_leaves_out(world):
    mine = summary(world, "E5", "E5").context
    hr = summary(world, "E2", "E5").context
    assert mine["copy"] == "employee" and mine["view"].manager_assessment is None
    assert hr["copy"] == "hr" and hr["view"].manager_assessment["strengths"] == "DRAFT-ONLY strengths"


def test_a_reader_who_may_not_see_the_review_gets_not_found(world):
    with pytest.raises(NotFound):
        summary(world, "E5", "E4")


def test_the_optional_blocks_are_left_out_until_a_feature_fills_them(world):
    html = summary_html(summary(world, "E2", "E4").context)
    assert 'id="feedback"' not in html and "From the learning log" not in html
    assert "Public speaking" in html  # training needs from the forms


def test_a_provider_fills_the_optional_blocks(world, monkeypatch):
    def provide(ctx, now):
        return {
            "feedback_groups": [
                {
                    "kind": "peer",
                    "answers": 3,
                    "threshold": 3,
                    "shown": True,
                    "ratings": [{"competency": "Delivery", "average": 3.67, "distribution": [0, 0, 1, 2, 0]}],
                    "comments": [{"question": "What do they do well?", "texts": ["Explains things <clearly>"]}],
                },
                {"kind": "upward", "answers": 2, "threshold": 3, "shown": False},
            ],
            "training_needs": [{"topic": "Typed need", "priority": "high", "format": "course", "by": "manager"}],
            "learning_activities": [{"title": "Logged course", "kind": "course", "date": "2026-02-01"}],
            "anything_else": "ignored",
        }

    monkeypatch.setattr(summaries, "CONTEXT_PROVIDERS", [provide])
    context = summary(world, "E2", "E4").context
    assert "anything_else" not in context
    html = summary_html(context)
    assert 'id="feedback"' in html and "Explains things &lt;clearly&gt;" in html and "3 answers" in html
    assert "3.67" in html and "0 · 0 · 1 · 2 · 0" in html
    assert "Upward feedback" in html and "shown from 3 answers" in html  # below the threshold: no figures
    assert "Typed need" in html and "Public speaking" not in html  # typed needs replace the forms' own
    assert 'Logged course <span class="muted small">(learning log)</span>' in html


def test_the_hash_is_the_same_whatever_form_the_numbers_come_back_in(world):
    review = UnitOfWork(world.table).reviews.get(world.cycle_id, "E4")
    as_decimals = replace(review, score={**review.score, "value": Decimal(str(review.score["value"]))})
    assert review_hash(as_decimals) == review_hash(review)
    assert review_hash(replace(review, version=review.version + 1)) != review_hash(review)
    assert review_hash(replace(review, discussion={**review.discussion, "notes": "changed"})) != review_hash(review)
