# ruff: noqa: E501 - the list of quoted lines below keeps each line exactly as it is in content/.
"""Checks over the course material as shipped in content/, for what `content check` cannot judge.

`content check` enforces the format. These tests hold the material to the rules in
content/README.md ("Writing well", "Assessment"): each would fail if a fault fixed in
issue 12 came back.
"""

import datetime as dt
import difflib
import itertools
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


def learner_texts(tree, *, rejected: bool = True):
    """(where, text) for every text a learner reads: pages, notes, questions and scenarios.

    With rejected=False, leave out the wrong options and unsafe choices: what the material
    shows in order to teach that it is wrong.
    """
    for course in tree.courses:
        yield where(course.path, course.body_line), course.body
    for module in tree.modules:
        yield where(module.path / "module.md", 1), module.content_note or ""
        yield where(module.path / "module.md", module.intro_line), module.intro
        for lesson in module.lessons:
            yield where(lesson.path, lesson.body_line), lesson.body
        for q in module.quiz.questions if module.quiz else []:
            texts = [q.stem, q.explanation] + [o.feedback for o in q.options]
            texts += [o.text for o in q.options if rejected or o.correct]
            yield from ((where(module.quiz.path, q.line), t) for t in texts)
        for scenario in module.scenarios:
            for node in scenario.nodes:
                texts = [node.narrative, node.debrief] + [c.feedback for c in node.choices]
                texts += [c.text for c in node.choices if rejected or c.rating != "unsafe"]
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
        for place, text in learner_texts(tree, rejected=False)
        for sentence in sentences(text)
        if ("NSPCC helpline" in sentence or "0808 800 5000" in sentence)
        and "worried about a child" not in sentence
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
    # Quizzes: wrong options, and questions about blaming words.
    (
        "language-and-victim-blaming/quiz.md",
        "In a meeting you are chairing, a colleague says, \"She's 15 but she's 'consenting', so there's not much we can do.\" What is the most accurate response?",
    ),
    (
        "language-and-victim-blaming/quiz.md",
        "A referral says: \"Amira (14) is 'putting herself at risk' by going to parties with older men.\" Which rewording is most accurate?",
    ),
    (
        "language-and-victim-blaming/quiz.md",
        'In a multi-agency meeting you are attending, a senior colleague from another agency keeps describing a 13-year-old as "promiscuous", and the group seems to be moving towards taking no action. What is your best response?',
    ),
    (
        "language-and-victim-blaming/quiz.md",
        'Explanation: Phrases such as "putting herself at risk" place the responsibility on the child. Better language describes what adults are doing and the harm to the child, for example "is at risk of sexual exploitation" or "is being exploited" (The Children\'s Society and NAPAC, 2024).',
    ),
    ("spotting-the-signs/quiz.md", '- [ ] "She is promiscuous and seems to like the attention."'),
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


# --- assessment -------------------------------------------------------------------------------


def plain_length(markdown: str) -> int:
    """Characters a learner reads: link text without its address, no emphasis marks."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return len(" ".join(re.sub(r"[*_`]", "", text).split()))


def questions(tree):
    """(quiz path, question) for every question in every shipped quiz."""
    for module in tree.modules:
        for question in module.quiz.questions if module.quiz else []:
            yield module.quiz.path, question


def correct_rank(question) -> str:
    """Whether the correct option of a single-answer question is the longest, the shortest or
    neither. A tie with the longest wrong option counts as longest (a learner could still
    spot it by length), and a tie with the shortest as shortest."""
    right = next(plain_length(o.text) for o in question.options if o.correct)
    wrong = [plain_length(o.text) for o in question.options if not o.correct]
    return "longest" if right >= max(wrong) else "shortest" if right <= min(wrong) else "middle"


def test_the_correct_option_is_not_given_away_by_its_length(tree):
    ranks = [correct_rank(q) for _, q in questions(tree) if q.kind == "single"]
    assert len(ranks) >= 30
    assert ranks.count("longest") <= len(ranks) / 3, f"{ranks.count('longest')} of {len(ranks)}"
    # ...and not by being the shortest either: learners soon spot a pattern the other way.
    assert ranks.count("shortest") <= len(ranks) / 2, f"{ranks.count('shortest')} of {len(ranks)}"


def test_every_multiple_answer_question_has_at_least_two_wrong_options(tree):
    few = [
        where(path, q.line)
        for path, q in questions(tree)
        if q.kind == "multiple" and sum(not o.correct for o in q.options) < 2
    ]
    assert not few, few


def test_every_question_names_the_lesson_that_covers_it(tree):
    missing = [where(path, q.line) for path, q in questions(tree) if not q.lesson]
    assert not missing, missing


# A question about a study's findings or a definition tests recall, not judgement.
RECALL = re.compile(
    r"\baccording to\b|\bwhich of these did\b|\bwhat did\b.*\b(?:find|say)\b|\bwhat is meant by\b"
    r"|\bbest describes?\b|^what is (?:a|an|the)\b|\(\d{4}\)",
    re.IGNORECASE,
)
# "you", or a named child: "Dani, 15" or "Amira (14)".
APPLIED = re.compile(r"\b(?i:you|your)\b|\b[A-Z][a-z]+(?:, | \()\d{1,2}\b")


def test_questions_are_about_a_named_child_or_you_not_recall(tree):
    for path, q in questions(tree):
        stem = " ".join(q.stem.split())
        assert not RECALL.search(stem), f"{where(path, q.line)}: tests recall: {stem}"
        assert APPLIED.search(stem), f"{where(path, q.line)}: not about a named child or you"


def test_no_question_is_asked_twice_across_modules(tree):
    stems = [
        (path.parent.name, where(path, q.line), " ".join(q.stem.lower().split()))
        for path, q in questions(tree)
    ]
    for (module_a, at_a, a), (module_b, at_b, b) in itertools.combinations(stems, 2):
        if module_a != module_b:
            similar = difflib.SequenceMatcher(None, a, b).ratio()
            assert similar < 0.8, f"{at_a} and {at_b} ask nearly the same question"


def test_quizzes_make_a_learner_wait_only_after_repeated_failures(tree):
    for module in tree.modules:
        quiz = module.quiz
        assert quiz is not None, f"{module.slug} has no quiz"
        assert quiz.draw <= len(quiz.questions)
        # One retry straight away after a slip; then time to go back over the lessons.
        assert quiz.wait_after_failures >= 2 and quiz.wait_minutes >= 15, module.slug


# --- time and CPD hours -----------------------------------------------------------------------


def words(text: str) -> int:
    return len([w for w in text.split() if re.search(r"[A-Za-z0-9]", w)])


def real_minutes(module) -> int:
    parts = sum(lesson.minutes for lesson in module.lessons)
    parts += module.quiz.minutes if module.quiz else 0
    return parts + sum(scenario.minutes for scenario in module.scenarios)


def test_module_minutes_are_the_sum_of_their_parts(tree):
    for module in tree.modules:
        assert module.minutes == real_minutes(module), module.slug


def test_lesson_minutes_match_the_reading_they_take(tree):
    # README: about 170 words a minute. Allow for tables and thinking time, not for padding.
    for module in tree.modules:
        for lesson in module.lessons:
            count = words(lesson.body)
            assert count / 250 <= lesson.minutes <= count / 120 + 1, (
                f"{where(lesson.path, 1)}: {lesson.minutes} minutes for {count} words"
            )


def test_cpd_hours_are_no_more_than_the_time_the_modules_take(tree):
    modules = {m.slug: m for m in tree.modules}
    for course in tree.courses:
        hours = sum(real_minutes(modules[slug]) for slug in course.modules) / 60
        assert 0 < course.cpd_hours <= hours, (
            f"{course.slug}: {course.cpd_hours} h for {hours:.2f} h"
        )


# --- exploitation beyond CSE ------------------------------------------------------------------


def test_the_level_2_course_covers_exploitation_beyond_cse(tree):
    level_2 = next(c for c in tree.courses if c.slug == "cse-multi-agency")
    assert "exploitation-beyond-cse" in level_2.modules
    module = next(m for m in tree.modules if m.slug == "exploitation-beyond-cse")
    assert module.level == 2 and module.review_by <= dt.date(2027, 12, 1)
    assert 4 <= len(module.lessons) <= 6
    assert module.quiz and len(module.quiz.questions) > module.quiz.draw
    [scenario] = module.scenarios
    decisions = [n for n in scenario.nodes if not n.ending]
    endings = {n.outcome for n in scenario.nodes if n.ending}
    assert len(decisions) >= 10 and len([n for n in scenario.nodes if n.ending]) >= 3
    assert {"good", "poor"} <= endings
    assert re.search(r"police|nurse|doctor|health", scenario.role or "", re.IGNORECASE)
    # The module names what the issue asked for, so that a rewrite cannot quietly drop one.
    text = " ".join(lesson.body for lesson in module.lessons)
    for topic in [
        "county lines",
        "National Referral Mechanism",
        "section 45",
        "independent child trafficking guardian",
        "contextual safeguarding",
        "nudify",
        "learning disabilit",
        "LGBTQ+",
        "IICSA",
        "Casey",
    ]:
        assert topic.lower() in text.lower(), topic
