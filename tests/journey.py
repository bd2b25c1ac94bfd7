"""Helpers that walk a learner through the learning pages as a browser would."""

import re
from pathlib import Path

from signpost.content.importer import import_content

FIXTURE = Path(__file__).parent / "learn_fixture"


def import_fixture(root: Path = FIXTURE):
    """Import the small test course."""
    return import_content(root)


def attempt_form(html: str) -> dict:
    """The hidden fields and the question/option ids of a rendered quiz attempt."""
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    questions: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(q\d+)" value="(\d+)"', html):
        questions.setdefault(name, []).append(value)
    return {"key": key, "questions": questions}


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
            html = self.client.get(url).get_data(as_text=True)
            if "how it ended" in html:
                return url
            step = re.search(r'name="step" value="(\d+)"', html).group(1)
            choice = self._choice(url, html, pick)
            response = self.client.submit(url, {"step": step, "choice": choice})
            assert response.status_code == 302, response.get_data(as_text=True)
        raise AssertionError("scenario did not end")

    @staticmethod
    def _choice(url, html, pick):
        from signpost.extensions import db
        from signpost.models import ScenarioChoice

        offered = [
            db.session.get(ScenarioChoice, int(i))
            for i in re.findall(r'name="choice" value="(\d+)"', html)
        ]
        for choice in offered:
            if choice.rating == pick:
                return str(choice.id)
        # The page shows a shuffled order: fall back to the content's first choice, not the page's.
        return str(min(offered, key=lambda c: c.position).id)
