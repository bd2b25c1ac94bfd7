"""A learner's way through a course in a real browser: by mouse, by keyboard alone, on a phone.

Every page these tests land on goes through `visit` or `check_after`, so each one is also
checked with axe-core (WCAG 2.x A/AA), for CSP violations, JavaScript errors and server
errors, including the error states (an unanswered quiz question, a scenario decision
not made, a stale decision sent from a second tab).

The keyboard tests never click, fill or check an element: they move with Tab and Shift+Tab
(`tab_to` asserts visible focus at every stop), select with Space and the arrow keys and
activate links and buttons with Enter. Typing into text fields uses page.keyboard.type.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import current_app
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from signpost.extensions import db
from signpost.models import (
    CourseCompletion,
    Module,
    ModuleProgress,
    Option,
    QuizSubmission,
    ScenarioChoice,
)
from tests.e2e import (
    assert_focus_visible,
    assert_no_horizontal_scroll,
    check_after,
    tab_to,
    visit,
)
from tests.factories import PASSWORD, UserFactory
from tests.journey import import_fixture

pytestmark = pytest.mark.browser

STARTER = "Starter course"
REAL_COURSE = "Child sexual exploitation: awareness for all staff"
RATED = {"recommended": "a recommended", "acceptable": "an acceptable", "unsafe": "an unsafe"}


# -- the database's view -----------------------------------------------------------------


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def correct_option_ids() -> set[int]:
    return set(db.session.scalars(select(Option.id).where(Option.correct.is_(True))))


def rating(choice_id: int | str) -> str:
    return db.session.get(ScenarioChoice, int(choice_id)).rating


def module_completed(user, slug: str) -> bool:
    progress = db.session.scalar(
        select(ModuleProgress)
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(ModuleProgress.user_id == user.id, Module.slug == slug)
    )
    return progress is not None and progress.completed_at is not None


def import_real_content() -> None:
    from signpost.content.importer import import_content

    import_content(Path(current_app.root_path) / "content")


# -- the page's view ---------------------------------------------------------------------


def path_of_url(url: str) -> str:
    """A URL's path, without the server or a #fragment."""
    return re.sub(r"^https?://[^/]+", "", url).split("#")[0]


def path_of(page: Page) -> str:
    return path_of_url(page.url)


def heading(page: Page):
    return expect(page.get_by_role("heading", level=1))


def questions(page: Page) -> list[dict]:
    """Each question fieldset of a quiz attempt: its inputs' ids, values and type, in order."""
    return page.locator("fieldset.question").evaluate_all(
        """(sets) => sets.map((set) => {
            const inputs = [...set.querySelectorAll('input')];
            return {
                type: inputs[0].type,
                ids: inputs.map((i) => i.id),
                values: inputs.map((i) => Number(i.value)),
            };
        })"""
    )


def inputs_for(question: dict, options: set[int], *, among: bool = True) -> list[str]:
    """Ids of the question's inputs whose option is in `options` (not in it: among=False)."""
    pairs = zip(question["ids"], question["values"], strict=True)
    return [i for i, value in pairs if (value in options) == among]


def choices(page: Page) -> list[dict]:
    """The radios of a scenario decision, in order, with each one's rating."""
    found = page.locator("input[name=choice]").evaluate_all(
        "(inputs) => inputs.map((i) => ({id: i.id, value: i.value}))"
    )
    return [{**c, "rating": rating(c["value"])} for c in found]


# -- mouse and fill ----------------------------------------------------------------------


def click(page: Page, target: Locator, *, status: int = 200):
    """Click a link or button that loads a page, then check that page."""
    return check_after(page, target.click, status=status)


def sign_in(page: Page, user) -> None:
    visit(page, "/account/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    click(page, page.get_by_role("button", name="Sign in"))
    heading(page).to_have_text("My learning")


def main_nav(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


# -- keyboard only -----------------------------------------------------------------------


def press_enter_on(page: Page, target: str | Locator, *, status: int = 200, max_presses: int = 40):
    """Tab to a link or button (visible focus at every stop), press Enter, check the new page."""
    tab_to(page, target, max_presses=max_presses)
    return check_after(page, lambda: page.keyboard.press("Enter"), status=status)


def keyboard_sign_in(page: Page, user) -> None:
    visit(page, "/account/sign-in")
    tab_to(page, "Email address")
    page.keyboard.type(user.email)
    tab_to(page, "Password", max_presses=1)
    page.keyboard.type(PASSWORD)
    press_enter_on(page, page.get_by_role("button", name="Sign in"), max_presses=3)
    heading(page).to_have_text("My learning")


def pick_radio(page: Page, ids: list[str], wanted: str, *, max_presses: int = 40) -> None:
    """Tab into a radio group, then select `wanted`: Space if focus lands on it, else arrows."""
    group = page.locator(", ".join(f"#{i}" for i in ids))
    tab_to(page, group, max_presses=max_presses)
    at = ids.index(page.evaluate("() => document.activeElement.id"))
    target = ids.index(wanted)
    if at == target:
        page.keyboard.press("Space")
    else:
        # An arrow key moves focus within the group and selects the radio it lands on.
        key = "ArrowDown" if target > at else "ArrowUp"
        for _ in range(abs(target - at)):
            page.keyboard.press(key)
            assert_focus_visible(page)
    chosen = page.locator(f"#{wanted}")
    expect(chosen).to_be_focused()
    expect(chosen).to_be_checked()
    for other in ids:
        if other != wanted:
            expect(page.locator(f"#{other}")).not_to_be_checked()


def tick(page: Page, checkbox_id: str, *, max_presses: int = 40) -> None:
    """Tab to a checkbox and tick it with Space."""
    box = page.locator(f"#{checkbox_id}")
    tab_to(page, box, max_presses=max_presses)
    expect(box).not_to_be_checked()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def keyboard_answer_quiz(page: Page, correct: set[int], *, max_presses: int = 40) -> None:
    """Answer every question on an attempt page correctly, then submit with Enter."""
    for question in questions(page):
        right = inputs_for(question, correct)
        assert right, f"no correct option among {question}"
        if question["type"] == "radio":
            assert len(right) == 1, question
            pick_radio(page, question["ids"], right[0], max_presses=max_presses)
        else:
            for checkbox_id in right:
                tick(page, checkbox_id, max_presses=max_presses)
    press_enter_on(page, page.get_by_role("button", name="Submit answers"), max_presses=max_presses)


def keyboard_play(page: Page, prefer: list[str], *, max_presses: int = 40) -> list[str]:
    """Play a scenario run to its ending; at decision n take the first choice rated prefer[n]
    (the last entry of `prefer` applies from then on). Returns the ratings chosen."""
    taken: list[str] = []
    for number in range(1, 30):
        if "how it ended" in page.get_by_role("heading", level=1).inner_text():
            return taken
        expect(page.locator("p.caption")).to_have_text(f"Decision {number}")
        offered = choices(page)
        want = prefer[min(number - 1, len(prefer) - 1)]
        choice = next((c for c in offered if c["rating"] == want), None)
        assert choice is not None, f"no {want} choice at decision {number}: {offered}"
        pick_radio(page, [c["id"] for c in offered], choice["id"], max_presses=max_presses)
        taken.append(choice["rating"])
        press_enter_on(page, page.get_by_role("button", name="Continue"), max_presses=3)
        if "how it ended" not in page.get_by_role("heading", level=1).inner_text():
            panel = page.get_by_role("region", name="Your last decision")
            expect(panel).to_contain_text(f"This was {RATED[choice['rating']]} response.")
    raise AssertionError("the scenario did not end")


def keyboard_module(
    page: Page,
    *,
    title: str,
    lessons: int,
    content_note: bool,
    prefer: list[str] | None = None,
    quiz: bool = False,
    max_presses: int = 40,
) -> tuple[list[str], str | None]:
    """From a module's contents page to its completion, by keyboard.

    Lessons, then the scenario (if `prefer` is given), then the quiz (if `quiz`), each
    reached by the button that leads to the learner's next step. Returns the ratings of
    the scenario decisions taken and the outcome of its ending.
    """
    taken: list[str] = []
    outcome = None
    heading(page).to_have_text(title)
    if content_note:
        expect(
            page.get_by_role("complementary", name="Content note: before you start")
        ).to_be_visible()
        start = page.get_by_role("button", name="I have read this note – start the module")
    else:
        start = page.get_by_role("button", name="Start the module", exact=True)
    press_enter_on(page, start, max_presses=max_presses)

    for number in range(1, lessons + 1):
        expect(page.locator("p.caption")).to_contain_text(f"Lesson {number} of {lessons}")
        expect(page.locator("p.progress-text")).to_contain_text(
            f"{number - 1} of {lessons} lessons done"
        )
        press_enter_on(
            page,
            page.get_by_role("button", name="Finish lesson and continue"),
            max_presses=max_presses,
        )

    if prefer is not None:
        press_enter_on(
            page, page.get_by_role("button", name="Start the scenario"), max_presses=max_presses
        )
        taken = keyboard_play(page, prefer, max_presses=max_presses)
        expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
        rows = page.get_by_role("table").locator("tbody tr")
        expect(rows).to_have_count(len(taken))
        outcome = page.locator("strong.tag").filter(has_text="Outcome:").inner_text()
        # Past "Continue" to "Play again", then back with Shift+Tab: both directions show focus.
        tab_to(page, page.get_by_role("button", name="Play again"), max_presses=max_presses)
        tab_to(page, page.get_by_role("link", name="Continue"), backwards=True, max_presses=1)
        check_after(page, lambda: page.keyboard.press("Enter"))

    if quiz:
        press_enter_on(
            page, page.get_by_role("button", name="Start the quiz"), max_presses=max_presses
        )
        keyboard_answer_quiz(page, correct_option_ids(), max_presses=max_presses)
        heading(page).to_have_text("Your result: 100%")
        expect(page.get_by_text("You passed.")).to_be_visible()
        press_enter_on(page, page.get_by_role("link", name="Continue"), max_presses=max_presses)

    heading(page).to_have_text(title)
    expect(page.get_by_text("You have completed this module")).to_be_visible()
    return taken, outcome


# -- 1. mouse and fill -------------------------------------------------------------------


def test_learner_completes_the_course_by_mouse_and_a_resubmitted_quiz_counts_once(
    page, context, live_server
):
    import_fixture()
    user = UserFactory()
    sign_in(page, user)

    click(page, main_nav(page, "My learning"))
    heading(page).to_have_text("My learning")
    card = page.locator(".card").filter(has_text=STARTER)
    expect(card).to_contain_text("Not started")

    # Lessons wait behind the module's contents page and its content note.
    visit(page, "/learn/modules/basics/lessons/first")
    assert path_of(page) == "/learn/modules/basics"
    expect(page.get_by_role("status")).to_have_text("Start the module to begin its lessons.")

    click(page, main_nav(page, "My learning"))
    click(page, card.get_by_role("link", name=f"Start {STARTER}"))
    assert path_of(page) == "/learn/modules/basics"
    heading(page).to_have_text("The basics")
    note = page.get_by_role("complementary", name="Content note: before you start")
    expect(note).to_be_visible()
    expect(note).to_contain_text("0808 800 5000")
    click(page, page.get_by_role("button", name="I have read this note – start the module"))

    # Two lessons, each finished at its end.
    assert path_of(page) == "/learn/modules/basics/lessons/first"
    heading(page).to_have_text("First lesson")
    expect(page.locator("p.caption")).to_have_text("Lesson 1 of 2 · about 4 minutes")
    expect(page.locator("p.progress-text")).to_contain_text("0 of 2 lessons done")
    click(page, page.get_by_role("button", name="Finish lesson and continue"))
    heading(page).to_have_text("Second lesson")
    expect(page.locator("p.progress-text")).to_contain_text("1 of 2 lessons done")
    click(page, page.get_by_role("button", name="Finish lesson and continue"))

    # The scenario, one decision at a time.
    assert path_of(page) == "/learn/modules/basics/scenarios/case"
    heading(page).to_have_text("A short case")
    click(page, page.get_by_role("button", name="Start the scenario"))
    run_url = page.url
    expect(page.locator("p.caption")).to_have_text("Decision 1")
    stale = context.new_page()  # the same decision, open in a second tab
    visit(stale, run_url)

    page.get_by_label("Ask calmly").check()
    click(page, page.get_by_role("button", name="Continue"))
    expect(page.locator("p.caption")).to_have_text("Decision 2")
    panel = page.get_by_role("region", name="Your last decision")
    expect(panel).to_contain_text("Ask calmly")
    expect(panel).to_contain_text("This was a recommended response.")

    # The second tab sends decision 1 again: refused, and it shows where the run stands.
    stale.get_by_label("Ignore it").check()
    click(stale, stale.get_by_role("button", name="Continue"), status=409)
    expect(stale.get_by_role("alert")).to_contain_text("already made")
    expect(stale.locator("p.caption")).to_have_text("Decision 2")
    stale.close()

    # Continue without choosing: asked to choose, nothing recorded.
    click(page, page.get_by_role("button", name="Continue"), status=422)
    expect(page.get_by_role("alert")).to_have_text("Choose what you would do, then continue.")
    page.get_by_label("Write it down").check()
    click(page, page.get_by_role("button", name="Continue"))

    heading(page).to_have_text("A short case: how it ended")
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Each decision you made"))
    expect(table.locator("thead th")).to_have_text(
        ["Decision", "You chose", "Rating", "Recommended choice"]
    )
    expect(table.locator("tbody tr").nth(0).locator("td")).to_have_text(
        ["1", "Ask calmly", "Recommended", "Same as yours"]
    )
    expect(table.locator("tbody tr").nth(1).locator("td")).to_have_text(
        ["2", "Write it down", "Acceptable", "Tell the lead"]
    )
    click(page, page.get_by_role("link", name="Continue"))

    # The quiz: first with a question left unanswered.
    assert path_of(page) == "/learn/modules/basics/quiz"
    click(page, page.get_by_role("button", name="Start the quiz"))
    attempt_url = page.url
    assert re.fullmatch(r"/learn/attempts/\d+", path_of(page)), page.url
    other_tab = context.new_page()  # the same attempt form, open in a second tab
    visit(other_tab, attempt_url)

    correct = correct_option_ids()
    first, second = questions(page)
    first_right = inputs_for(first, correct)
    for option_id in first_right:
        page.locator(f"#{option_id}").check()
    click(page, page.get_by_role("button", name="Submit answers"), status=422)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(["Answer question 2"])
    for option_id in first_right:  # the answer already given is kept
        expect(page.locator(f"#{option_id}")).to_be_checked()
    summary.get_by_role("link", name="Answer question 2").click()
    assert page.url.endswith(f"#{second['ids'][0]}")
    for option_id in inputs_for(second, correct):
        page.locator(f"#{option_id}").check()
    click(page, page.get_by_role("button", name="Submit answers"))
    assert page.url == attempt_url
    heading(page).to_have_text("Your result: 100%")
    expect(page.get_by_text("You passed.")).to_be_visible()
    assert count(QuizSubmission) == 1

    # Back: the previous entry is the form page the browser got by POST, so going back
    # sends that same form (same attempt key) again. Graded once: the first result shows.
    check_after(page, page.go_back)
    assert path_of(page) == path_of_url(attempt_url)
    expect(page.get_by_role("status")).to_have_text(
        "This attempt was already submitted. This is its result."
    )
    heading(page).to_have_text("Your result: 100%")

    # The form still open in the other tab, sent with wrong answers: the same first result.
    for question in questions(other_tab):
        other_tab.locator(f"#{inputs_for(question, correct, among=False)[0]}").check()
    click(other_tab, other_tab.get_by_role("button", name="Submit answers"))
    assert other_tab.url == attempt_url
    expect(other_tab.get_by_role("status")).to_contain_text("already submitted")
    heading(other_tab).to_have_text("Your result: 100%")
    other_tab.close()

    assert count(QuizSubmission) == 1
    submission = db.session.scalar(select(QuizSubmission))
    assert (submission.score, submission.passed) == (100, True)

    # The result's Continue leads to the finished module; then on to the next one.
    click(page, page.get_by_role("link", name="Continue"))
    assert path_of(page) == "/learn/modules/basics"
    expect(page.get_by_text("You have completed this module")).to_be_visible()
    click(page, main_nav(page, "My learning"))
    expect(card).to_contain_text("In progress")
    expect(card).to_contain_text("Next: Next steps")
    click(page, card.get_by_role("link", name=f"Continue {STARTER}"))
    heading(page).to_have_text("Next steps")
    expect(page.get_by_role("complementary")).to_have_count(0)  # no content note here
    click(page, page.get_by_role("button", name="Start the module", exact=True))
    heading(page).to_have_text("The only lesson")
    click(page, page.get_by_role("button", name="Finish lesson and continue"))
    expect(page.get_by_text("You have completed this module")).to_be_visible()

    click(page, main_nav(page, "My learning"))
    expect(card.locator(".tag")).to_have_text("Completed")
    expect(card.get_by_role("link", name=re.compile(r"^(Start|Continue) "))).to_have_count(0)
    assert count(CourseCompletion) == 1


# -- 2. keyboard only --------------------------------------------------------------------


def test_learner_goes_from_sign_in_to_a_completed_course_with_the_keyboard_alone(page, live_server):
    import_fixture()
    user = UserFactory()
    keyboard_sign_in(page, user)

    press_enter_on(page, main_nav(page, "My learning"))
    heading(page).to_have_text("My learning")
    press_enter_on(page, page.get_by_role("link", name=f"Start {STARTER}"))
    taken, outcome = keyboard_module(
        page,
        title="The basics",
        lessons=2,
        content_note=True,
        # The recommended first choice (Space), then the acceptable second one (an arrow key).
        prefer=["recommended", "acceptable"],
        quiz=True,
    )
    assert (taken, outcome) == (["recommended", "acceptable"], "Outcome: good")
    assert module_completed(user, "basics")

    press_enter_on(page, main_nav(page, "My learning"))
    press_enter_on(page, page.get_by_role("link", name=f"Continue {STARTER}"))
    keyboard_module(page, title="Next steps", lessons=1, content_note=False)

    press_enter_on(page, main_nav(page, "My learning"))
    card = page.locator(".card").filter(has_text=STARTER)
    expect(card.locator(".tag")).to_have_text("Completed")
    assert count(CourseCompletion) == 1
    assert count(QuizSubmission) == 1


def test_real_module_with_a_scenario_can_be_completed_with_the_keyboard_alone(page, live_server):
    """Spotting the signs, as published: 4 lessons, the Jade scenario and its quiz."""
    import_real_content()
    user = UserFactory()
    keyboard_sign_in(page, user)

    press_enter_on(page, main_nav(page, "My learning"))
    press_enter_on(page, page.get_by_role("link", name=REAL_COURSE, exact=True))
    heading(page).to_have_text(REAL_COURSE)
    press_enter_on(page, page.get_by_role("link", name="Spotting the signs", exact=True))
    taken, outcome = keyboard_module(
        page,
        title="Spotting the signs",
        lessons=4,
        content_note=True,
        prefer=["recommended"],
        quiz=True,
        max_presses=120,
    )
    assert (taken, outcome) == (["recommended"] * 10, "Outcome: good")
    assert module_completed(user, "spotting-the-signs")
    assert count(QuizSubmission) == 1


# -- 3. a small phone --------------------------------------------------------------------


def test_lesson_quiz_and_scenario_pages_fit_a_small_phone(page, live_server):
    import_fixture()
    page.set_viewport_size({"width": 375, "height": 667})
    sign_in(page, UserFactory())
    visit(page, "/learn/modules/basics")
    assert_no_horizontal_scroll(page)
    click(page, page.get_by_role("button", name="I have read this note – start the module"))

    heading(page).to_have_text("First lesson")
    assert_no_horizontal_scroll(page)

    visit(page, "/learn/modules/basics/scenarios/case")
    click(page, page.get_by_role("button", name="Start the scenario"))
    expect(page.locator("p.caption")).to_have_text("Decision 1")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Ask calmly").check()
    click(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("region", name="Your last decision")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_label("Tell the lead").check()
    click(page, page.get_by_role("button", name="Continue"))
    heading(page).to_have_text("A short case: how it ended")
    assert_no_horizontal_scroll(page)
    # The path table is wider than the phone: it scrolls inside its own region, which
    # takes keyboard focus so that the arrow keys can scroll it.
    region = page.get_by_role("region", name="Your path and the recommended path")
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")
    tab_to(page, region)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle())
    assert_no_horizontal_scroll(page)

    visit(page, "/learn/modules/basics/quiz")
    click(page, page.get_by_role("button", name="Start the quiz"))
    expect(page.locator("fieldset.question")).to_have_count(2)
    assert_no_horizontal_scroll(page)
    click(page, page.get_by_role("button", name="Submit answers"), status=422)
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert_no_horizontal_scroll(page)

    correct = correct_option_ids()
    for question in questions(page):
        for option_id in inputs_for(question, correct):
            page.locator(f"#{option_id}").check()
    click(page, page.get_by_role("button", name="Submit answers"))
    heading(page).to_have_text("Your result: 100%")
    assert_no_horizontal_scroll(page)
    click(page, page.get_by_role("link", name="Back to the quiz"))
    expect(page.get_by_role("table")).to_contain_text("Passed")
    assert_no_horizontal_scroll(page)
