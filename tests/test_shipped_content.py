"""Checks over the course material as shipped in content/, for what `content check` cannot judge.

`content check` enforces the format. These tests hold the material to the rules in
content/README.md ("Writing well", "Assessment"): each would fail if a fault fixed in
issue 12 came back.
"""

import re
from pathlib import Path

import pytest

from signpost.content.loader import load
from signpost.local_details import KEYS

CONTENT = Path(__file__).parents[1] / "content"


@pytest.fixture(scope="module")
def tree():
    tree, problems = load(CONTENT)
    assert not problems, "\n".join(p.format(CONTENT) for p in problems.sorted())
    return tree


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(CONTENT)}:{line}"


def choices(tree):
    """(scenario path, choice) for every choice in every shipped scenario."""
    for module in tree.modules:
        for scenario in module.scenarios:
            for node in scenario.nodes:
                for choice in node.choices:
                    yield scenario.path, choice


# --- scenarios: ratings that never teach delay ----------------------------------------------

# Words that put action off. A choice that waits when a child is in danger, has just
# disclosed, or another child is at risk is unsafe however reasonable it sounds, so any
# choice worded like this must be rated unsafe (README, "Rating choices").
DELAY_CUES = re.compile(
    r"\b(tomorrow|this evening|tonight|next week|later|wait(?:ing)?|after the weekend"
    r"|in the morning|when you have time|first thing)\b",
    re.IGNORECASE,
)


def test_the_shipped_content_passes_content_check(tree):
    assert tree.modules and tree.courses


def test_every_choice_that_puts_action_off_is_rated_unsafe(tree):
    wrong = [
        f"{where(path, c.line)}: [{c.rating}] {c.text}"
        for path, c in choices(tree)
        if DELAY_CUES.search(c.text) and c.rating != "unsafe"
    ]
    assert not wrong, "choices that delay must be [unsafe]:\n" + "\n".join(wrong)


def test_the_delay_cues_find_delay():
    # The cue list is what the test above relies on: it must catch the wording that was
    # rated acceptable before issue 12.
    for text in [
        "Let him go home to his mum, and email Priya and the MASH this evening",
        "Let Jade go home, write up what she said this evening and hand it over tomorrow",
        "Make a note and raise it at next week's pastoral meeting",
        "Suggest waiting until you have spoken to Sam's mum",
    ]:
        assert DELAY_CUES.search(text), text
    assert not DELAY_CUES.search("Tell the DSL in person before you go home")


def test_every_choice_that_is_not_recommended_says_what_should_have_happened(tree):
    # The feedback is where a learner who chose badly is taught: it is never empty.
    silent = [
        where(path, c.line)
        for path, c in choices(tree)
        if c.rating != "recommended" and not c.feedback
    ]
    assert not silent, silent


# --- the trainers' guide --------------------------------------------------------------------


def test_the_trainers_guide_lists_every_local_detail():
    guide = (CONTENT / "README.md").read_text(encoding="utf-8")
    missing = [key for key in KEYS if f"| `{key}` |" not in guide]
    assert not missing, f"content/README.md does not list: {missing}"
