"""Completion rules: when a module and a course count as complete, and a course's status."""

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from signpost import audit, events
from signpost.extensions import db
from signpost.models import (
    Course,
    CourseCompletion,
    CourseModule,
    LessonCompletion,
    ModuleProgress,
    ModuleVersion,
    QuizAttempt,
    QuizSubmission,
    ScenarioRun,
    User,
    utcnow,
)


@dataclass(frozen=True)
class ModuleState:
    """What a learner has done in one module version."""

    lessons_total: int
    lessons_done: int
    has_quiz: bool
    quiz_passed: bool
    scenarios_total: int
    scenarios_finished: int


def module_complete(rules: dict, state: ModuleState) -> bool:
    """A module is complete when each part its rules require is done."""
    if rules.get("lessons", True) and state.lessons_done < state.lessons_total:
        return False
    if rules.get("quiz", True) and state.has_quiz and not state.quiz_passed:
        return False
    return not (rules.get("scenarios", True) and state.scenarios_finished < state.scenarios_total)


def course_complete(module_ids: list[int], completed: dict[int, dt.datetime], since) -> bool:
    """A course is complete when every module was completed (after `since`, for a renewal)."""
    if not module_ids:
        return False
    return all(m in completed and (since is None or completed[m] > since) for m in module_ids)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def course_status(
    now: dt.datetime,
    *,
    started: bool,
    completed_at: dt.datetime | None,
    expires_at: dt.datetime | None,
    due_at: dt.datetime | None,
    expiring_days: int,
) -> str:
    """One of: completed, expiring_soon, expired, overdue, in_progress, not_started."""
    if completed_at is not None and (expires_at is None or expires_at > now):
        if expires_at is not None and expires_at <= now + dt.timedelta(days=expiring_days):
            return "expiring_soon"
        return "completed"
    if due_at is not None and due_at < now:
        return "overdue"
    if completed_at is not None:
        return "expired"
    return "in_progress" if started else "not_started"


STATUS_LABELS = {
    "completed": "Completed",
    "expiring_soon": "Expiring soon",
    "expired": "Expired",
    "overdue": "Overdue",
    "in_progress": "In progress",
    "not_started": "Not started",
}


def module_state(progress: ModuleProgress) -> ModuleState:
    """Count what a learner has done in their version of a module."""
    version: ModuleVersion = progress.version
    lessons_done = db.session.scalar(
        select(func.count())
        .select_from(LessonCompletion)
        .where(LessonCompletion.progress_id == progress.id)
    )
    passed = False
    if version.quiz is not None:
        passed = bool(
            db.session.scalar(
                select(func.count())
                .select_from(QuizSubmission)
                .join(QuizAttempt)
                .where(QuizAttempt.progress_id == progress.id, QuizSubmission.passed.is_(True))
            )
        )
    finished = db.session.scalar(
        select(func.count(func.distinct(ScenarioRun.scenario_id))).where(
            ScenarioRun.progress_id == progress.id, ScenarioRun.finished_at.is_not(None)
        )
    )
    return ModuleState(
        lessons_total=len(version.lessons),
        lessons_done=lessons_done,
        has_quiz=version.quiz is not None,
        quiz_passed=passed,
        scenarios_total=len(version.scenarios),
        scenarios_finished=finished,
    )


def after_step(progress: ModuleProgress) -> list[CourseCompletion]:
    """Record module and course completion that a finished step has brought about."""
    # Two requests finishing the last two steps at once (a lesson and the quiz, or the last
    # steps of two modules) would each see only their own step and neither would complete
    # the module or course. So the check runs under a lock on the learner's row: whoever
    # takes it second waits, then reads what the first committed (READ COMMITTED re-reads
    # per statement). SQLite needs no lock: BEGIN IMMEDIATE already serialises writers.
    db.session.execute(
        select(User.id).where(User.id == progress.user_id).with_for_update(key_share=True)
    )
    db.session.refresh(progress)  # another request may have completed it meanwhile
    if progress.completed_at is not None:
        return []
    if not module_complete(progress.version.completion, module_state(progress)):
        return []
    progress.completed_at = utcnow()
    db.session.flush()
    return _complete_courses(progress.user_id, progress.module_id)


def record_module_completed(
    progress: ModuleProgress, via: str, at: dt.datetime | None = None
) -> list[CourseCompletion]:
    """Record a module completed face to face or elsewhere, then any course that completes."""
    # The same lock on the learner's row as after_step, for the same reason.
    db.session.execute(
        select(User.id).where(User.id == progress.user_id).with_for_update(key_share=True)
    )
    db.session.refresh(progress)
    if progress.completed_at is not None:
        return []
    now = utcnow()
    # Dated when the training took place (never in the future), so expiry counts from then.
    progress.completed_at = min(at, now) if at is not None else now
    progress.via = via
    db.session.flush()
    return _complete_courses(progress.user_id, progress.module_id)


def course_via(vias: list[str]) -> str:
    """How a course was completed: online, face_to_face (none external) or external."""
    if all(via == "online" for via in vias):
        return "online"
    return "external" if "external" in vias else "face_to_face"


def latest_completion(user_id: int, course_id: int) -> CourseCompletion | None:
    """The learner's most recent completion of a course."""
    return db.session.scalar(
        select(CourseCompletion)
        .where(CourseCompletion.user_id == user_id, CourseCompletion.course_id == course_id)
        .order_by(CourseCompletion.round.desc())
        .limit(1)
    )


def completed_modules(user_id: int, module_ids: list[int]) -> dict[int, ModuleProgress]:
    """The latest completed progress for each of these modules."""
    rows = db.session.scalars(
        select(ModuleProgress)
        .where(
            ModuleProgress.user_id == user_id,
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.completed_at.is_not(None),
        )
        .order_by(ModuleProgress.round)
    )
    return {row.module_id: row for row in rows}


def _complete_courses(user_id: int, module_id: int) -> list[CourseCompletion]:
    course_ids = db.session.scalars(
        select(CourseModule.course_id).where(CourseModule.module_id == module_id)
    ).all()
    made = []
    for course in db.session.scalars(select(Course).where(Course.id.in_(course_ids))):
        module_ids = [link.module_id for link in course.module_links]
        done = completed_modules(user_id, module_ids)
        previous = latest_completion(user_id, course.id)
        since = previous.completed_at if previous else None
        if not course_complete(module_ids, {m: p.completed_at for m, p in done.items()}, since):
            continue
        completion = CourseCompletion(
            user_id=user_id,
            course_id=course.id,
            round=(previous.round if previous else 0) + 1,
            # When its last module was completed: now online, earlier if recorded afterwards.
            completed_at=max(done[m].completed_at for m in module_ids),
            via=course_via([done[m].via for m in module_ids]),
            module_versions=[
                {
                    "module": link.module.slug,
                    "version": done[link.module_id].version.number,
                    "label": done[link.module_id].version.label,
                    "title": done[link.module_id].version.title,
                }
                for link in course.module_links
            ],
        )
        db.session.add(completion)
        db.session.flush()
        audit.record(
            "course_completed",
            actor=db.session.get(User, user_id),
            target=completion,
            course=course.slug,
            round=completion.round,
            via=completion.via,
        )
        events.course_completed.send(completion)
        made.append(completion)
    return made
