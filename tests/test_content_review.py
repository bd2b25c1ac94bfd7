"""Content review: modules whose newest version is past, or close to, its review date."""

import datetime as dt

from sqlalchemy import select

from signpost import content_review
from signpost.extensions import db
from signpost.models import Module, ModuleVersion, Role, utcnow
from tests.factories import UserFactory
from tests.html import Page


def version(slug: str) -> ModuleVersion:
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    return module.versions[-1]


def new_version(slug: str, review_by: dt.date | None) -> ModuleVersion:
    """Publish a next version of a module with another review date."""
    old = version(slug)
    fresh = ModuleVersion(
        module_id=old.module_id,
        number=old.number + 1,
        checksum="x" * 64,
        label="2.0",
        title=old.title,
        summary=old.summary,
        level=old.level,
        audience=old.audience,
        minutes=old.minutes,
        outcomes=old.outcomes,
        review_by=review_by,
        references=old.references,
        completion=old.completion,
    )
    db.session.add(fresh)
    db.session.commit()
    return fresh


def test_overdue_soon_and_not_yet(course):
    # Both fixture modules are to be reviewed by 1 June 2027.
    late = content_review.due_for_review(dt.date(2027, 6, 11))
    # Equally overdue: by title ("Next steps" before "The basics").
    assert [(m.slug, m.days_overdue) for m in late.overdue] == [
        ("next-steps", 10),
        ("basics", 10),
    ]
    assert late.soon == [] and late.undated == []
    close = content_review.due_for_review(dt.date(2027, 5, 20))
    assert close.overdue == [] and [m.days_overdue for m in close.soon] == [-12, -12]
    assert content_review.due_for_review(dt.date(2027, 6, 1)).soon[0].days_overdue == 0
    early = content_review.due_for_review(dt.date(2027, 4, 1))
    assert (early.overdue, early.soon, early.undated) == ([], [], [])


def test_only_the_newest_version_counts_and_most_overdue_comes_first(course):
    new_version("basics", dt.date(2030, 1, 1))  # reviewed and republished
    new_version("next-steps", dt.date(2027, 5, 1))
    result = content_review.due_for_review(dt.date(2027, 6, 11))
    assert [(m.slug, m.label, m.number, m.days_overdue) for m in result.overdue] == [
        ("next-steps", "2.0", 2, 41)
    ]
    basics = version("basics")
    basics.review_by = dt.date(2027, 1, 1)
    db.session.commit()
    result = content_review.due_for_review(dt.date(2027, 6, 11))
    assert [m.slug for m in result.overdue] == ["basics", "next-steps"]


def test_inactive_modules_are_left_out_and_undated_ones_listed(course):
    db.session.scalar(select(Module).where(Module.slug == "basics")).active = False
    version("next-steps").review_by = None
    db.session.commit()
    result = content_review.due_for_review(dt.date(2030, 1, 1))
    assert result.overdue == [] and [m.slug for m in result.undated] == ["next-steps"]


def test_trainers_see_the_list_with_versions_dates_and_references(client, auth, course):
    today = utcnow().date()
    version("basics").review_by = today - dt.timedelta(days=3)
    version("next-steps").review_by = today + dt.timedelta(days=10)
    db.session.commit()
    auth.login(UserFactory(roles=[Role.TRAINER]))
    page = Page(client.get("/admin/content-review"))
    headings = page.texts("h2")
    assert "Past its review date (1)" in headings and "Due within the next 30 days (1)" in headings
    overdue = page.table(caption="Modules past their review date, most overdue first")
    soon = page.table(caption="Modules due for review within 30 days")
    assert overdue[0][3] == "Days overdue" and soon[0][3] == "Days left"
    [(module, label, review_by, overdue_by, references)] = overdue[1:]
    assert (module, label, overdue_by) == ("The basics basics", "1.0 (v1)", "3 days overdue")
    assert "A reference. Someone (2024)" in references
    assert today.strftime("%-d %B %Y") in page.text()
    [(module, label, review_by, left, references)] = soon[1:]
    assert (module, left) == ("Next steps next-steps", "10 days left")
    assert "Another reference" in references
    assert "/admin/content-review" in page.hrefs()  # in the menu


def test_admins_may_look_and_others_may_not(client, auth, course):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    assert client.get("/admin/content-review").status_code == 200
    auth.logout()
    for role in (Role.LEARNER, Role.AGENCY_LEAD, Role.AUDITOR):
        auth.login(UserFactory(roles=[role]))
        assert client.get("/admin/content-review").status_code == 403
        auth.logout()


def test_nothing_due_says_so(client, auth, course):
    auth.login(UserFactory(roles=[Role.TRAINER]))
    html = client.get("/admin/content-review").get_data(as_text=True)
    assert "No module is past its review date." in html
