"""Loading validated content into the database, as new module versions where it changed."""

import mimetypes
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from signpost import audit, catalogue
from signpost.content.loader import LESSON_RE, load
from signpost.content.problems import ContentError
from signpost.content.render import ASSET_URL, LESSON_URL, render, render_inline
from signpost.content.scenario import recommended_path
from signpost.content.sources import ContentTree, CourseSource, ModuleSource
from signpost.extensions import db
from signpost.models import (
    ContentAsset,
    Course,
    CourseModule,
    Lesson,
    Module,
    ModuleVersion,
    Option,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    ScenarioNode,
)
from signpost.unit_of_work import atomic


@dataclass
class ImportReport:
    """What an import changed."""

    new_versions: list[str] = field(default_factory=list)  # "slug v2"
    unchanged_modules: int = 0
    courses_created: list[str] = field(default_factory=list)
    courses_updated: list[str] = field(default_factory=list)
    courses_unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True if anything was written."""
        return bool(self.new_versions or self.courses_created or self.courses_updated)


def import_content(root: Path, actor=None) -> ImportReport:
    """Validate and import a content folder all or nothing; raise ContentError on problems."""
    tree, problems = load(root)
    if problems:
        raise ContentError(problems.sorted())
    with atomic():  # a failure part-way leaves the database as it was
        report = import_tree(tree)
        if report.changed:
            audit.record(
                "content_published",
                actor=actor,
                versions=report.new_versions,
                courses=report.courses_created + report.courses_updated,
            )
    return report


def import_tree(tree: ContentTree) -> ImportReport:
    """Write a loaded tree into the session (no commit)."""
    report = ImportReport()
    modules = {}
    for source in tree.modules:
        modules[source.slug] = _import_module(source, report)
    for source in tree.courses:
        _import_course(source, modules, report)
    return report


def _rewriter(version_id: int, module_slug: str):
    def rewrite(target: str) -> str | None:
        folder, _, name = target.partition("/")
        lesson = LESSON_RE.match(name)
        if lesson and "/" not in name:
            return LESSON_URL.format(module=folder, lesson=lesson.group(2))
        if folder == module_slug:
            return ASSET_URL.format(version_id=version_id, path=name)
        return None

    return rewrite


def _import_module(source: ModuleSource, report: ImportReport) -> Module:
    module = db.session.scalar(select(Module).where(Module.slug == source.slug))
    if module is None:
        module = Module(slug=source.slug)
        db.session.add(module)
        db.session.flush()
    module.active = True
    latest = catalogue.latest_version(module.id)
    if latest is not None and latest.checksum == source.checksum:
        report.unchanged_modules += 1
        return module
    version = _new_version(module, source, (latest.number if latest else 0) + 1)
    report.new_versions.append(f"{source.slug} v{version.number}")
    return module


def _new_version(module: Module, source: ModuleSource, number: int) -> ModuleVersion:
    version = ModuleVersion(
        module=module,
        number=number,
        checksum=source.checksum,
        label=source.label,
        title=source.title,
        summary=source.summary,
        level=source.level,
        audience=source.audience,
        minutes=source.minutes,
        outcomes=source.outcomes,
        review_by=source.review_by,
        references=[vars(r) for r in source.references],
        completion=source.completion,
    )
    db.session.add(version)
    db.session.flush()  # the version id goes into image URLs
    rewrite = _rewriter(version.id, source.slug)

    def html(text: str) -> str:
        return render(text, base=source.slug, rewrite=rewrite)

    version.intro_html = html(source.intro)
    version.content_note_html = html(source.content_note) if source.content_note else None
    for position, lesson in enumerate(source.lessons):
        version.lessons.append(
            Lesson(
                position=position,
                slug=lesson.slug,
                title=lesson.title,
                minutes=lesson.minutes,
                source=lesson.body,
                html=html(lesson.body),
            )
        )
    if source.quiz is not None:
        # Questions name a lesson by its file stem; the site knows lessons by slug.
        slugs = {lesson.path.stem: lesson.slug for lesson in source.lessons}
        version.quiz = _quiz(source.quiz, html, slugs)
    for position, scenario in enumerate(source.scenarios):
        version.scenarios.append(_scenario(scenario, position, html))
    for path, data in source.assets.items():
        media_type = mimetypes.guess_type(posixpath.basename(path))[0] or "application/octet-stream"
        db.session.add(
            ContentAsset(version_id=version.id, path=path, media_type=media_type, data=data)
        )
    return version


def _quiz(source, html, lesson_slugs: dict[str, str]) -> Quiz:
    quiz = Quiz(
        title=source.title,
        pass_mark=source.pass_mark,
        draw=source.draw,
        attempts_allowed=source.attempts,
        wait_minutes=source.wait_minutes,
        wait_after_failures=source.wait_after_failures,
        minutes=source.minutes,
    )
    for position, q in enumerate(source.questions):
        question = Question(
            key=q.key,
            position=position,
            kind=q.kind,
            stem_html=html(q.stem),
            explanation_html=html(q.explanation),
            lesson_slug=lesson_slugs.get(q.lesson) if q.lesson else None,
        )
        for index, option in enumerate(q.options):
            question.options.append(
                Option(
                    position=index,
                    text_html=render_inline(option.text),
                    correct=option.correct,
                    feedback_html=html(option.feedback) if option.feedback else "",
                )
            )
        quiz.questions.append(question)
    return quiz


def _scenario(source, position: int, html) -> Scenario:
    scenario = Scenario(
        position=position,
        slug=source.slug,
        title=source.title,
        summary=source.summary,
        role=source.role,
        start_key=source.start,
        minutes=source.minutes,
        recommended_path=recommended_path(source),
    )
    for index, node in enumerate(source.nodes):
        row = ScenarioNode(
            position=index,
            key=node.key,
            ending=node.ending,
            outcome=node.outcome,
            narrative_html=html(node.narrative),
            debrief_html=html(node.debrief) if node.debrief else "",
        )
        for number, choice in enumerate(node.choices):
            row.choices.append(
                ScenarioChoice(
                    position=number,
                    rating=choice.rating,
                    text_html=render_inline(choice.text),
                    target_key=choice.target,
                    feedback_html=html(choice.feedback) if choice.feedback else "",
                )
            )
        scenario.nodes.append(row)
    return scenario


def _import_course(source: CourseSource, modules: dict, report: ImportReport) -> None:
    values = {
        "title": source.title,
        "summary": source.summary,
        "level": source.level,
        "validity_months": source.validity_months,
        "cpd_hours": source.cpd_hours,
        "confidence": source.confidence,
        "body_html": render(source.body, base="courses", rewrite=_rewriter(0, "")),
        "active": True,
    }
    course = db.session.scalar(select(Course).where(Course.slug == source.slug))
    wanted = [modules[slug].id for slug in source.modules]
    if course is None:
        course = Course(slug=source.slug, **values)
        db.session.add(course)
        report.courses_created.append(source.slug)
    else:
        current = [link.module_id for link in course.module_links]
        if all(getattr(course, k) == v for k, v in values.items()) and current == wanted:
            report.courses_unchanged += 1
            return
        for key, value in values.items():
            setattr(course, key, value)
        report.courses_updated.append(source.slug)
        # Remove the old order first, so the unique (course, module) rows never clash.
        course.module_links = []
        db.session.flush()
    course.module_links = [
        CourseModule(module_id=module_id, position=position)
        for position, module_id in enumerate(wanted)
    ]
