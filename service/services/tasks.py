"""What a person has to do next ("my tasks", the home page): their own review's task, their team's assessments
and discussions, the cycles HR steers, their open actions and the feedback colleagues asked them for, each with
its deadline.

The home page's read model (the read side of cosmicpython's "views" chapter): it reads through the unit of work's
repositories in as few rounds of batched requests as it can (`my_tasks`) and builds the tasks with the domain's
rules (the workflow's `task_for`, a form's sections, the policy), importing no review use case and no message bus.
The home page is a cold start's usual first signed-in page: what only some people or only an active cycle need
(feedback, training, decisions) is imported by the branch that reads it, and what only an active cycle can hold
(my own review's task, feedback asked of me) is not read between cycles."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from service.domain.cycles import Cycle, CycleState, Phase
from service.domain.directory import Employee, Role
from service.domain.review_forms import progress_of, section_progress
from service.domain.reviews import OPEN_STATUSES
from service.domain.templates import template_from_dict
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import policy
from service.services.auth import Principal
from service.services.delegation import acting_for, team_of

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork
    from service.domain.actions import Action


class TaskKind(StrEnum):
    """What a task is, beside the review workflow's own tasks (`Cycle.task_for`: self_assessment, discussion…)."""

    SET_UP_CYCLE = "set_up_cycle"
    FINALISE_REVIEWS = "finalise_reviews"
    CHECK_LAUNCH = "check_launch"
    ACTION = "action"
    GIVE_FEEDBACK = "give_feedback"
    APPROVE_NOMINATIONS = "approve_nominations"  # peer reviewers a report nominated, for the manager to decide
    DECIDE_NEEDS = "decide_needs"  # training needs low ratings suggest, for the manager to confirm or dismiss
    APPROVE_DECISION = "approve_decision"  # issue 27: a decision against the record, for a second HR person
    GIVE_CONTRIBUTION = "give_contribution"  # issue 28: a manager asked for my view of someone's work


@dataclass(frozen=True)
class Task:
    """Something this person must do next: `kind` says what, the rest whom and where it is about."""

    kind: str  # a workflow task's name, or a TaskKind
    cycle_id: str = ""
    cycle_name: str = ""
    due: date | str | None = None  # a date, or as the use case gave it (ISO text)
    team: bool = False  # a manager's task about one of their reports (`employee_*`)
    employee_id: str = ""
    employee_name: str = ""
    employee_title: str = ""
    done: tuple[int, int] | None = None  # (sections done, sections) of a started draft
    count: int = 0  # reviews to finalise; reviews created by the launch; nominations or suggested needs to decide
    expected: int = 0  # reviews the launch creates
    feedback_kind: str = ""  # peer or upward
    action: Action | None = None
    decision_id: str = ""  # issue 27: the decision to approve, and what it says
    summary: str = ""


@dataclass(frozen=True)
class OwnReview:
    """The person's own review in an active cycle: its state, and the task it waits for (`owner` owes it)."""

    cycle: Cycle
    state: str
    task: str | None = None
    owner: str | None = None
    due: date | None = None
    done: tuple[int, int] | None = None


@dataclass(frozen=True)
class TeamCycle:
    """A manager's reports in one active cycle."""

    cycle: Cycle
    count: int  # reports with a review in the cycle
    waiting: int  # of those, reviews whose next step is the manager's


@dataclass(frozen=True)
class SteeredCycle:
    """A cycle HR steers: its progress (None for a draft), overdue tasks and reviews to finalise."""

    cycle: Cycle
    progress: cycle_svc.CycleProgress | None = None
    overdue: int = 0
    to_finalise: int = 0


@dataclass
class MyTasks:
    """Everything the home page shows of what a person has to do."""

    reports: list[Employee]
    tasks: list[Task] = field(default_factory=list)
    own: list[OwnReview] = field(default_factory=list)
    teams: list[TeamCycle] = field(default_factory=list)
    steer: list[SteeredCycle] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    cycle_names: dict[str, str] = field(default_factory=dict)  # every cycle's name, for the actions' rows
    chain: list[Employee] = field(default_factory=list)  # the people above this person (`management_chain`)


@dataclass(frozen=True)
class FirstReads:
    """The home page's reads that need nothing but who asks (`start_reads`): one Query each, under way."""

    employee_id: str
    reports: Future[list[Employee]]
    cycles: Future[list[Cycle]]
    actions: Future[list[Action]]


def start_reads(uow: UnitOfWork, employee_id: str) -> FirstReads:
    """Start the reads that need only a person's id on threads: their direct reports, the cycles and the actions they
    own. The home page starts them with the id its session claims, while the sign-in reads the person; `my_tasks`
    uses them only for the principal that id then turns out to be."""
    _build(uow, "directory", "cycles", "actions")
    pool = ThreadPoolExecutor(max_workers=3)
    try:
        return FirstReads(
            employee_id,
            pool.submit(uow.directory.reports, employee_id),
            pool.submit(cycle_svc.list_cycles, uow),
            pool.submit(uow.actions.owned_by, employee_id),
        )
    finally:
        pool.shutdown(wait=False)  # the reads go on; whoever needs them waits for their answers


def my_tasks(
    uow: UnitOfWork, principal: Principal, today: date, now: datetime, first: FirstReads | None = None
) -> MyTasks:
    """What this person must do next in the active cycles, with deadlines, and where their reviews stand.

    The read model of the home page, in two rounds of requests: their reports, the cycles and their actions
    (`first`, started before the sign-in's read of the person when the page could); then one batch read of their
    management chain, whom they act for, and in each active cycle their own review, their reports' and the
    nominations waiting, beside the Queries of the feedback and the contributions colleagues asked of them."""
    me = principal.employee_id
    if first is None or first.employee_id != me:
        first = start_reads(uow, me)
    reports, all_cycles, owned = first.reports.result(), first.cycles.result(), first.actions.result()
    active = [c for c in all_cycles if c.state is CycleState.ACTIVE]
    uow.delegations.read_along(me)  # issue 28: whom I act for today rides in the chain's batch read
    for cycle in active:  # my review, my team's and their nominations waiting ride in it too
        uow.reviews.read_along(cycle.cycle_id, [me, *(p.employee_id for p in reports)])
        read_nominations_along(uow, cycle, reports)
    found = MyTasks(reports=reports, cycle_names={c.cycle_id: c.name for c in all_cycles})
    asked: list[Task] = []
    if active:  # what colleagues asked of me, beside the batch read (only an active cycle has any)
        _build(uow, "feedback", "contributions", "reviews", "cycles")
        found.chain, feedback, contributions = _at_once(
            lambda: directory_svc.management_chain(uow, me),
            lambda: _feedback_tasks(uow, principal, now),  # issue 9: answerable only while its cycle is active
            lambda: _contribution_tasks(uow, principal, active),  # issue 28
        )
        asked = [*feedback, *contributions]
        team_tasks: list[Task] = []
        # issue 28: an acting manager has the tasks of the teams they act for
        if reports or principal.has(Role.MANAGER) or uow.delegations.acting_for(me, today):
            found.teams = _team(uow, principal, active, team_tasks, reports, today, now)
        found.own = _own_reviews(uow, principal, active, found.tasks, today)
        found.tasks.extend(team_tasks)
    else:
        found.chain = directory_svc.management_chain(uow, me)
    if principal.has(Role.HR):
        from service.services import decisions as decision_svc

        found.steer = _steer(uow, principal, all_cycles, found.tasks, today)
        found.tasks.extend(
            Task(TaskKind.APPROVE_DECISION, decision_id=d.decision_id, summary=d.summary, count=len(d.people))
            for d in decision_svc.awaiting_my_approval(uow, principal)
        )
    found.actions = [a for a in owned if a.status in OPEN_STATUSES]
    found.tasks.extend(_action_tasks(uow, found.actions, found.cycle_names))
    found.tasks.extend(asked)
    return found


def _build(uow: UnitOfWork, *stores: str) -> None:
    """Build these repositories of the unit of work on this thread, so that the threads reading next share one of
    each (and what it keeps, such as the reports it read)."""
    for name in stores:
        getattr(uow, name)


def _at_once(*reads: Callable[[], Any]) -> list[Any]:
    """Independent reads made together, each but the first on a thread of its own: the page waits for the slowest
    DynamoDB request rather than for their sum. Their answers in order; an error is raised once all are done."""
    with ThreadPoolExecutor(max_workers=len(reads) - 1) as pool:
        later = [pool.submit(read) for read in reads[1:]]
        first = reads[0]()
    return [first, *(f.result() for f in later)]


def _feedback_tasks(uow: UnitOfWork, principal: Principal, now: datetime) -> list[Task]:
    """The feedback colleagues asked me for and I can still give."""
    from service.services import feedback_answers

    tasks = []
    for r in feedback_answers.my_requests(uow, principal, now):
        if r.open:
            tasks.append(
                Task(
                    TaskKind.GIVE_FEEDBACK,
                    r.cycle_id,
                    r.cycle_name,
                    r.due,
                    employee_id=r.subject_id,
                    employee_name=r.subject_name,
                    feedback_kind=r.kind,
                )
            )
    return tasks


def _contribution_tasks(uow: UnitOfWork, principal: Principal, active: list[Cycle]) -> list[Task]:
    """Issue 28: the contributions managers asked me for in running cycles and I have not given yet."""
    from service.domain.contributions import ContributionState
    from service.services import contributions as contribution_svc

    names = {c.cycle_id: c.name for c in active}
    return [
        Task(
            TaskKind.GIVE_CONTRIBUTION,
            c.cycle_id,
            names[c.cycle_id],
            employee_id=c.employee_id,
            employee_name=c.employee_name,
        )
        for c in contribution_svc.asked_of_me(uow, principal)
        if c.state is ContributionState.ASKED and c.cycle_id in names
    ]


def _action_tasks(uow: UnitOfWork, actions: list[Action], cycle_names: dict[str, str]) -> list[Task]:
    """Open actions as tasks naming whom they are about and their cycle; an action about someone who has left
    can no longer be done, so it is no task (it stays in the open actions, to be dropped)."""
    people = uow.directory.get_many(sorted({a.subject_id for a in actions}))
    return [
        Task(
            TaskKind.ACTION,
            a.cycle_id,
            cycle_names.get(a.cycle_id, ""),
            a.due,
            employee_id=a.subject_id,
            employee_name=people[a.subject_id].name,
            action=a,
        )
        for a in actions
        if a.subject_id in people and people[a.subject_id].active
    ]


def draft_progress(
    uow: UnitOfWork, principal: Principal, cycle: Cycle, employee_id: str, part: str, today: date
) -> tuple[int, int] | None:
    """(sections done, sections) of a started draft this principal writes; None when nothing is written yet."""
    review = uow.reviews.get(cycle.cycle_id, employee_id)
    if review is None or not cycle.template_snapshot:
        return None
    person = uow.directory.get(employee_id)
    manager_id = person.manager_id if person else review.manager_id
    roles = policy.review_roles(principal, employee_id, manager_id, acting_for=acting_for(uow, principal, manager_id))
    if not policy.may_act_on_review(roles, part):
        return None
    content = {"self": review.self_assessment, "manager": review.manager_assessment}.get(part, review.discussion)
    if not content:
        return None
    sections = section_progress(template_from_dict(cycle.template_snapshot), part, content, today)
    return progress_of(sections)


def _own_reviews(
    uow: UnitOfWork, principal: Principal, active: list[Cycle], tasks: list[Task], today: date
) -> list[OwnReview]:
    """My review in each active cycle, read by its key (with my team's reviews when `_team` read them first)."""
    rows = []
    for cycle in active:
        found = uow.reviews.get_many(cycle.cycle_id, [principal.employee_id])
        if not found:
            continue
        r = found[0]
        task = cycle.task_for(r.state)
        if task is None:
            rows.append(OwnReview(cycle, r.state.value))
            continue
        name, owner, due = task
        done = None
        if owner == "employee":
            if name == "self_assessment":
                done = draft_progress(uow, principal, cycle, principal.employee_id, "self", today)
            tasks.append(Task(name, cycle.cycle_id, cycle.name, due, done=done))
        rows.append(OwnReview(cycle, r.state.value, name, owner, due, done))
    return rows


@dataclass(frozen=True)
class NominationsToDecide:
    """Peer reviewers nominated about one person and waiting for this reader's decision, and until when."""

    employee_id: str
    count: int
    due: date | None


def nominations_to_decide(
    uow: UnitOfWork, principal: Principal, cycle: Cycle, subjects: list[Employee], now: datetime
) -> dict[str, NominationsToDecide]:
    """Of these people, those whose peer nominations wait for this principal's decision and can still be
    decided: an active cycle, before the nomination deadline (HR may adjust after it), feedback not closed.
    One batch read gets their close marks and waiting counts (served by the review's own batch read when it
    asked for them); a person without a count, from before counting began, costs a Query of their requests."""
    from service.domain.feedback import FeedbackKind, RequestState
    from service.services import policy
    from service.services.feedback import closed_subjects
    from service.services.feedback_settings import settings_for

    if cycle.state is not CycleState.ACTIVE or not subjects:
        return {}
    deadline = settings_for(uow, cycle).nomination_deadline
    if deadline and now.date() > deadline and not policy.may_manage_feedback(principal):
        return {}
    candidates = {p.employee_id for p in subjects if policy.may_decide_nominations(principal, p)}
    uow.feedback.read_waiting_with_close_marks(cycle.cycle_id)
    candidates -= closed_subjects(uow, cycle, candidates, now)
    counts = uow.feedback.waiting_of(cycle.cycle_id, sorted(candidates))
    found = {}
    for employee_id in sorted(candidates):
        waiting = counts.get(employee_id)
        if waiting is None:
            waiting = sum(
                1
                for r in uow.feedback.about(cycle.cycle_id, employee_id)
                if r.kind is FeedbackKind.PEER and r.state is RequestState.NOMINATED
            )
        if waiting:
            found[employee_id] = NominationsToDecide(employee_id, waiting, deadline)
    return found


def read_nominations_along(uow: UnitOfWork, cycle: Cycle, subjects: list[Employee]) -> None:
    """What `nominations_to_decide` reads about these people rides in the next batch read (the reviews')."""
    if cycle.state is CycleState.ACTIVE and subjects:
        uow.feedback.read_waiting_along(cycle.cycle_id, [p.employee_id for p in subjects])


def _team(
    uow: UnitOfWork,
    principal: Principal,
    active: list[Cycle],
    tasks: list[Task],
    reports: list[Employee],
    today: date,
    now: datetime,
) -> list[TeamCycle]:
    """The manager's tasks about their reports (and those of the managers they act for today): assessments and
    discussions, nominations and suggested needs to decide. The cycle is the one listed: it is not read again."""
    from service.services import training as training_svc

    teams = []
    titles = {p.employee_id: p.title for p in reports if p.title}
    team = [p.employee_id for p in team_of(uow, principal, today)]
    for cycle in active:
        read_nominations_along(uow, cycle, reports)  # the nominations waiting ride in the reviews' batch read
        rows = sorted(uow.reviews.get_many(cycle.cycle_id, team), key=lambda r: r.employee_name.casefold())
        if not rows:
            continue
        in_cycle = {r.employee_id for r in rows}
        pending = nominations_to_decide(uow, principal, cycle, [p for p in reports if p.employee_id in in_cycle], now)
        for row in rows:
            task = cycle.task_for(row.state)
            about = {
                "team": True,
                "employee_id": row.employee_id,
                "employee_name": row.employee_name,
                "employee_title": titles.get(row.employee_id, ""),
            }
            if row.employee_id in pending:
                p = pending[row.employee_id]
                tasks.append(
                    Task(TaskKind.APPROVE_NOMINATIONS, cycle.cycle_id, cycle.name, p.due, count=p.count, **about)
                )
            # A draft may be written before the self assessment is in; the read is the batch read above.
            undecided = training_svc.suggestions_to_decide(uow, principal, cycle, row.employee_id)
            if undecided:
                due = cycle.phases.get(Phase.MANAGER_ASSESSMENT)
                tasks.append(
                    Task(TaskKind.DECIDE_NEEDS, cycle.cycle_id, cycle.name, due, count=len(undecided), **about)
                )
            if task and task[1] == "manager":
                # The review was read by the batch read just now: its draft costs no further request.
                part = "manager" if task[0] == "manager_assessment" else "discussion"
                done = draft_progress(uow, principal, cycle, row.employee_id, part, today)
                tasks.append(Task(task[0], cycle.cycle_id, cycle.name, task[2], done=done, **about))
        waiting = sum(1 for r in rows if (cycle.task_for(r.state) or ("", ""))[1] == "manager")
        teams.append(TeamCycle(cycle, len(rows), waiting))
    return teams


def _steer(
    uow: UnitOfWork, principal: Principal, cycles: list[Cycle], tasks: list[Task], today: date
) -> list[SteeredCycle]:
    steer = []
    for cycle in cycles:
        if cycle.state is CycleState.CLOSED:
            continue
        if cycle.state is CycleState.DRAFT:
            tasks.append(Task(TaskKind.SET_UP_CYCLE, cycle.cycle_id, cycle.name))
            steer.append(SteeredCycle(cycle))
            continue
        progress = cycle_svc.cycle_progress(uow, principal, cycle.cycle_id, today)
        to_finalise = progress.by_state.get("acknowledged", 0)
        if to_finalise:
            tasks.append(Task(TaskKind.FINALISE_REVIEWS, cycle.cycle_id, cycle.name, count=to_finalise))
        launch = progress.launch
        if not launch["done"]:
            tasks.append(
                Task(
                    TaskKind.CHECK_LAUNCH,
                    cycle.cycle_id,
                    cycle.name,
                    count=launch["created"],
                    expected=launch["expected"],
                )
            )
        steer.append(SteeredCycle(cycle, progress, sum(progress.overdue.values()), to_finalise))
    return steer
