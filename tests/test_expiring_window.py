"""CERTIFICATE_EXPIRING_DAYS decides renewal on every page and every next-step link."""

import datetime as dt

import pytest
from sqlalchemy import select

from signpost.extensions import db
from signpost.models import Certificate, CourseCompletion, ModuleProgress
from tests.html import Page
from tests.journey import location
from tests.test_certificates import complete_course
from tests.test_learn import correct_option_ids

WINDOW = 200  # far from the default of 60, so a stray default shows


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CERTIFICATE_EXPIRING_DAYS": WINDOW}


def _age_completion(days: int) -> None:
    """Move the learner's completion `days` into the past, as if it happened then."""
    back = dt.timedelta(days=days)
    for row in db.session.scalars(select(CourseCompletion)):
        row.completed_at -= back
    for cert in db.session.scalars(select(Certificate)):
        cert.completed_at -= back
        cert.expires_at -= back
    for progress in db.session.scalars(select(ModuleProgress)):
        progress.completed_at -= back
    db.session.commit()


def _continue_link(response) -> str:
    """Where the page's one Continue link goes."""
    return Page(response).link("Continue").href


def test_renewal_opens_inside_the_configured_window_and_every_link_follows_it(
    client, course, learner, journey
):
    complete_course(journey)
    _age_completion(215)  # a 12-month certificate now expires in about 150 days
    home = client.get("/learn/").get_data(as_text=True)
    assert "Expiring soon" in home and "Renew" in home
    assert "Valid, expiring soon" in client.get("/certificates/").get_data(as_text=True)

    # Starting again opens a fresh pass, and each step leads to the next one of that pass.
    assert journey.start("basics").endswith("/learn/modules/basics/lessons/first")
    assert journey.finish_lesson("basics", "first").endswith("/lessons/second")
    assert journey.finish_lesson("basics", "second").endswith("/scenarios/case")
    debrief = client.get(journey.play("basics", "case"))
    assert _continue_link(debrief).endswith("/learn/modules/basics/quiz")
    result_url = location(journey.answer(journey.start_quiz("basics"), correct_option_ids()))
    result = client.get(result_url)
    assert _continue_link(result).endswith("/learn/modules/basics")
    assert journey.start("next-steps").endswith("/learn/modules/next-steps/lessons/only")
    assert journey.finish_lesson("next-steps", "only").endswith("/learn/modules/next-steps")

    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) == 2  # the renewal issued a second certificate
    assert "Completed" in client.get("/learn/").get_data(as_text=True)


def test_outside_the_window_a_completed_course_stays_completed(client, course, learner, journey):
    complete_course(journey)
    _age_completion(365 - WINDOW - 20)  # expires in about WINDOW + 20 days
    home = client.get("/learn/").get_data(as_text=True)
    assert "Renew" not in home and "Expiring soon" not in home
    # Pressing Start on a completed module does not open a new pass before the window.
    assert journey.start("basics").endswith("/learn/modules/basics")
    passes = db.session.scalars(select(ModuleProgress.round)).all()
    assert sorted(set(passes)) == [1]
