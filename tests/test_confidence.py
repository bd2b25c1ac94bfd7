"""Confidence self-assessment: optional before and after ratings that never block learning."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from signpost import confidence
from signpost.extensions import db
from signpost.models import ConfidenceRating, CourseCompletion, ModuleProgress, Role, utcnow
from tests.factories import UserFactory
from tests.html import Page
from tests.test_certificates import complete_course
from tests.test_learn import correct_option_ids, finish_basics

BEFORE = "/learn/courses/starter/confidence/before"
AFTER = "/learn/courses/starter/confidence/after"


def ratings():
    return db.session.scalars(select(ConfidenceRating).order_by(ConfidenceRating.id)).all()


@pytest.fixture
def two_statements(course):
    course.confidence = ["I can spot the warning signs.", "I know who to tell."]
    db.session.commit()
    return course


# --- Rules, without HTTP -------------------------------------------------------------


def test_before_is_open_until_a_module_is_completed_and_after_once_the_course_is(course, user):
    assert confidence.open_round(user.id, course, "before") == 1
    assert confidence.open_round(user.id, course, "after") is None
    assert confidence.open_round(user.id, course, "sideways") is None
    module = course.modules[0]
    db.session.add(
        ModuleProgress(
            user_id=user.id,
            module_id=module.id,
            version_id=module.versions[-1].id,
            completed_at=utcnow(),
        )
    )
    db.session.commit()
    assert confidence.open_round(user.id, course, "before") is None  # too late for "before"
    db.session.add(
        CourseCompletion(user_id=user.id, course_id=course.id, round=1, module_versions=[])
    )
    db.session.commit()
    assert confidence.open_round(user.id, course, "after") == 1


def test_a_renewal_opens_a_new_before_round(course, user):
    long_ago = utcnow() - dt.timedelta(days=360)  # validity 12 months: renewal is open
    db.session.add(
        CourseCompletion(
            user_id=user.id, course_id=course.id, round=1, completed_at=long_ago, module_versions=[]
        )
    )
    db.session.commit()
    assert confidence.open_round(user.id, course, "before") == 2
    assert confidence.open_round(user.id, course, "after") == 1
    assert confidence.offer(user.id, course) == confidence.Offer("before", 2)


def test_scores_must_answer_every_statement_from_1_to_5(two_statements):
    course = two_statements
    assert confidence.parse_scores(course, {"s0": "4", "s1": "5"}) == ({0: 4, 1: 5}, [])
    for bad in ({"s0": "4"}, {"s0": "4", "s1": "6"}, {"s0": "0", "s1": "x"}, {}):
        scores, missing = confidence.parse_scores(course, bad)
        assert missing, bad
    with pytest.raises(ValueError):
        confidence.record(UserFactory(), course, "before", 1, {0: 4})
    with pytest.raises(ValueError):
        confidence.record(UserFactory(), course, "during", 1, {0: 4, 1: 4})


def test_one_rating_per_round_and_phase(two_statements, user):
    course = two_statements
    row, created = confidence.record(user, course, "before", 1, {0: 2, 1: 3})
    db.session.commit()
    assert created and row.scores == "2,3" and row.mean == 2.5
    again, created = confidence.record(user, course, "before", 1, {0: 5, 1: 5})
    db.session.commit()
    assert not created and again.id == row.id and again.scores == "2,3"
    # The database enforces it too: a racing duplicate insert is refused.
    db.session.add(
        ConfidenceRating(
            user_id=user.id, course_id=course.id, round=1, phase="before", scores="5,5", mean=5
        )
    )
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        db.session.commit()
    db.session.rollback()
    assert len(ratings()) == 1


def test_courses_without_statements_ask_nothing(course, user):
    course.confidence = ["  ", ""]
    db.session.commit()
    assert confidence.statements(course) == []
    assert confidence.offer(user.id, course) is None


# --- Through the pages ---------------------------------------------------------------


def test_course_page_offers_the_before_rating_and_the_form_works_without_javascript(
    client, two_statements, learner
):
    html = client.get("/learn/courses/starter").get_data(as_text=True)
    assert "Before you start: how confident do you feel?" in html
    assert BEFORE in Page(html).hrefs()
    page = Page(client.get(BEFORE))
    assert len(page.select("fieldset")) == 2
    assert "I can spot the warning signs." in page.texts("fieldset > legend")
    assert page.text('label[for="s0-1"]') == "1 – not at all confident"
    assert page.text('label[for="s1-5"]') == "5 – very confident"
    three = page.select_one("input#s1-3")
    assert (three["type"], three["name"], three["value"]) == ("radio", "s1", "3")
    form = page.form(action=BEFORE)
    assert form.options("s0") == form.options("s1") == ["1", "2", "3", "4", "5"]
    assert form.fields == {"csrf_token": [page.csrf_token()]}  # nothing chosen for the learner

    response = client.submit(BEFORE, {"s0": "4", "s1": "2"})
    assert response.status_code == 302 and response.headers["Location"] == "/learn/courses/starter"
    [row] = ratings()
    assert (row.user_id, row.phase, row.round, row.scores, row.mean) == (
        learner.id,
        "before",
        1,
        "4,2",
        3.0,
    )
    html = client.get("/learn/courses/starter").get_data(as_text=True)
    assert "your answers have been recorded" in html
    assert "how confident do you feel?" not in html  # nothing more to offer


def test_unanswered_statements_are_reported_and_nothing_is_saved(client, two_statements, learner):
    response = client.submit(BEFORE, {"s0": "4", "s1": "9"})
    assert response.status_code == 422
    page = Page(response)
    assert "There is a problem" in page.text()
    assert page.error_summary() == [
        ("#s1-1", "Choose a number from 1 to 5 for “I know who to tell.”")
    ]
    form = page.form(action=BEFORE)
    assert form["s0"] == "4" and "s1" not in form.fields  # the valid answer is kept
    assert ratings() == []


def test_a_second_submit_changes_nothing_and_says_so(client, two_statements, learner):
    client.submit(BEFORE, {"s0": "1", "s1": "1"})
    response = client.submit(BEFORE, {"s0": "5", "s1": "5"}, follow_redirects=True)
    assert "already recorded" in response.get_data(as_text=True)
    assert [r.scores for r in ratings()] == ["1,1"]
    page = client.get(BEFORE).get_data(as_text=True)
    assert "already recorded" in page and "1 – not at all confident" in page
    assert not Page(page).select("fieldset")


def test_skipping_hides_the_prompt_and_learning_is_never_blocked(client, course, learner, journey):
    assert "Rate my confidence" in client.get("/learn/courses/starter").get_data(as_text=True)
    response = client.submit(f"{BEFORE}/skip", page=BEFORE, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Skipped" in html and "Rate my confidence" not in html
    assert journey.start("basics") == "/learn/modules/basics/lessons/first"
    assert ratings() == []


def test_learning_starts_without_any_rating(client, course, learner, journey):
    assert journey.start("basics") == "/learn/modules/basics/lessons/first"


def test_before_closes_once_a_module_is_done(client, course, learner, journey):
    finish_basics(journey)
    response = client.get(BEFORE, follow_redirects=True)
    assert "nothing to rate" in response.get_data(as_text=True)
    assert client.submit(BEFORE, {"s0": "3"}, page="/learn/courses/starter").status_code == 302
    assert ratings() == []


def test_after_completion_the_after_rating_is_offered_and_pairs_with_before(
    client, course, learner, journey
):
    client.submit(BEFORE, {"s0": "2"})
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    journey.finish_lesson("basics", "second")
    journey.play("basics", "case")
    journey.answer(journey.start_quiz("basics"), correct_option_ids())
    journey.start("next-steps")
    page = "/learn/modules/next-steps/lessons/only"
    response = client.submit(f"{page}/done", page=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You have completed Starter course." in html
    assert Page(html).link("How confident do you feel now?").href == AFTER
    course_page = client.get("/learn/courses/starter").get_data(as_text=True)
    assert "You have finished: how confident do you feel now?" in course_page
    client.submit(AFTER, {"s0": "5"})
    assert [(r.phase, r.round, r.mean) for r in ratings()] == [
        ("before", 1, 2.0),
        ("after", 1, 5.0),
    ]
    assert "how confident" not in client.get("/learn/courses/starter").get_data(as_text=True)


def test_after_is_not_open_before_completion(client, course, learner):
    response = client.get(AFTER)
    assert response.status_code == 302 and response.headers["Location"] == "/learn/courses/starter"
    client.submit(AFTER, {"s0": "4"}, page="/learn/courses/starter")
    assert ratings() == []


def test_unknown_phase_course_or_a_course_with_no_statements_is_404(client, course, learner):
    assert client.get("/learn/courses/starter/confidence/during").status_code == 404
    assert client.get("/learn/courses/nope/confidence/before").status_code == 404
    course.confidence = []
    db.session.commit()
    assert client.get(BEFORE).status_code == 404
    assert "how confident" not in client.get("/learn/courses/starter").get_data(as_text=True)


def test_only_learners_rate_and_every_post_needs_a_csrf_token(client, auth, course):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    assert client.get(BEFORE).status_code == 403
    auth.logout()
    auth.login(UserFactory())
    assert client.post(BEFORE, data={"s0": "3"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ConfidenceRating)) == 0


def test_the_whole_journey_is_recorded_once_per_round(client, course, learner, journey):
    client.submit(BEFORE, {"s0": "3"})
    complete_course(journey)
    client.submit(AFTER, {"s0": "4"})
    client.submit(AFTER, {"s0": "1"})
    assert [(r.phase, r.scores) for r in ratings()] == [("before", "3"), ("after", "4")]
