"""Finding published courses, modules and their current versions."""

from sqlalchemy import select

from signpost.errors import Invalid
from signpost.extensions import db
from signpost.models import Course, Lesson, Module, ModuleVersion


def active_courses() -> list[Course]:
    """Courses learners can take, by level then title."""
    return list(
        db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.level, Course.title)
        )
    )


def course_by_slug(slug: str) -> Course | None:
    """An active course."""
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.active.is_(True)))


def module_by_slug(slug: str) -> Module | None:
    """An active module."""
    return db.session.scalar(select(Module).where(Module.slug == slug, Module.active.is_(True)))


def latest_version(module_id: int) -> ModuleVersion | None:
    """The newest version of a module: what a learner starting now gets."""
    return db.session.scalar(
        select(ModuleVersion)
        .where(ModuleVersion.module_id == module_id)
        .order_by(ModuleVersion.number.desc())
        .limit(1)
    )


def lesson_in(version: ModuleVersion, slug: str) -> Lesson | None:
    """A lesson of a version by its slug."""
    return next((lesson for lesson in version.lessons if lesson.slug == slug), None)


def find_subject(course_id: int | None, module_id: int | None) -> Course | Module:
    """The active course or module given by exactly one of the two ids."""
    if (course_id is None) == (module_id is None):
        raise Invalid("Choose either a course or a module (one, not both).", "subject")
    found = (
        db.session.get(Course, course_id)
        if course_id is not None
        else db.session.get(Module, module_id)
    )
    if found is None or not found.active:
        raise Invalid("That course or module is not available.", "subject")
    return found


def subject_title(subject: Course | Module) -> str:
    """A course's title, or a module's title in its newest version."""
    if isinstance(subject, Course):
        return subject.title
    version = latest_version(subject.id)
    return version.title if version is not None else subject.slug
