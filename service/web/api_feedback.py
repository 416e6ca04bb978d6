"""JSON API of feedback: settings, nominations, answering, the review's groups, HR's progress, notes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from service.services import (
    cycles,
    feedback_answers,
    feedback_nominations,
    feedback_notes,
    feedback_settings,
    feedback_tracking,
)
from service.services import feedback as fb
from service.web.api_io import answer, load_body, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_create, api_doc, api_report
from service.web.schemas_feedback import (
    AnswerSchema,
    DecideSchema,
    DeclineSchema,
    DoneSchema,
    DraftSchema,
    EvidenceSchema,
    FeedbackProgressSchema,
    NominateSchema,
    NominationsSchema,
    NoteInSchema,
    NoteListSchema,
    NoteSchema,
    RequestListSchema,
    RequestSchema,
    ReviewFeedbackSchema,
    SettingsInSchema,
    SettingsSchema,
    UpwardSchema,
)
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_feedback", __name__, url_prefix="/api")
REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"
ANSWER = "/feedback/<cycle_id>/<subject_id>"


def mailer() -> Any:
    """The app's mailer (SES deployed, the outbox locally, a list in tests), installed by create_app."""
    return wiring().extras["mailer"]


@bp.get("/cycles/<cycle_id>/feedback/settings")
@api_doc("A cycle's feedback rules", response=SettingsSchema)
def get_settings(cycle_id: str):
    """The cycle's peer minimum and maximum, anonymity threshold, upward on/off and nomination deadline."""
    current_principal()
    uow = wiring().uow()
    settings = feedback_settings.settings_for(uow, cycles.get_cycle(uow, cycle_id))
    return answer(feedback_settings.settings_json(settings), version=settings.version)


@bp.put("/cycles/<cycle_id>/feedback/settings")
@api_change("Set a cycle's feedback rules (HR)", SettingsSchema, SettingsInSchema)
def put_settings(cycle_id: str):
    """HR sets the feedback rules (the threshold is never below 3)."""
    w = wiring()
    saved = feedback_settings.save_settings(
        w.uow(), current_principal(), cycle_id, load_body(), expected_version(), w.clock
    )
    return answer(feedback_settings.settings_json(saved), version=saved.version)


@bp.get(REVIEW + "/nominations")
@api_report("Peer reviewers of one person (names and counts; who answered only for HR)", NominationsSchema)
def get_nominations(cycle_id: str, employee_id: str):
    """The nominations as this reader may see them."""
    w = wiring()
    return answer(feedback_nominations.nominations(w.uow(), current_principal(), cycle_id, employee_id, w.clock.now()))


@bp.put(REVIEW + "/nominations")
@api_change("Nominate peer reviewers (the employee's whole list)", NominationsSchema, NominateSchema)
def put_nominations(cycle_id: str, employee_id: str):
    """The employee names their peers within the cycle's minimum and maximum."""
    w = wiring()
    principal, reviewer_ids = current_principal(), load_body()["reviewer_ids"]
    return answer(
        feedback_nominations.nominate_peers(
            w.uow(), principal, cycle_id, employee_id, reviewer_ids, w.clock, mailer(), w.settings.base_url
        )
    )


@bp.post(REVIEW + "/nominations/decisions")
@api_change("Approve, remove or add peer reviewers (manager or HR)", NominationsSchema, DecideSchema)
def decide(cycle_id: str, employee_id: str):
    """The manager decides; everyone newly asked gets an email with a link."""
    w = wiring()
    principal, data = current_principal(), load_body()
    changes = data["approve"], data["remove"], data["add"]
    return answer(
        feedback_nominations.decide_nominations(
            w.uow(), principal, cycle_id, employee_id, *changes, w.clock, mailer(), w.settings.base_url
        )
    )


@bp.get(REVIEW + "/feedback")
@api_doc(
    "A review's feedback groups, counts and evidence (never who answered)",
    response=ReviewFeedbackSchema,
    errors=(403, 409),
)
def review_feedback(cycle_id: str, employee_id: str):
    """Groups with enough answers in full, the others by count; continuous feedback pulled in as evidence."""
    w = wiring()
    return answer(fb.review_feedback(w.uow(), current_principal(), cycle_id, employee_id, w.clock.now()))


@bp.post("/cycles/<cycle_id>/feedback/upward")
@api_change("Ask every manager's direct reports for upward feedback (HR)", UpwardSchema)
def upward(cycle_id: str):
    """HR asks for upward feedback; asking again adds only who is new."""
    w = wiring()
    principal = current_principal()
    return answer(
        feedback_nominations.request_upward(w.uow(), principal, cycle_id, w.clock, mailer(), w.settings.base_url)
    )


@bp.get("/cycles/<cycle_id>/feedback/progress")
@api_report("Feedback response rate per department and who has not answered (HR)", FeedbackProgressSchema)
def progress(cycle_id: str):
    """HR follows the response rates and chases who has not answered."""
    w = wiring()
    return answer(feedback_tracking.feedback_progress(w.uow(), current_principal(), cycle_id, w.clock.now()))


@bp.get("/feedback/requests")
@api_doc("The feedback requests addressed to me", response=RequestListSchema)
def my_requests():
    """Requests to answer (and those already answered or declined)."""
    w = wiring()
    return answer({"requests": feedback_answers.my_requests(w.uow(), current_principal(), w.clock.now())})


@bp.get(ANSWER)
@api_doc("A request addressed to me, with my draft", response=RequestSchema, errors=(403, 409))
def open_request(cycle_id: str, subject_id: str):
    """The answer form: rated competencies, questions, my own draft (ETag: the draft's version)."""
    w = wiring()
    view = feedback_answers.open_request(w.uow(), current_principal(), cycle_id, subject_id, w.clock.now())
    return answer(view, version=view.draft_version)


@bp.put(ANSWER + "/draft")
@api_change("Save my answer as a draft (only I read it)", DraftSchema, AnswerSchema)
def save_draft(cycle_id: str, subject_id: str):
    """Autosave: the draft at the version read (0 for the first)."""
    w = wiring()
    principal, data = current_principal(), load_body()
    return versioned(
        feedback_answers.save_draft(w.uow(), principal, cycle_id, subject_id, data, expected_version(), w.clock)
    )


@bp.post(ANSWER + "/answer")
@api_change("Submit my answer (it joins the group without my name)", DoneSchema, AnswerSchema)
def submit(cycle_id: str, subject_id: str):
    """Submit the answer; the request turns answered."""
    w = wiring()
    principal, data = current_principal(), load_body()
    return answer(feedback_answers.submit_answer(w.uow(), principal, cycle_id, subject_id, data, w.clock))


@bp.post(ANSWER + "/decline")
@api_change("Decline a request, with an optional reason", DoneSchema, DeclineSchema)
def decline(cycle_id: str, subject_id: str):
    """Decline; the reason reaches HR only."""
    w = wiring()
    principal, reason = current_principal(), load_body()["reason"]
    return answer(feedback_answers.decline(w.uow(), principal, cycle_id, subject_id, reason, w.clock))


@bp.post("/notes")
@api_create("Send a colleague praise or a suggestion", NoteSchema, NoteInSchema)
def send_note():
    """Continuous feedback, optionally about a competency or a goal."""
    w = wiring()
    principal, data = current_principal(), load_body()
    return answer(feedback_notes.send_note(w.uow(), principal, data, w.clock, w.settings.goal_visibility), 201)


@bp.get("/people/<employee_id>/notes")
@api_report("Continuous feedback a person received (the person and their manager)", NoteListSchema)
def notes(employee_id: str):
    """Notes received, newest first."""
    return answer({"notes": feedback_notes.notes_for(wiring().uow(), current_principal(), employee_id)})


@bp.post("/notes/<note_id>/evidence")
@api_change("Pull a note into the recipient's review as evidence", NoteSchema, EvidenceSchema)
def pull(note_id: str):
    """The recipient or their manager pulls a note into a review."""
    w = wiring()
    principal, cycle_id = current_principal(), load_body()["cycle_id"]
    return answer(feedback_notes.pull_note(w.uow(), principal, note_id, cycle_id, w.clock))
