"""The learner's journey through the web pages."""

import datetime as dt

from sqlalchemy import func, select

from signpost import events
from signpost.extensions import db
from signpost.models import (
    Assignment,
    CourseCompletion,
    LessonCompletion,
    ModuleProgress,
    Option,
    QuizAttempt,
    QuizSubmission,
    Role,
    ScenarioChoice,
    ScenarioRun,
    ScenarioStep,
    utcnow,
)
from tests.factories import UserFactory
from tests.html import Page
from tests.journey import attempt_form, location


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def correct_option_ids():
    return set(db.session.scalars(select(Option.id).where(Option.correct.is_(True))))


def finish_basics(journey):
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    journey.finish_lesson("basics", "second")
    journey.play("basics", "case")
    attempt = journey.start_quiz("basics")
    journey.answer(attempt, correct_option_ids())


def test_my_learning_shows_required_courses_with_status_due_date_and_time_left(
    client, course, learner
):
    due = utcnow() + dt.timedelta(days=10)
    db.session.add(Assignment(user_id=learner.id, course_id=course.id, due_at=due))
    db.session.commit()
    page = Page(client.get("/learn/"))
    text = page.text()
    assert "Required for you" in text
    assert "Not started" in text
    assert f"Due {due.strftime('%-d %B %Y')}" in text
    # Not started: the trainers' estimates for each module (20 + 5 minutes).
    assert "about 25 min left" in text
    assert "/learn/modules/basics" in page.hrefs()


def test_overdue_assignment_is_shown_as_overdue(client, course, learner):
    db.session.add(
        Assignment(user_id=learner.id, course_id=course.id, due_at=utcnow() - dt.timedelta(days=1))
    )
    db.session.commit()
    assert "Overdue" in client.get("/learn/").get_data(as_text=True)


def test_content_note_comes_before_the_first_lesson(client, course, learner, journey):
    response = client.get("/learn/modules/basics/lessons/first")
    assert location(response) == "/learn/modules/basics"
    page = client.get("/learn/modules/basics").get_data(as_text=True)
    assert "Content note" in page and "0808 800 5000" in page
    assert "I have read this note – start the module" in page
    assert journey.start("basics") == "/learn/modules/basics/lessons/first"


def test_lessons_record_reaching_the_end_and_lead_to_the_next_step(
    client, course, learner, journey
):
    journey.start("basics")
    page = Page(client.get("/learn/modules/basics/lessons/first"))
    text = page.text()
    assert "Lesson 1 of 2" in text and "about 4 minutes" in text and "0 of 2 lessons done" in text
    assert "/learn/modules/basics/lessons/second" in page.hrefs()  # the authored link, rewritten
    assert count(LessonCompletion) == 0  # reading is not finishing
    assert journey.finish_lesson("basics", "first") == "/learn/modules/basics/lessons/second"
    assert journey.finish_lesson("basics", "first") == "/learn/modules/basics/lessons/second"
    assert count(LessonCompletion) == 1
    assert journey.finish_lesson("basics", "second") == "/learn/modules/basics/scenarios/case"


def test_continue_resumes_the_exact_next_step_on_another_device(app, course, learner, journey):
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    other = app.test_client()
    other.submit(
        "/account/sign-in", {"email": learner.email, "password": "orange kettle harbour lamp"}
    )
    page = Page(other.get("/learn/"))
    assert page.link("Continue Starter course").href == "/learn/modules/basics/lessons/second"


def test_quiz_attempt_is_stable_on_reload_and_graded_on_the_server(
    client, course, learner, journey
):
    journey.start("basics")
    attempt_url = journey.start_quiz("basics")
    first = attempt_form(client.get(attempt_url).get_data(as_text=True))
    second = attempt_form(client.get(attempt_url).get_data(as_text=True))
    assert first == second and len(first["questions"]) == 2
    assert (
        location(
            client.submit("/learn/modules/basics/quiz/start", page="/learn/modules/basics/quiz")
        )
        == attempt_url
    )

    response = journey.answer(attempt_url, correct_option_ids())
    assert location(response) == attempt_url
    result = client.get(attempt_url).get_data(as_text=True)
    assert "Your result: 100%" in result and "The pass mark is 50%" in result
    assert "Explanation" in result and "Correct answer" in result
    assert "Question 1: Correct" in result and "Question 2: Correct" in result
    submission = db.session.scalar(select(QuizSubmission))
    assert (submission.score, submission.passed, submission.total) == (100, True, 2)


def test_wrong_answers_show_feedback_and_the_retake_limit_applies(client, course, learner, journey):
    journey.start("basics")
    for number in range(1, 4):
        url = journey.start_quiz("basics")
        journey.answer(url, set())  # nothing correct: unanswered questions are refused
        assert count(QuizSubmission) == number - 1
        wrong = {o.id for o in db.session.scalars(select(Option).where(Option.correct.is_(False)))}
        journey.answer(url, wrong)
        page = client.get(url).get_data(as_text=True)
        assert "You did not pass this time" in page and "Your answer" in page
        assert "Question 1: Not correct" in page and "Question 2: Not correct" in page
    quiz_page = client.get("/learn/modules/basics/quiz").get_data(as_text=True)
    assert "You have used all 3 attempts" in quiz_page
    response = client.submit("/learn/modules/basics/quiz/start", page="/learn/modules/basics/quiz")
    assert location(response) == "/learn/modules/basics/quiz"
    assert count(QuizAttempt) == 3


def test_double_submit_records_one_attempt_and_shows_the_first_result(
    client, course, learner, journey
):
    journey.start("basics")
    url = journey.start_quiz("basics")
    form = attempt_form(client.get(url).get_data(as_text=True))  # the page as rendered once
    token = client.csrf_token("/learn/")
    right, every = correct_option_ids(), set(db.session.scalars(select(Option.id)))

    def post(chosen):
        answers = {n: [o for o in ids if int(o) in chosen] for n, ids in form["questions"].items()}
        return client.post(url, data={**answers, "key": form["key"], "csrf_token": token})

    first = post(right)
    again = post(every)  # the back button, different answers, submitted again
    assert location(first) == location(again) == url
    assert count(QuizSubmission) == 1
    page = client.get(url).get_data(as_text=True)
    assert "already submitted" in page and "Your result: 100%" in page


def test_tampered_quiz_submissions_record_nothing(client, course, learner, journey):
    journey.start("basics")
    url = journey.start_quiz("basics")
    form = attempt_form(client.get(url).get_data(as_text=True))
    token = client.csrf_token(url)
    answers = {name: ids[0] for name, ids in form["questions"].items()}
    foreign_option = max(db.session.scalars(select(Option.id))) + 1000
    name = next(iter(answers))
    cases = [
        ({**answers, "key": "not-the-key"}, 400, "does not belong to this attempt"),
        (
            {**answers, "key": form["key"], name: str(foreign_option)},
            400,
            "not part of this attempt",
        ),
        ({**answers, "key": form["key"], "q999999": "1"}, 400, "not part of this attempt"),
        ({**answers, "key": form["key"], name: "abc"}, 400, "not in the right form"),
    ]
    for data, status, message in cases:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
    assert client.post(url, data={**answers, "key": form["key"]}).status_code == 400  # no CSRF
    assert count(QuizSubmission) == 0


def test_someone_elses_attempt_and_run_are_not_found(app, client, course, learner, journey, auth):
    journey.start("basics")
    attempt_url = journey.start_quiz("basics")
    run_url = location(
        client.submit(
            "/learn/modules/basics/scenarios/case/start",
            page="/learn/modules/basics/scenarios/case",
        )
    )
    auth.logout()
    auth.login(UserFactory())
    # Out of scope looks exactly like something that does not exist.
    assert client.get(attempt_url).status_code == 404
    assert client.get(run_url).status_code == 404
    response = client.submit(run_url, {"step": "0", "choice": "1"}, page="/learn/")
    assert response.status_code == 404
    assert count(QuizSubmission) == 0 and count(ScenarioStep) == 0


def test_scenario_records_each_choice_and_ends_with_a_debrief(client, course, learner, journey):
    journey.start("basics")
    url = journey.play("basics", "case", pick="acceptable")
    page = client.get(url).get_data(as_text=True)
    assert "how it ended" in page and "Debrief" in page
    assert "Your path and the recommended path" in page
    assert "Same as yours" in page  # first choice: only the recommended was acceptable
    assert "Tell the lead" in page  # the recommended choice beside the learner's
    steps = db.session.scalars(select(ScenarioStep).order_by(ScenarioStep.position)).all()
    assert [s.rating for s in steps] == ["recommended", "acceptable"]
    assert all(s.chosen_at is not None for s in steps)


def test_scenario_refuses_choices_not_offered_and_stale_steps(client, course, learner, journey):
    journey.start("basics")
    page = "/learn/modules/basics/scenarios/case"
    url = location(client.submit(f"{page}/start", page=page))
    offered = Page(client.get(url)).form(action=url).options("choice")
    assert offered and all(c.isdigit() for c in offered), offered
    not_offered = str(max(int(c) for c in offered) + 1)
    assert client.submit(url, {"step": "0", "choice": not_offered}).status_code == 400
    assert client.submit(url, {"step": "0", "choice": "x"}).status_code == 400
    # The order is shuffled: take the recommended choice, which does not end the run.
    going_on = next(
        i for i in offered if db.session.get(ScenarioChoice, int(i)).rating == "recommended"
    )
    assert client.submit(url, {"step": "0", "choice": going_on}).status_code == 302
    stale = client.submit(url, {"step": "0", "choice": going_on})
    assert stale.status_code == 409
    assert "already made" in stale.get_data(as_text=True)
    assert count(ScenarioStep) == 1


def test_scenarios_can_be_replayed_and_every_run_is_kept(client, course, learner, journey):
    journey.start("basics")
    first = journey.play("basics", "case", pick="unsafe")
    second = journey.play("basics", "case")
    assert first != second
    runs = db.session.scalars(select(ScenarioRun).order_by(ScenarioRun.number)).all()
    assert [r.number for r in runs] == [1, 2] and all(r.finished_at for r in runs)
    assert runs[0].current_key == "bad-end" and runs[1].current_key == "good-end"


def test_finishing_the_last_step_completes_module_and_course_in_the_same_request(
    client, course, learner, journey
):
    fired = []

    def record(completion):
        fired.append(completion.id)

    events.course_completed.connect(record)
    try:
        finish_basics(journey)
        assert db.session.scalar(
            select(ModuleProgress).where(ModuleProgress.round == 1)
        ).completed_at
        assert count(CourseCompletion) == 0
        journey.start("next-steps")
        journey.finish_lesson("next-steps", "only")
    finally:
        events.course_completed.disconnect(record)
    done = db.session.scalar(select(CourseCompletion))
    assert done is not None and done.round == 1
    assert [m["module"] for m in done.module_versions] == ["basics", "next-steps"]
    assert fired == [done.id]
    html = client.get("/learn/").get_data(as_text=True)
    assert "Completed" in html
    journey.finish_lesson("next-steps", "only")  # going back over it adds nothing
    assert count(CourseCompletion) == 1


def test_learner_keeps_their_version_after_content_changes(
    client, course, learner, journey, tmp_path
):
    import shutil

    from tests.journey import FIXTURE, import_fixture

    journey.start("basics")
    journey.finish_lesson("basics", "first")
    changed = tmp_path / "content"
    shutil.copytree(FIXTURE, changed)
    lesson = changed / "basics" / "02-second.md"
    lesson.write_text(
        lesson.read_text().replace("The second lesson.", "The second lesson, revised.")
    )
    report = import_fixture(changed)
    assert report.new_versions == ["basics v2"]

    page = client.get("/learn/modules/basics/lessons/second").get_data(as_text=True)
    assert "The second lesson." in page and "revised" not in page
    journey.finish_lesson("basics", "second")
    mine = db.session.scalar(select(ModuleProgress))
    assert mine.version.number == 1

    newcomer = UserFactory()
    client.submit("/account/sign-out", page="/account/password")
    client.submit(
        "/account/sign-in", {"email": newcomer.email, "password": "orange kettle harbour lamp"}
    )
    journey.start("basics")
    page = client.get("/learn/modules/basics/lessons/second").get_data(as_text=True)
    assert "revised" in page


def test_completed_learner_keeps_completion_of_the_old_version(
    client, course, learner, journey, tmp_path
):
    import shutil

    from tests.journey import FIXTURE, import_fixture

    finish_basics(journey)
    changed = tmp_path / "content"
    shutil.copytree(FIXTURE, changed)
    lesson = changed / "basics" / "01-first.md"
    lesson.write_text(lesson.read_text() + "\nMore text.\n")
    import_fixture(changed)
    progress = db.session.scalar(select(ModuleProgress))
    assert progress.completed_at is not None and progress.version.number == 1
    assert "You have completed this module" in client.get("/learn/modules/basics").get_data(
        as_text=True
    )


def test_learning_pages_need_the_learner_role(client, auth, course):
    auth.login(UserFactory(roles=[Role.AUDITOR]))
    assert client.get("/learn/").status_code == 403
