"""Races on the learning pages, run for real: several requests at the same moment.

Each test signs a learner in, hands the same session cookie to N separate test clients
(as if the learner had N tabs open, or double-clicked on a slow connection), lines their
threads up on a barrier and lets them send the same request at once. Each request gets
its own app context and so its own database session and connection, as in a real server.
On SQLite the writes queue behind BEGIN IMMEDIATE; on PostgreSQL they really overlap, and
only the unique constraints and the code's handling of them keep the data right.
"""

import threading

import pytest
from sqlalchemy import func, select

from signpost import events
from signpost.extensions import db
from signpost.models import (
    CourseCompletion,
    LessonCompletion,
    ModuleProgress,
    Option,
    QuizAttempt,
    QuizSubmission,
    ScenarioRun,
    ScenarioStep,
)
from tests.html import Page
from tests.journey import Journey, attempt_form, location

N = 8  # concurrent requests in each race
ERROR_PAGE = "Sorry, something went wrong"


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def correct_option_ids() -> set[int]:
    return set(db.session.scalars(select(Option.id).where(Option.correct.is_(True))))


def tabs(app, client, n: int = N) -> list:
    """`n` new test clients carrying `client`'s session cookie: the same learner, signed in."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "sign in first"
    clones = []
    for _ in range(n):
        clone = app.test_client()
        clone.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
        clones.append(clone)
    return clones


def race(clients: list, action) -> list:
    """Run `action(client)` in one thread per client, all released at the same moment.

    Returns each thread's response as (status, location, body)."""
    # The test's own session must hold no transaction (on SQLite, BEGIN IMMEDIATE is a write
    # lock) and must not be used while the threads run: it belongs to this thread's context.
    db.session.commit()
    db.session.close()
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)
    failures: list = []

    def work(index, client):
        try:
            barrier.wait(timeout=30)
            response = action(client)
            results[index] = (
                response.status_code,
                response.headers.get("Location"),
                response.get_data(as_text=True),
            )
        except BaseException as error:  # reported in the main thread below
            failures.append(error)

    threads = [
        threading.Thread(target=work, args=(i, c), name=f"race-{i}") for i, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a request never finished (deadlock?)"
    assert not failures, failures
    for status, _, body in results:
        assert status < 500, body
        assert ERROR_PAGE not in body
    return results


def statuses(results) -> list[int]:
    return sorted(status for status, _, _ in results)


@pytest.fixture
def fired():
    """Course completions announced through the course_completed signal, from any thread."""
    seen: list[int] = []
    lock = threading.Lock()

    def record(completion):
        with lock:
            seen.append(completion.id)

    events.course_completed.connect(record)
    yield seen
    events.course_completed.disconnect(record)


def test_the_same_quiz_submission_at_once_is_graded_once(app, client, course, learner, journey):
    journey.start("basics")
    url = journey.start_quiz("basics")
    form = attempt_form(client.get(url).get_data(as_text=True))
    right = correct_option_ids()
    data = {n: [o for o in ids if int(o) in right] for n, ids in form["questions"].items()}
    data.update(key=form["key"], csrf_token=client.csrf_token(url))

    results = race(tabs(app, client), lambda c: c.post(url, data=data))

    assert statuses(results) == [302] * N
    assert {where for _, where, _ in results} == {url}
    assert count(QuizSubmission) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Your result: 100%" in page


def test_the_same_scenario_decision_at_once_is_recorded_once(app, client, course, learner, journey):
    journey.start("basics")
    page = "/learn/modules/basics/scenarios/case"
    url = location(client.submit(f"{page}/start", page=page))
    token = client.csrf_token(url)
    run_id = int(url.rsplit("/", 1)[1])

    for position in (0, 1):  # the recommended path: two decisions, then the ending
        offered = Page(client.get(url)).form(action=url).options("choice")
        choice_id = Journey._choice(offered, "recommended")
        data = {"step": str(position), "choice": choice_id, "csrf_token": token}

        results = race(tabs(app, client), lambda c, data=data: c.post(url, data=data))

        assert set(statuses(results)) <= {302, 409}
        assert statuses(results).count(302) >= 1
        for status, where, body in results:
            if status == 302:
                assert where == url
            else:
                assert "already made" in body or "already ended" in body
        assert (
            count(ScenarioStep, ScenarioStep.run_id == run_id, ScenarioStep.position == position)
            == 1
        )

    assert count(ScenarioStep) == 2
    run = db.session.get(ScenarioRun, run_id)
    assert run.finished_at is not None and run.current_key == "good-end"
    assert "how it ended" in client.get(url).get_data(as_text=True)


def test_starting_a_module_from_several_tabs_starts_it_once(app, client, course, learner):
    page = "/learn/modules/basics"
    token = client.csrf_token(page)

    results = race(tabs(app, client), lambda c: c.post(f"{page}/start", data={"csrf_token": token}))

    assert statuses(results) == [302] * N
    assert {where for _, where, _ in results} == {"/learn/modules/basics/lessons/first"}
    assert count(ModuleProgress) == 1


def test_finishing_the_same_lesson_at_once_records_it_once(app, client, course, learner, journey):
    journey.start("basics")
    page = "/learn/modules/basics/lessons/first"
    token = client.csrf_token(page)

    results = race(tabs(app, client), lambda c: c.post(f"{page}/done", data={"csrf_token": token}))

    assert statuses(results) == [302] * N
    assert {where for _, where, _ in results} == {"/learn/modules/basics/lessons/second"}
    assert count(LessonCompletion) == 1


def test_starting_the_quiz_several_times_at_once_opens_one_attempt(
    app, client, course, learner, journey
):
    journey.start("basics")
    page = "/learn/modules/basics/quiz"
    token = client.csrf_token(page)

    results = race(tabs(app, client), lambda c: c.post(f"{page}/start", data={"csrf_token": token}))

    assert statuses(results) == [302] * N
    attempt = db.session.scalar(select(QuizAttempt))
    assert {where for _, where, _ in results} == {f"/learn/attempts/{attempt.id}"}
    assert count(QuizAttempt) == 1 and attempt.number == 1


def _basics_up_to_the_quiz(journey, *, second_lesson: bool = True) -> str:
    """The first module done except submitting its open quiz attempt (and maybe a lesson)."""
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    if second_lesson:
        journey.finish_lesson("basics", "second")
    journey.play("basics", "case")
    return journey.start_quiz("basics")


def _passing_answers(client, url) -> dict:
    form = attempt_form(client.get(url).get_data(as_text=True))
    right = correct_option_ids()
    data = {n: [o for o in ids if int(o) in right] for n, ids in form["questions"].items()}
    return {**data, "key": form["key"], "csrf_token": client.csrf_token(url)}


def _assert_completed_once(fired):
    done = db.session.scalars(select(CourseCompletion)).all()
    assert len(done) == 1, [(c.id, c.round) for c in done]
    assert done[0].round == 1
    assert [m["module"] for m in done[0].module_versions] == ["basics", "next-steps"]
    assert fired == [done[0].id]
    assert count(ModuleProgress, ModuleProgress.completed_at.is_not(None)) == 2


def test_the_last_lesson_of_a_course_finished_at_once_completes_it_once(
    app, client, course, learner, journey, fired
):
    attempt_url = _basics_up_to_the_quiz(journey)
    journey.answer(attempt_url, correct_option_ids())
    journey.start("next-steps")
    page = "/learn/modules/next-steps/lessons/only"
    token = client.csrf_token(page)
    assert fired == []

    results = race(tabs(app, client), lambda c: c.post(f"{page}/done", data={"csrf_token": token}))

    assert statuses(results) == [302] * N
    assert count(LessonCompletion) == 3
    _assert_completed_once(fired)
    assert "Completed" in client.get("/learn/").get_data(as_text=True)


@pytest.mark.parametrize("n", [2, N], ids=["two tabs", f"{N} tabs"])
@pytest.mark.parametrize("where", ["across modules", "within a module"])
def test_different_last_steps_finished_at_once_complete_the_course_once(
    app, client, course, learner, journey, fired, where, n
):
    """Half the requests submit the quiz, half finish a lesson: both were all that was left.

    Neither request alone sees the whole course done until the other has committed, so
    the completion check must not miss it (nobody completes the course) or repeat it.
    With two tabs the race is purest: no repeated request comes late and papers over it."""
    if where == "across modules":
        # The first module's quiz and the second module's only lesson are left.
        attempt_url = _basics_up_to_the_quiz(journey)
        journey.start("next-steps")
        lesson = "/learn/modules/next-steps/lessons/only"
    else:
        # The second module is done; the first module's last lesson and its quiz are left.
        attempt_url = _basics_up_to_the_quiz(journey, second_lesson=False)
        journey.start("next-steps")
        journey.finish_lesson("next-steps", "only")
        lesson = "/learn/modules/basics/lessons/second"
    answers = _passing_answers(client, attempt_url)
    token = client.csrf_token(lesson)
    assert count(CourseCompletion) == 0

    clients = tabs(app, client, n)
    submitters = set(clients[1::2])

    def action(c):
        if c in submitters:
            return c.post(attempt_url, data=answers)
        return c.post(f"{lesson}/done", data={"csrf_token": token})

    results = race(clients, action)

    assert statuses(results) == [302] * n
    assert count(QuizSubmission) == 1 and count(LessonCompletion) == 3
    _assert_completed_once(fired)
