"""Helpers that walk a learner through the learning pages as a browser would."""

from pathlib import Path

from signpost.content.importer import import_content
from tests.html import Page

FIXTURE = Path(__file__).parent / "learn_fixture"


def import_fixture(root: Path = FIXTURE):
    """Import the small test course."""
    return import_content(root)


def attempt_form(html) -> dict:
    """The hidden key and the question/option ids of a rendered quiz attempt."""
    form = Page(html).form(field="key")
    questions = {
        name: form.options(name)
        for name in form.names()
        if name.startswith("q") and name[1:].isdigit()
    }
    assert questions and all(questions.values()), form
    assert all(o.isdigit() for options in questions.values() for o in options), questions
    return {"key": form["key"], "questions": questions}


def location(response) -> str:
    """Where a redirect points."""
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]


class Journey:
    """A learner's actions on the learning pages, through the real forms."""

    def __init__(self, client):
        self.client = client

    def start(self, module: str) -> str:
        return location(
            self.client.submit(f"/learn/modules/{module}/start", page=f"/learn/modules/{module}")
        )

    def finish_lesson(self, module: str, lesson: str) -> str:
        page = f"/learn/modules/{module}/lessons/{lesson}"
        return location(self.client.submit(f"{page}/done", page=page))

    def start_quiz(self, module: str) -> str:
        page = f"/learn/modules/{module}/quiz"
        return location(self.client.submit(f"{page}/start", page=page))

    def answer(self, attempt_url: str, correct_ids: set[int] | None = None, *, pick="first"):
        """Submit an attempt; pick the first option of each question, or the given ids."""
        html = self.client.get(attempt_url).get_data(as_text=True)
        form = attempt_form(html)
        data = {"key": form["key"]}
        for name, options in form["questions"].items():
            if correct_ids is not None:
                data[name] = [o for o in options if int(o) in correct_ids]
            else:
                data[name] = options[0]
        token = self.client.csrf_token(attempt_url)
        return self.client.post(attempt_url, data={**data, "csrf_token": token})

    def play(self, module: str, scenario: str, pick: str = "recommended") -> str:
        """Play a scenario to its end, taking a choice of the given rating where one is offered."""
        page = f"/learn/modules/{module}/scenarios/{scenario}"
        url = location(self.client.submit(f"{page}/start", page=page))
        for _ in range(50):
            shown = Page(self.client.get(url))
            if "how it ended" in shown.text():
                return url
            form = shown.form(action=url)
            choice = self._choice(form.options("choice"), pick)
            response = self.client.submit(url, {"step": form["step"], "choice": choice})
            assert response.status_code == 302, response.get_data(as_text=True)
        raise AssertionError("scenario did not end")

    @staticmethod
    def _choice(ids: list[str], pick: str) -> str:
        """The first choice offered with the rating `pick`, else the content's first choice."""
        from signpost.extensions import db
        from signpost.models import ScenarioChoice

        assert ids, "no choices offered"
        offered = [db.session.get(ScenarioChoice, int(i)) for i in ids]
        for choice in offered:
            if choice.rating == pick:
                return str(choice.id)
        # The page shows a shuffled order: fall back to the content's first choice, not the page's.
        return str(min(offered, key=lambda c: c.position).id)
