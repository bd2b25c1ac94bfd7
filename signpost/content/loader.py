"""Reading a content folder into sources, with every problem named by file and line."""

import datetime as dt
import hashlib
import re
from pathlib import Path

from signpost.content.checks import check_tree_texts
from signpost.content.courses import check_courses, load_course, slug_of, text_line
from signpost.content.frontmatter import Document, Fields, read
from signpost.content.problems import Problems
from signpost.content.quiz import parse_quiz
from signpost.content.scenario import parse_scenario
from signpost.content.sources import (
    ContentTree,
    LessonSource,
    ModuleSource,
    Reference,
)

LESSON_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SCENARIO_RE = re.compile(r"^scenario-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
ASSET_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
MAX_ASSET_BYTES = 2 * 1024 * 1024
COMPLETION_KEYS = {"lessons", "quiz", "scenarios"}
MODULE_FIELDS = {
    "title", "summary", "level", "audience", "minutes", "outcomes", "version",
    "review_by", "content_note", "references", "completion",
}  # fmt: skip


def load(root: Path) -> tuple[ContentTree, Problems]:
    """Read and validate everything under `root`."""
    root = root.resolve()
    problems = Problems()
    tree = ContentTree(root)
    if not root.is_dir():
        problems.add(root, 1, "content folder does not exist")
        return tree, problems
    module_dirs = sorted(p for p in root.iterdir() if p.is_dir() and p.name != "courses")
    for folder in module_dirs:
        if folder.name.startswith("."):
            continue
        module = _load_module(folder, problems)
        if module is not None:
            tree.modules.append(module)
    for path in sorted((root / "courses").glob("*.md")) if (root / "courses").is_dir() else []:
        course = load_course(path, problems)
        if course is not None:
            tree.courses.append(course)
    if not tree.modules and not tree.courses and not problems:
        problems.add(root, 1, "content folder is empty: expected courses/ and module folders")
    check_courses(tree, problems)
    check_tree_texts(tree, problems)
    return tree, problems


def _references(doc: Document, problems: Problems) -> list[Reference]:
    raw = doc.meta.get("references")
    line = doc.line_of("references")
    if not isinstance(raw, list) or not raw:
        problems.add(
            doc.path, line, "missing required field 'references' (at least one, with a title)"
        )
        return []
    references = []
    for item in raw:
        # Each value is checked before str(): a YAML alias "bomb" would take for ever to print.
        if isinstance(item, dict) and any(
            _scalar(item.get(key)) is None for key in ("title", "publisher", "year", "url")
        ):
            problems.add(
                doc.path, line, "a reference's title, publisher, year and url must be text"
            )
            continue
        if not isinstance(item, dict) or not _scalar(item.get("title")).strip():
            problems.add(doc.path, line, "each reference needs a 'title'")
            continue
        url = item.get("url")
        if url and not str(url).startswith(("https://", "http://")):
            problems.add(doc.path, line, f"reference url must start with https:// ({url})")
        references.append(
            Reference(
                title=str(item["title"]).strip(),
                publisher=str(item["publisher"]) if item.get("publisher") else None,
                year=str(item["year"]) if item.get("year") else None,
                url=str(url) if url else None,
            )
        )
    return references


def _scalar(value) -> str | None:
    """A single YAML value as text ("" for none), or None for a list or mapping."""
    if value is None:
        return ""
    return str(value) if isinstance(value, str | int | float | dt.date) else None


def _completion(fields: Fields) -> dict:
    rules = {"lessons": True, "quiz": True, "scenarios": True}
    given = fields.mapping("completion")
    for key, value in given.items():
        if key not in COMPLETION_KEYS or not isinstance(value, bool):
            fields._bad(
                "completion", "completion takes lessons, quiz and scenarios, each true or false"
            )
            continue
        rules[key] = value
    return rules


def _files(folder: Path) -> list[Path]:
    """A module's files, without hidden ones (.DS_Store, editor swap files)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _checksum(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in _files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load_module(folder: Path, problems: Problems) -> ModuleSource | None:
    module_file = folder / "module.md"
    if not module_file.is_file():
        problems.add(folder, 1, "module folder has no module.md")
        return None
    doc = read(module_file, problems)
    if doc is None:
        return None
    fields = Fields(doc, problems, MODULE_FIELDS)
    module = ModuleSource(
        path=folder,
        slug=slug_of(module_file, folder.name, problems),
        title=fields.text("title", default=folder.name),
        summary=fields.text("summary", default=""),
        level=fields.choice("level", {1, 2, 3}, default=1),
        audience=fields.text("audience", default=""),
        minutes=fields.integer("minutes", low=1, high=1000, default=1),
        outcomes=fields.text_list("outcomes"),
        label=fields.text("version", default="1"),
        review_by=fields.date("review_by"),
        content_note=fields.text("content_note", required=False),
        references=_references(doc, problems),
        completion=_completion(fields),
        intro=doc.body.strip(),
        checksum=_checksum(folder),
        intro_line=text_line(doc),
        lines={
            key: doc.value_line(key)
            for key in ("title", "summary", "audience", "outcomes", "content_note")
        },
    )
    _load_parts(folder, module, problems)
    _check_question_lessons(module, problems)
    return module


def _check_question_lessons(module: ModuleSource, problems: Problems) -> None:
    """Each question's `lesson:` must name a lesson of the same module."""
    stems = [lesson.path.stem for lesson in module.lessons]
    for question in module.quiz.questions if module.quiz else []:
        if question.lesson and question.lesson not in stems:
            problems.add(
                module.quiz.path,
                question.lesson_line,
                f"question '{question.key}' names lesson '{question.lesson}', which is not a "
                f"lesson of this module (its lessons: {', '.join(stems) or 'none'})",
            )


def _load_parts(folder: Path, module: ModuleSource, problems: Problems) -> None:
    lesson_slugs: dict[str, Path] = {}
    for path in _files(folder):
        relative = path.relative_to(folder).as_posix()
        if path.is_dir() or relative == "module.md":
            continue
        if path.suffix == ".md" and "/" not in relative:
            _load_markdown_part(path, module, lesson_slugs, problems)
        elif path.suffix.lower() in ASSET_TYPES:
            data = path.read_bytes()
            if len(data) > MAX_ASSET_BYTES:
                problems.add(path, 1, "image is larger than 2 MB; make it smaller")
            elif path.suffix.lower() == ".svg" and re.search(
                rb"<script|\son[a-z]+\s*=|javascript:", data, re.I
            ):
                problems.add(path, 1, "SVG images must not contain script or event handlers")
            module.assets[relative] = data
        else:
            problems.add(
                path,
                1,
                "unrecognised file: lessons are NN-name.md, quizzes quiz.md, scenarios "
                "scenario-name.md, images .png .jpg .gif .webp .svg",
            )
    if not module.lessons:
        problems.add(folder / "module.md", 1, "the module has no lessons (files named NN-name.md)")


def _load_markdown_part(path: Path, module: ModuleSource, lesson_slugs: dict, problems) -> None:
    name = path.name
    lesson = LESSON_RE.match(name)
    scenario = SCENARIO_RE.match(name)
    if lesson:
        doc = read(path, problems)
        if doc is None:
            return
        slug = lesson.group(2)
        if slug in lesson_slugs:
            problems.add(
                path, 1, f"duplicate lesson slug '{slug}' (also {lesson_slugs[slug].name})"
            )
        lesson_slugs[slug] = path
        fields = Fields(doc, problems, {"title", "minutes"})
        module.lessons.append(
            LessonSource(
                path=path,
                slug=slug,
                title=fields.text("title", default=slug),
                minutes=fields.integer("minutes", low=1, high=240, default=5),
                body=doc.body.strip("\n"),
                body_line=text_line(doc),
            )
        )
        if not doc.body.strip():
            problems.add(path, doc.body_line, "the lesson has no text")
    elif name == "quiz.md":
        doc = read(path, problems)
        if doc is not None:
            module.quiz = parse_quiz(doc, problems)
    elif scenario:
        doc = read(path, problems)
        if doc is not None:
            module.scenarios.append(parse_scenario(doc, scenario.group(1), problems))
    else:
        problems.add(
            path,
            1,
            "unrecognised file name: lessons are NN-name.md (e.g. 01-what-is-cse.md), "
            "quizzes quiz.md, scenarios scenario-name.md",
        )
