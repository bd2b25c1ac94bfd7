"""Board dashboard figures against a small hand-built dataset, boundaries included.

The builders here are shared by the other test_reports_* files.
"""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from signpost import certificates
from signpost.extensions import db
from signpost.models import (
    Assignment,
    Course,
    CourseCompletion,
    CourseModule,
    Module,
    ModuleProgress,
    ModuleVersion,
    Role,
    User,
)
from signpost.reports import dashboard, drilldown
from signpost.reports.computed import recomputed, snapshot
from signpost.reports.filters import Filters
from signpost.reports.records import rebuild_records
from tests.factories import AgencyFactory, TeamFactory, UserFactory

NOW = dt.datetime(2026, 3, 15, 12, 0)
SECOND = dt.timedelta(seconds=1)


def make_course(slug: str, validity_months: int = 12, level: int = 1) -> Course:
    """A course with one module and one version, enough to record progress against."""
    module = Module(slug=f"{slug}-module")
    version = ModuleVersion(
        module=module, number=1, checksum="x" * 64, label="1.0", title=f"{slug} module",
        summary="", level=level, audience="All staff", minutes=30, outcomes=[], references=[],
        completion={},
    )  # fmt: skip
    course = Course(
        slug=slug,
        title=f"Course {slug}",
        level=level,
        validity_months=validity_months,
        cpd_hours=1.0,
    )
    db.session.add_all([module, version, course])
    db.session.flush()
    db.session.add(CourseModule(course_id=course.id, module_id=module.id, position=1))
    db.session.commit()
    return course


def _module(course: Course) -> tuple[int, int]:
    module_id = course.module_links[0].module_id
    version_id = db.session.scalar(
        select(ModuleVersion.id).where(ModuleVersion.module_id == module_id)
    )
    return module_id, version_id


def assign(user: User, course: Course, due_at: dt.datetime | None) -> Assignment:
    """Require a course of a learner by a due date."""
    row = Assignment(
        user_id=user.id,
        course_id=course.id,
        due_at=due_at,
        assigned_at=NOW - dt.timedelta(days=400),
    )
    db.session.add(row)
    db.session.commit()
    return row


def start(user: User, course: Course, at: dt.datetime, round_: int = 1) -> ModuleProgress:
    """Start the course's module."""
    module_id, version_id = _module(course)
    row = ModuleProgress(
        user_id=user.id, module_id=module_id, version_id=version_id, round=round_, started_at=at
    )
    db.session.add(row)
    db.session.commit()
    return row


def complete(user: User, course: Course, at: dt.datetime, round_: int = 1):
    """Finish the module and the course at `at`; the certificate is issued as in the app."""
    progress = start(user, course, at - dt.timedelta(hours=1), round_)
    progress.completed_at = at
    completion = CourseCompletion(
        user_id=user.id, course_id=course.id, round=round_, completed_at=at, module_versions=[]
    )
    db.session.add(completion)
    db.session.flush()
    cert = certificates.issue(completion)
    db.session.commit()
    return cert


def completed_for_expiry(course: Course, expires_at: dt.datetime) -> dt.datetime:
    """When to complete so that the certificate expires exactly at `expires_at`."""
    months = course.validity_months
    return expires_at.replace(year=expires_at.year - months // 12)


@pytest.fixture
def world(app):
    """Two agencies and two courses, with a learner for every status and boundary."""
    a, b = AgencyFactory(name="Alpha Police"), AgencyFactory(name="Beta Health")
    team = TeamFactory(agency=a, name="Exploitation team")
    c1, c2 = make_course("c1"), make_course("c2", level=2)
    people = {}

    def person(key, agency=a, **kw):
        people[key] = UserFactory(agency=agency, name=key, **kw)
        return people[key]

    complete(person("completed", team=team), c1, NOW - dt.timedelta(days=100))
    complete(person("expiring_edge"), c1, completed_for_expiry(c1, NOW + dt.timedelta(days=60)))
    complete(
        person("beyond_window"), c1, completed_for_expiry(c1, NOW + dt.timedelta(days=60) + SECOND)
    )
    complete(person("expired_edge"), c1, completed_for_expiry(c1, NOW))
    assign(person("expired_overdue"), c1, NOW - dt.timedelta(days=5))
    complete(people["expired_overdue"], c1, NOW - dt.timedelta(days=500))
    assign(person("overdue_edge"), c1, NOW - SECOND)
    assign(person("due_now"), c1, NOW)
    start(person("in_progress", team=team), c1, NOW - dt.timedelta(days=3))
    assign(person("not_started"), c1, NOW + dt.timedelta(days=30))
    assign(person("revoked"), c1, NOW + dt.timedelta(days=30))
    cert = complete(people["revoked"], c1, NOW - dt.timedelta(days=20))
    certificates.revoke(cert, people["revoked"], "Completed on someone else's account")
    db.session.commit()
    cert = complete(person("reissued"), c1, NOW - dt.timedelta(days=30))
    certificates.reissue(cert, people["reissued"])
    db.session.commit()
    complete(person("inactive", active=False), c1, NOW - dt.timedelta(days=10))
    complete(
        person("erased", erased_at=NOW - dt.timedelta(days=1)), c1, NOW - dt.timedelta(days=10)
    )
    assign(person("overdue_but_done"), c1, NOW - dt.timedelta(days=40))
    complete(people["overdue_but_done"], c1, NOW - dt.timedelta(days=10))
    assign(people["completed"], c2, NOW + dt.timedelta(days=90))
    complete(person("beta_done", agency=b), c1, NOW - dt.timedelta(days=200))
    assign(person("beta_overdue", agency=b), c1, NOW - dt.timedelta(days=1))
    people["lead"] = UserFactory(agency=a, name="lead", roles=[Role.AGENCY_LEAD])
    return {"a": a, "b": b, "team": team, "c1": c1, "c2": c2, "people": people}


def cell(report, agency, course):
    return next(c for c in report.cells if c.agency_id == agency.id and c.course_id == course.id)


def counts(c) -> dict:
    keys = (
        "population",
        "completed",
        "expiring",
        "expired",
        "overdue",
        "in_progress",
        "not_started",
        "in_range",
    )
    return {key: getattr(c, key) for key in keys}


def test_each_figure_for_a_cell_matches_the_hand_count(world):
    report = dashboard.build(Filters(), None, now=NOW)
    alpha = cell(report, world["a"], world["c1"])
    assert counts(alpha) == {
        "population": 12,  # inactive and erased people are not counted
        "completed": 5,  # completed, expiring_edge, beyond_window, reissued, overdue_but_done
        "expiring": 1,  # expiring_edge: expiry exactly at the end of the 60 days counts
        "expired": 1,  # expired_edge: expiry exactly now has expired
        "overdue": 2,  # expired_overdue, overdue_edge (due a second ago)
        "in_progress": 2,  # in_progress, revoked (certificate revoked, so not completed)
        "not_started": 2,  # due_now (due exactly now is not overdue yet), not_started
        "in_range": 5,  # completions since 1 April 2025, the revoked one left out
    }
    assert alpha.rate == "41.7%"
    assert counts(cell(report, world["b"], world["c1"]))["overdue"] == 1
    assert counts(cell(report, world["a"], world["c2"])) == {
        "population": 1, "completed": 0, "expiring": 0, "expired": 0, "overdue": 0,
        "in_progress": 0, "not_started": 1, "in_range": 0,
    }  # fmt: skip


def test_status_counts_add_up_to_the_population_in_every_row(world):
    report = dashboard.build(Filters(), None, now=NOW)
    rows = report.cells + report.agencies + [report.total]
    for row in rows:
        parts = row.completed + row.expired + row.overdue + row.in_progress + row.not_started
        assert parts == row.population, row
        assert row.expiring <= row.completed
    assert report.total.population == 12 + 1 + 2


def test_each_status_drills_down_to_exactly_its_learners(world):
    expected = {
        "completed": {
            "completed",
            "expiring_edge",
            "beyond_window",
            "reissued",
            "overdue_but_done",
        },
        "expiring": {"expiring_edge"},
        "expired": {"expired_edge"},
        "overdue": {"expired_overdue", "overdue_edge"},
        "in_progress": {"in_progress", "revoked"},
        "not_started": {"due_now", "not_started"},
    }
    for status, names in expected.items():
        page = drilldown.learners_page(
            Filters(), None, world["a"].id, world["c1"].id, status, now=NOW
        )
        assert {row.name for row in page.items} == names, status
        assert page.total == len(names)


def test_moving_now_moves_learners_across_the_boundaries(world):
    later = dashboard.build(Filters(), None, now=NOW + SECOND)
    alpha = cell(later, world["a"], world["c1"])
    assert alpha.overdue == 3  # due_now became overdue
    assert alpha.expiring == 2  # beyond_window entered the window
    earlier = cell(dashboard.build(Filters(), None, now=NOW - SECOND), world["a"], world["c1"])
    assert (earlier.expired, earlier.completed) == (0, 6)  # expired_edge was still valid


def test_date_range_counts_completions_inside_it_inclusively(world):
    day = completed_for_expiry(world["c1"], NOW + dt.timedelta(days=60)).date()
    one_day = Filters(date_from=day, date_to=day)
    report = dashboard.build(one_day, None, now=NOW)
    assert cell(report, world["a"], world["c1"]).in_range == 2  # at 12:00:00 and 12:00:01
    assert report.trend == [(dt.date(day.year, day.month, 1), 2)]
    before = dashboard.build(
        replace(one_day, date_from=day - dt.timedelta(days=1), date_to=day - dt.timedelta(days=1)),
        None,
        now=NOW,
    )
    assert cell(before, world["a"], world["c1"]).in_range == 0
    # Statuses do not depend on the range.
    assert counts(cell(before, world["a"], world["c1"]))["completed"] == 5


def test_trend_counts_completions_per_month_over_the_last_12_months_by_default(world):
    report = dashboard.build(Filters(), None, now=NOW)
    assert report.filters.date_from == dt.date(2025, 4, 1)
    assert report.filters.date_to == dt.date(2026, 3, 15)
    months = dict(report.trend)
    assert len(months) == 12
    assert months[dt.date(2025, 5, 1)] == 2  # expiring_edge, beyond_window
    assert months[dt.date(2025, 12, 1)] == 1  # completed
    assert months[dt.date(2026, 2, 1)] == 1  # reissued (the revoked one is left out)
    assert months[dt.date(2026, 3, 1)] == 1  # overdue_but_done (inactive and erased left out)
    assert months[dt.date(2025, 8, 1)] == 1  # beta_done
    assert report.trend_total == 6


def test_filters_narrow_every_figure(world):
    team = dashboard.build(Filters(team_id=world["team"].id), None, now=NOW)
    assert [(c.course, c.population, c.completed, c.in_progress) for c in team.cells] == [
        ("Course c1", 2, 1, 1),
        ("Course c2", 1, 0, 0),
    ]
    level = dashboard.build(Filters(level=2), None, now=NOW)
    assert [c.course for c in level.cells] == ["Course c2"]
    leads = dashboard.build(Filters(role=Role.AGENCY_LEAD), None, now=NOW)
    assert leads.cells == []
    course = dashboard.build(
        Filters(course_id=world["c1"].id, agency_id=world["b"].id), None, now=NOW
    )
    assert [(c.agency, c.population) for c in course.cells] == [("Beta Health", 2)]
    assert course.trend_total == 1


def test_an_agency_scope_sees_only_its_own_agency(world):
    report = dashboard.build(Filters(), world["a"].id, now=NOW)
    assert {c.agency for c in report.cells} == {"Alpha Police"}
    other = dashboard.build(Filters(agency_id=world["b"].id), world["a"].id, now=NOW)
    assert other.cells == [] and other.trend_total == 0
    page = drilldown.learners_page(
        Filters(), world["a"].id, world["b"].id, world["c1"].id, "population", now=NOW
    )
    assert page.items == [] and page.total == 0


def test_maintained_records_equal_a_fresh_rebuild(world):
    maintained = snapshot()
    assert len(maintained) == 12 + 1 + 2
    assert recomputed() == maintained
    assert rebuild_records() == len(maintained)
    assert snapshot() == maintained
