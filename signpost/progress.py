"""A learner's way through modules and courses: starting, resuming, what comes next."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from signpost import catalogue, completion
from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import (
    Assignment,
    Course,
    CourseCompletion,
    Lesson,
    LessonCompletion,
    Module,
    ModuleProgress,
    QuizAttempt,
    ScenarioRun,
    User,
    utcnow,
)


def current_progress(user_id: int, module_id: int) -> ModuleProgress | None:
    """The learner's latest pass through a module, if they have started it."""
    return db.session.scalar(
        select(ModuleProgress)
        .where(ModuleProgress.user_id == user_id, ModuleProgress.module_id == module_id)
        .order_by(ModuleProgress.round.desc())
        .limit(1)
    )


def start_module(user: User, module: Module) -> ModuleProgress:
    """Start a module on its newest version, or return the pass already under way."""
    existing = current_progress(user.id, module.id)
    if existing is not None and not needs_new_round(user.id, module, existing):
        return existing
    version = catalogue.latest_version(module.id)
    progress = ModuleProgress(
        user_id=user.id,
        module_id=module.id,
        version_id=version.id,
        round=(existing.round if existing else 0) + 1,
    )
    try:
        with db.session.begin_nested():
            db.session.add(progress)
    except IntegrityError:
        # Another tab started it at the same moment; use theirs.
        return current_progress(user.id, module.id)
    return progress


def needs_new_round(user_id: int, module: Module, progress: ModuleProgress) -> bool:
    """A completed module is taken again when a course it belongs to is due for renewal."""
    if progress.completed_at is None:
        return False
    for course in courses_with_module(module.id):
        last = completion.latest_completion(user_id, course.id)
        if (
            last is not None
            and renewal_open(course, last)
            and progress.completed_at <= last.completed_at
        ):
            return True
    return False


def renewal_open(
    course: Course,
    last: CourseCompletion,
    now: dt.datetime | None = None,
) -> bool:
    """True once a completion is within the expiring-soon window of its expiry."""
    now = now or utcnow()
    expires = completion.add_months(last.completed_at, course.validity_months)
    return expires <= now + dt.timedelta(days=expiring_days())


def courses_with_module(module_id: int) -> list[Course]:
    """Active courses that include a module."""
    return [c for c in catalogue.active_courses() if any(m.id == module_id for m in c.modules)]


def done_lesson_ids(progress: ModuleProgress | None) -> set[int]:
    """Lessons this pass has finished."""
    if progress is None:
        return set()
    return set(
        db.session.scalars(
            select(LessonCompletion.lesson_id).where(LessonCompletion.progress_id == progress.id)
        )
    )


def complete_lesson(progress: ModuleProgress, lesson: Lesson) -> list:
    """Mark a lesson read to its end (once); returns any course completions it caused."""
    if lesson.version_id != progress.version_id:
        raise ValueError("lesson is not part of the learner's version")
    exists = db.session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.progress_id == progress.id, LessonCompletion.lesson_id == lesson.id
        )
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(LessonCompletion(progress_id=progress.id, lesson_id=lesson.id))
        except IntegrityError:
            pass  # the same lesson finished in another tab a moment ago
    return completion.after_step(progress)


@dataclass(frozen=True)
class Step:
    """Where a learner should go next within a module."""

    kind: str  # start | lesson | scenario | run | quiz | attempt | done
    module: Module
    target: object = None  # the Lesson, Scenario, ScenarioRun or QuizAttempt


def next_step(user_id: int, module: Module) -> Step:
    """The exact next thing to do in a module: lessons, then scenarios, then the quiz."""
    progress = current_progress(user_id, module.id)
    if progress is None or needs_new_round(user_id, module, progress):
        return Step("start", module)
    if progress.completed_at is not None:
        return Step("done", module)
    version = progress.version
    done = done_lesson_ids(progress)
    for lesson in version.lessons:
        if lesson.id not in done:
            return Step("lesson", module, lesson)
    runs = db.session.scalars(
        select(ScenarioRun).where(ScenarioRun.progress_id == progress.id).order_by(ScenarioRun.id)
    ).all()
    for scenario in version.scenarios:
        mine = [r for r in runs if r.scenario_id == scenario.id]
        if any(r.finished_at for r in mine):
            continue
        open_run = next((r for r in reversed(mine) if r.finished_at is None), None)
        return Step("run", module, open_run) if open_run else Step("scenario", module, scenario)
    if version.quiz is not None:
        open_attempt = db.session.scalar(
            select(QuizAttempt)
            .where(QuizAttempt.progress_id == progress.id, ~QuizAttempt.submission.has())
            .order_by(QuizAttempt.number.desc())
            .limit(1)
        )
        return Step("attempt", module, open_attempt) if open_attempt else Step("quiz", module)
    return Step("done", module)


@dataclass
class ModuleSummary:
    """A module as it stands for one learner."""

    module: Module
    title: str
    minutes_left: int
    status: str  # not_started | in_progress | completed
    step: Step


@dataclass
class CourseSummary:
    """A course as it stands for one learner, for the My learning page."""

    course: Course
    required: bool
    due_at: dt.datetime | None
    status: str
    completed_at: dt.datetime | None
    expires_at: dt.datetime | None
    minutes_left: int
    modules: list[ModuleSummary]

    @property
    def next_module(self) -> ModuleSummary | None:
        """The first module still to finish."""
        return next((m for m in self.modules if m.status != "completed"), None)


def _minutes_left(progress: ModuleProgress | None, module: Module) -> int:
    if progress is None:
        return catalogue.latest_version(module.id).minutes
    if progress.completed_at is not None:
        return 0
    version = progress.version
    state = completion.module_state(progress)
    done = done_lesson_ids(progress)
    minutes = sum(lesson.minutes for lesson in version.lessons if lesson.id not in done)
    finished = set(
        db.session.scalars(
            select(ScenarioRun.scenario_id).where(
                ScenarioRun.progress_id == progress.id, ScenarioRun.finished_at.is_not(None)
            )
        )
    )
    minutes += sum(s.minutes for s in version.scenarios if s.id not in finished)
    if version.quiz is not None and not state.quiz_passed:
        minutes += version.quiz.minutes
    return minutes


def summarise_module(user_id: int, module: Module) -> ModuleSummary:
    """A learner's standing in one module."""
    progress = current_progress(user_id, module.id)
    if progress is not None and needs_new_round(user_id, module, progress):
        progress = None  # due for renewal: a fresh pass, on the newest version
    version = progress.version if progress else catalogue.latest_version(module.id)
    status = (
        "not_started"
        if progress is None
        else "completed"
        if progress.completed_at is not None
        else "in_progress"
    )
    return ModuleSummary(
        module,
        version.title,
        _minutes_left(progress, module),
        status,
        next_step(user_id, module),
    )


def summarise_course(
    user: User, course: Course, assignment: Assignment | None, now=None
) -> CourseSummary:
    """A learner's standing in one course."""
    now = now or utcnow()
    modules = [summarise_module(user.id, m) for m in course.modules]
    last = completion.latest_completion(user.id, course.id)
    expires = completion.add_months(last.completed_at, course.validity_months) if last else None
    renewing = last is not None and any(m.status != "completed" for m in modules)
    started = any(m.status != "not_started" for m in modules)
    status = completion.course_status(
        now,
        started=started,
        completed_at=last.completed_at if last else None,
        expires_at=expires,
        due_at=assignment.due_at if assignment else None,
        expiring_days=expiring_days(),
    )
    minutes = sum(m.minutes_left for m in modules) if (last is None or renewing) else 0
    return CourseSummary(
        course=course,
        required=assignment is not None,
        due_at=assignment.due_at if assignment else None,
        status=status,
        completed_at=last.completed_at if last else None,
        expires_at=expires,
        minutes_left=minutes,
        modules=modules,
    )


def my_learning(user: User, now=None) -> list[CourseSummary]:
    """Assigned courses first (soonest due first), then the optional ones."""
    assignments = {
        a.course_id: a
        for a in db.session.scalars(select(Assignment).where(Assignment.user_id == user.id))
    }
    summaries = [
        summarise_course(user, course, assignments.get(course.id), now)
        for course in catalogue.active_courses()
    ]
    far = dt.datetime.max
    return sorted(summaries, key=lambda s: (not s.required, s.due_at or far, s.course.level))
