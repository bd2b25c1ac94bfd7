# ruff: noqa: E501 - the list of quoted lines below keeps each line exactly as it is in content/.
"""Checks over the course material as shipped in content/, for what `content check` cannot judge.

`content check` enforces the format. These tests hold the material to the rules in
content/README.md ("Writing well", "Assessment"): each would fail if a fault fixed in
issue 12 came back.
"""

import datetime as dt
import re
from pathlib import Path

import pytest

from signpost.content.loader import load
from signpost.local_details import KEYS, placeholders

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


# --- signposting ------------------------------------------------------------------------------


def learner_texts(tree):
    """(where, text) for every text a learner reads: pages, notes, questions and scenarios."""
    for course in tree.courses:
        yield where(course.path, course.body_line), course.body
    for module in tree.modules:
        yield where(module.path / "module.md", 1), module.content_note or ""
        yield where(module.path / "module.md", module.intro_line), module.intro
        for lesson in module.lessons:
            yield where(lesson.path, lesson.body_line), lesson.body
        for q in module.quiz.questions if module.quiz else []:
            texts = [q.stem, q.explanation] + [t for o in q.options for t in (o.text, o.feedback)]
            yield from ((where(module.quiz.path, q.line), t) for t in texts)
        for scenario in module.scenarios:
            for node in scenario.nodes:
                texts = [node.narrative, node.debrief]
                texts += [t for c in node.choices for t in (c.text, c.feedback)]
                yield from ((where(scenario.path, node.line), t) for t in texts)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def content_notes(tree):
    """(where, text) of each module's content note and each course's "A note on content"."""
    for module in tree.modules:
        yield (
            where(module.path / "module.md", module.lines.get("content_note", 1)),
            (module.content_note or ""),
        )
    for course in tree.courses:
        _, _, note = course.body.partition("## A note on content")
        yield where(course.path, course.body_line), note.split("\n## ")[0]


def test_the_nspcc_helpline_is_offered_only_to_adults_worried_about_a_child(tree):
    # It is not a line for the learner's own feelings: staff support is supervision, the
    # employee assistance programme, Samaritans and NAPAC (DESIGN.md, README "Writing well").
    wrong = [
        f"{place}: {sentence}"
        for place, text in learner_texts(tree)
        for sentence in sentences(text)
        if "NSPCC" in sentence and "worried about a child" not in sentence
    ]
    assert not wrong, "\n".join(wrong)


def test_every_content_note_names_staff_support(tree):
    notes = list(content_notes(tree))
    assert len(notes) == len(tree.modules) + len(tree.courses)
    for place, note in notes:
        assert note.strip(), f"{place}: no content note"
        for needed in ("supervisor", "employee assistance", "Samaritans", "116 123", "NAPAC"):
            assert needed in " ".join(note.split()), f"{place}: the content note lacks {needed!r}"
        assert "0808 801 0331" in note, f"{place}: give NAPAC's number"
        assert "Childline on 0800 1111" in note and "999" in note, place


def test_the_lessons_on_local_procedures_say_whom_to_call_here(tree):
    # Each area's own numbers come from its local details, never from one area's text.
    needed = {
        "what-to-do": {"safeguarding_lead", "front_door_phone", "out_of_hours_phone", "lado"},
        "information-sharing": {
            "exploitation_meeting",
            "return_interview_provider",
            "escalation_policy_url",
        },
        "the-16-18-gap": {"lado", "escalation_policy_url"},
    }
    modules = {m.slug: m for m in tree.modules}
    for slug, keys in needed.items():
        used = {key for lesson in modules[slug].lessons for key, _, _ in placeholders(lesson.body)}
        assert keys <= used, f"{slug} lessons do not use {sorted(keys - used)}"


def test_every_placeholder_has_a_fallback_that_reads_on_its_own(tree):
    # A site may not have filled in every detail yet; the page must still make sense.
    bare = [
        f"{place}: {{{{local.{key}}}}}"
        for place, text in learner_texts(tree)
        for key, fallback, _ in placeholders(text)
        if fallback is None or not fallback.strip()
    ]
    assert not bare, "\n".join(bare)


# --- language ---------------------------------------------------------------------------------

# Words the course teaches people not to use about children. They may appear only where the
# material is teaching exactly that (quoted as an example to avoid, or as a wrong option), so
# each such line is listed here, by file and its exact text. A new use fails until someone
# has checked that it, too, is teaching not to use the phrase.
BLAMING = re.compile(
    r"hard\s+to\s+engage|will\s+not\s+engage|won't\s+engage|promiscuous|consenting"
    r"|(?:putting|put|puts)\s+(?:themselves|herself|himself)\s+at\s+risk",
    re.IGNORECASE,
)
TEACHING_NOT_TO_USE = {
    # Scenarios: a wrong choice, and a debrief naming the phrases as blaming.
    (
        "information-sharing/scenario-kayleigh.md",
        '- [unsafe] Tell Kayleigh she needs to stop "putting herself at risk" or she may end up in care -> lost-contact',
    ),
    (
        "information-sharing/scenario-kayleigh.md",
        '"making her own choices" or "putting herself at risk". Those phrases blame a',
    ),
    # Language and victim-blaming: the phrases to avoid, and why.
    (
        "language-and-victim-blaming/01-why-language-matters.md",
        'labelled as "promiscuous" and treated as if they had agreed to what was',
    ),
    (
        "language-and-victim-blaming/01-why-language-matters.md",
        '- **Thresholds and priorities.** A referral that says a child is "putting',
    ),
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '| "putting themselves at risk" | Makes the child responsible for the danger. | "is at risk of sexual exploitation", "is being exploited", or name who is creating the risk: "adults are exposing her to harm" |',
    ),
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '| "consenting", "consensual", "agreed to it" | A child cannot consent to their own abuse. It hides the power imbalance. | "the child cannot consent to their own abuse"; "apparent consent"; describe the coercion, control or exchange you know about |',
    ),
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '| "promiscuous", "sexually active" (about exploitation) | Judges the child\'s character and hides the abuse. | "has been sexually abused by several adults"; describe the concern |',
    ),
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '| "won\'t engage", "hard to reach", "non-compliant" | Places the failure on the child. Disengagement is often a sign of grooming. | "we have not yet found a way to build trust with him"; "services have not reached her" |',
    ),
    # ...the referral rewritten in lesson 2 quotes the bad version first.
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '> "Leah (16) continues to put herself at risk by staying out with her older',
    ),
    (
        "language-and-victim-blaming/02-phrases-to-avoid.md",
        '> boyfriend. She is consenting and chooses not to engage with services."',
    ),
    (
        "language-and-victim-blaming/03-records-and-challenging-colleagues.md",
        'So a label written once can **follow a child for years**. "Promiscuous" in a',
    ),
    (
        "language-and-victim-blaming/03-records-and-challenging-colleagues.md",
        "- **Ask, don't lecture.** \"When we say he's consenting, what do we mean? At",
    ),
    (
        "language-and-victim-blaming/03-records-and-challenging-colleagues.md",
        "- **Link it to the decision.** \"If the minutes say 'putting herself at risk',",
    ),
    # Lessons in other modules quoting the labels inquiries found, or phrases to avoid.
    (
        "listening-to-young-people/04-parents-carers-and-the-childs-voice.md",
        'case closed because the child "won\'t engage";',
    ),
    (
        "spotting-the-signs/01-warning-signs.md",
        '"promiscuous" and treated as if they had agreed to what was happening.',
    ),
    ("spotting-the-signs/02-vulnerabilities-not-causes.md", '- "She\'s putting herself at risk."'),
    (
        "spotting-the-signs/04-curiosity-and-recording.md",
        '- **Free of labels.** Avoid words like "promiscuous", "attention seeking" or',
    ),
    (
        "supervision-and-wellbeing/04-resources-and-better-decisions.md",
        'start recording it with a label such as "won\'t engage": the language',
    ),
    (
        "the-16-18-gap/03-apparent-consent-and-exploitation.md",
        '| "She is consenting." | "She is 17 and may be being exploited. The activity appears consensual, but there is an imbalance of power." |',
    ),
    (
        "the-16-18-gap/03-apparent-consent-and-exploitation.md",
        '| "He is putting himself at risk." | "He is at risk from an adult who is exploiting him." |',
    ),
    (
        "the-16-18-gap/03-apparent-consent-and-exploitation.md",
        '- Never record a 16 or 17 year old as "consenting" to exploitation.',
    ),
    (
        "understanding-cse/04-forms-of-cse.md",
        'children had been wrongly labelled as "promiscuous" and treated as though',
    ),
    (
        "understanding-cse/04-forms-of-cse.md",
        '| "She\'s consenting." | "She is being sexually exploited. She may not see it as abuse." |',
    ),
    (
        "understanding-cse/04-forms-of-cse.md",
        '| "He\'s putting himself at risk." | "He is at risk from people who are exploiting him." |',
    ),
    (
        "understanding-cse/04-forms-of-cse.md",
        '| "She\'s promiscuous." | "She is being sexually abused by several adults." |',
    ),
    # Quizzes: wrong options and questions about blaming words.
    (
        "language-and-victim-blaming/quiz.md",
        "A colleague says in a meeting, \"She's 15 but she's 'consenting', so there's not much we can do.\" What is the most accurate response?",
    ),
    (
        "language-and-victim-blaming/quiz.md",
        "A referral says: \"Amira (14) is 'putting herself at risk' by going to parties with older men.\" Which rewording is most accurate?",
    ),
    (
        "language-and-victim-blaming/quiz.md",
        'A senior colleague from another agency keeps describing a 13-year-old as "promiscuous" in a multi-agency meeting, and the group seems to be moving towards taking no action. What is the best response?',
    ),
    (
        "language-and-victim-blaming/quiz.md",
        'Explanation: Phrases such as "putting herself at risk" place the responsibility on the child. Better language describes what adults are doing and the harm to the child, for example "is at risk of sexual exploitation" or "is being exploited" (The Children\'s Society and NAPAC, 2024).',
    ),
    ("spotting-the-signs/quiz.md", '- [ ] "She is promiscuous and seems to like the attention."'),
    ("spotting-the-signs/quiz.md", '- [x] "She is putting herself at risk."'),
    ("the-16-18-gap/quiz.md", '- [ ] She is "consenting", so there is nothing to report.'),
    ("the-16-18-gap/quiz.md", '- [ ] She should be warned that she is "putting herself at risk".'),
    (
        "the-16-18-gap/quiz.md",
        'Feedback: No. The statutory definition says a child may be exploited even if the activity appears consensual. Describing a child as "consenting" to exploitation is victim-blaming language.',
    ),
    ("understanding-cse/quiz.md", '- [ ] "He is putting himself at risk by going missing."'),
    (
        "understanding-cse/quiz.md",
        'Explanation: Inquiries summarised by Coffey (2017) found that exploited children had been wrongly labelled as "promiscuous" and as having "consented", and that these labels helped adults to look away. Research describes a shift towards seeing these children as victims of abuse rather than as offenders (Dodsworth and Sorensen, 2016). Records follow children between agencies, so accurate language matters.',
    ),
}


def blaming_uses() -> set[tuple[str, str]]:
    """(file, the line a blaming phrase starts on) for every use in the shipped material."""
    found = set()
    for path in sorted(CONTENT.rglob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for match in BLAMING.finditer(text):  # across line breaks, as a reader sees it
            line = lines[text.count("\n", 0, match.start())].strip()
            found.add((path.relative_to(CONTENT).as_posix(), line))
    return found


def test_blaming_words_appear_only_where_the_course_teaches_not_to_use_them():
    uses = blaming_uses()
    unexpected = sorted(uses - TEACHING_NOT_TO_USE)
    assert not unexpected, "blaming language outside the list:\n" + "\n".join(map(str, unexpected))
    stale = sorted(TEACHING_NOT_TO_USE - uses)
    assert not stale, "listed lines no longer in the content:\n" + "\n".join(map(str, stale))


def test_the_blaming_words_check_finds_them_across_line_breaks():
    assert BLAMING.search("When a child is in trouble, missing or hard to\n  engage, ask")
    assert BLAMING.search("Kayleigh will not engage with a social worker")


# --- sources ------------------------------------------------------------------------------------


def test_every_module_is_referenced_and_due_for_review_within_two_years(tree):
    latest = dt.date.today() + dt.timedelta(days=2 * 366)  # two years, whatever the leap days
    for module in tree.modules:
        assert module.references, f"{module.slug}: no references"
        assert module.review_by is not None, f"{module.slug}: no review_by"
        assert module.review_by <= latest, (
            f"{module.slug}: review_by {module.review_by} is too far off"
        )
