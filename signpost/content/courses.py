"""Course files (courses/<slug>.md), and the small readers module files share with them."""

from pathlib import Path

from signpost.content.frontmatter import SLUG_RE, Document, Fields, read
from signpost.content.problems import Problems
from signpost.content.sources import ContentTree, CourseSource

COURSE_FIELDS = {
    "title",
    "summary",
    "level",
    "modules",
    "validity_months",
    "cpd_hours",
    "confidence",
}


def text_line(doc: Document) -> int:
    """The line a document's body starts on once its leading blank lines are stripped."""
    stripped = doc.body[: len(doc.body) - len(doc.body.lstrip())]
    return doc.body_line + stripped.count("\n")


def slug_of(path: Path, name: str, problems: Problems) -> str:
    """A folder or file name used as a slug, with a problem if it is not a valid one."""
    if not SLUG_RE.match(name):
        problems.add(
            path, 1, f"'{name}' is not a valid slug: use lower-case letters, digits, hyphens"
        )
    return name


def load_course(path: Path, problems: Problems) -> CourseSource | None:
    """Read one course file."""
    doc = read(path, problems)
    if doc is None:
        return None
    fields = Fields(doc, problems, COURSE_FIELDS)
    modules = fields.text_list("modules")
    for slug in modules:
        if modules.count(slug) > 1:
            problems.add(path, doc.line_of("modules"), f"module '{slug}' is listed more than once")
            break
    return CourseSource(
        path=path,
        slug=slug_of(path, path.stem, problems),
        title=fields.text("title", default=path.stem),
        summary=fields.text("summary", default=""),
        level=fields.choice("level", {1, 2, 3}, default=1),
        modules=modules,
        modules_line=doc.line_of("modules"),
        validity_months=fields.integer("validity_months", low=1, high=120, default=12),
        cpd_hours=fields.number("cpd_hours", default=0.0),
        confidence=fields.text_list("confidence", required=False),
        body=doc.body.strip(),
        body_line=text_line(doc),
        lines={key: doc.value_line(key) for key in ("title", "summary", "confidence")},
    )


def check_courses(tree: ContentTree, problems: Problems) -> None:
    """Every module a course lists must exist."""
    modules = {m.slug for m in tree.modules}
    for course in tree.courses:
        for slug in course.modules:
            if slug not in modules:
                problems.add(
                    course.path,
                    course.modules_line,
                    f"course lists module '{slug}', which does not exist",
                )
