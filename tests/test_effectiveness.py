"""Training effectiveness by agency: confidence change, quiz pass rates and average scores."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from signpost import effectiveness
from signpost.extensions import db
from signpost.models import (
    ConfidenceRating,
    Course,
    ModuleProgress,
    Quiz,
    QuizAttempt,
    QuizSubmission,
    Role,
    utcnow,
)
from tests.factories import AgencyFactory, UserFactory
from tests.html import Page

CONFIDENCE = "Confidence before and after training, by agency"
QUIZZES = "Quiz pass rates and average scores, by agency"


def by_agency(html: str, caption: str) -> dict[str, list[str]]:
    """The cells of the effectiveness table with this caption, by the agency heading each row."""
    return {row[0]: row[1:] for row in Page(html).table(caption=caption)[1:]}


def row_headings(html: str) -> list[str]:
    """The text of every row heading on the page."""
    return Page(html).texts('th[scope="row"]')


def rate(user, course, phase, mean, round_=1, at=None):
    db.session.add(
        ConfidenceRating(
            user_id=user.id,
            course_id=course.id,
            round=round_,
            phase=phase,
            scores=str(int(mean)),
            mean=mean,
            rated_at=at or utcnow(),
        )
    )


def submit(user, course, number, score, passed, at=None):
    """A graded attempt at the starter course's quiz."""
    module = course.modules[0]
    version = module.versions[-1]
    progress = db.session.scalar(
        select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id
        )
    )
    if progress is None:
        progress = ModuleProgress(user_id=user.id, module_id=module.id, version_id=version.id)
        db.session.add(progress)
        db.session.flush()
    quiz = db.session.scalar(select(Quiz).where(Quiz.version_id == version.id))
    attempt = QuizAttempt(
        progress_id=progress.id,
        user_id=user.id,
        quiz_id=quiz.id,
        number=number,
        layout=[],
        key=uuid.uuid4().hex,
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.add(
        QuizSubmission(
            attempt_id=attempt.id,
            key=uuid.uuid4().hex,
            submitted_at=at or utcnow(),
            correct=score // 50,
            total=2,
            score=score,
            passed=passed,
            answers={},
        )
    )


@pytest.fixture
def figures(course):
    """Two agencies: police improved by 1.5 on average, health by 0.5; quiz results differ."""
    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health")
    p1, p2 = UserFactory(agency=police), UserFactory(agency=police)
    h1 = UserFactory(agency=health)
    unpaired = UserFactory(agency=health)
    rate(p1, course, "before", 2.0)
    rate(p1, course, "after", 4.0)
    rate(p2, course, "before", 3.0)
    rate(p2, course, "after", 4.0)
    rate(h1, course, "before", 3.0)
    rate(h1, course, "after", 3.5)
    rate(unpaired, course, "before", 1.0)  # no after yet: not a pair
    rate(h1, course, "before", 4.0, round_=2)  # a renewal with no after: not a pair
    submit(p1, course, 1, 50, False)
    submit(p1, course, 2, 100, True)
    submit(p2, course, 1, 100, True)
    submit(h1, course, 1, 0, False)
    db.session.commit()
    return {"police": police, "health": health, "course": course}


def test_confidence_pairs_and_change_by_agency(figures):
    result = effectiveness.summary()
    rows = {r.agency: r for r in result.confidence}
    assert set(rows) == {"Health", "Police"}
    police, health = rows["Police"], rows["Health"]
    assert (police.pairs, police.mean_before, police.mean_after) == (2, 2.5, 4.0)
    assert police.mean_change == pytest.approx(1.5)
    assert (health.pairs, health.mean_change) == (1, pytest.approx(0.5))
    total = result.confidence_total
    assert total.pairs == 3 and total.mean_change == pytest.approx((2 + 1 + 0.5) / 3)


def test_quiz_pass_rates_and_average_scores_by_agency(figures):
    rows = {r.agency: r for r in effectiveness.summary().quizzes}
    police, health = rows["Police"], rows["Health"]
    assert (police.submissions, police.passed, police.first_attempts, police.first_passed) == (
        3,
        2,
        2,
        1,
    )
    assert police.pass_rate == pytest.approx(200 / 3)
    assert police.first_attempt_pass_rate == 50
    assert police.average_score == pytest.approx(250 / 3)
    assert (health.submissions, health.pass_rate, health.average_score) == (1, 0, 0)
    total = effectiveness.summary().quizzes_total
    assert (total.submissions, total.passed, total.first_attempts, total.first_passed) == (
        4,
        2,
        3,
        1,
    )


def test_filters_by_agency_course_and_dates(figures):
    police, health = figures["police"], figures["health"]
    only = effectiveness.summary(agency_id=health.id)
    assert [r.agency for r in only.confidence] == ["Health"]
    assert [r.agency for r in only.quizzes] == ["Health"]
    other = Course(slug="other", title="Other", level=2, validity_months=12, cpd_hours=1)
    db.session.add(other)
    db.session.commit()
    empty = effectiveness.summary(course_id=other.id)
    assert empty.confidence == [] and empty.quizzes == []
    assert empty.confidence_total.pairs == 0 and empty.quizzes_total.pass_rate is None
    same = effectiveness.summary(course_id=figures["course"].id, level=1)
    assert len(same.confidence) == 2 and len(same.quizzes) == 2
    assert effectiveness.summary(level=2).quizzes == []
    tomorrow = utcnow().date() + dt.timedelta(days=1)
    assert effectiveness.summary(date_from=tomorrow).confidence == []
    assert effectiveness.summary(date_to=tomorrow - dt.timedelta(days=2)).quizzes == []
    today = utcnow().date()
    assert len(effectiveness.summary(date_from=today, date_to=today).quizzes) == 2
    assert police.id != health.id


def test_an_agency_lead_sees_their_own_agency_only(figures):
    police, health = figures["police"], figures["health"]
    scoped = effectiveness.summary(scope_agency_id=police.id)
    assert [r.agency for r in scoped.confidence] == ["Police"]
    assert [r.agency for r in scoped.quizzes] == ["Police"]
    refused = effectiveness.summary(agency_id=health.id, scope_agency_id=police.id)
    assert refused.confidence == [] and refused.quizzes == [] and refused.quizzes_total is None


def test_team_and_role_filters(figures):
    assert effectiveness.summary(role=Role.ADMIN).confidence == []
    assert len(effectiveness.summary(role="learner").confidence) == 2
    assert effectiveness.summary(team_id=999).quizzes == []


# --- The standalone page -------------------------------------------------------------


def test_admins_and_auditors_see_every_agency(client, auth, figures):
    for role in (Role.ADMIN, Role.AUDITOR):
        auth.login(UserFactory(roles=[role]))
        html = client.get("/admin/effectiveness").get_data(as_text=True)
        assert "Confidence before and after" in html and "Quiz results" in html
        assert by_agency(html, CONFIDENCE)["Police"][:2] == ["2", "2.50"]
        assert "up 1.50" in html and "up 0.50" in html
        assert by_agency(html, QUIZZES)["Police"][1] == "67% (2 of 3)"  # police pass rate
        assert "All agencies" in row_headings(html)
        auth.logout()


def test_the_filters_narrow_the_page(client, auth, figures):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    html = client.get(f"/admin/effectiveness?agency={figures['health'].id}").get_data(as_text=True)
    assert "Health" in row_headings(html) and "Police" not in row_headings(html)
    bad = client.get("/admin/effectiveness?date_from=2026-02-30").get_data(as_text=True)
    assert "There is a problem" in bad and "Enter a real date" in bad
    backwards = client.get("/admin/effectiveness?date_from=2026-03-02&date_to=2026-03-01")
    assert "The date range must end on or after its start" in backwards.get_data(as_text=True)


def test_agency_leads_see_their_agency_and_are_refused_others(client, auth, figures):
    police, health = figures["police"], figures["health"]
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD], agency=police))
    html = client.get("/admin/effectiveness").get_data(as_text=True)
    assert "your agency" in html
    assert "Police" in row_headings(html) and "Health" not in html
    assert client.get(f"/admin/effectiveness?agency={health.id}").status_code == 404
    assert client.get(f"/admin/effectiveness?agency={police.id}").status_code == 200


def test_learners_and_trainers_cannot_see_it(client, auth, figures):
    for role in (Role.LEARNER, Role.TRAINER):
        auth.login(UserFactory(roles=[role]))
        assert client.get("/admin/effectiveness").status_code == 403
        auth.logout()
    assert client.get("/admin/effectiveness").status_code == 302  # to sign in


def test_the_partial_says_when_there_is_nothing_yet(client, auth, course):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    html = client.get("/admin/effectiveness").get_data(as_text=True)
    assert "No learner in this selection has rated their confidence" in html
    assert "No quiz attempts have been submitted" in html
