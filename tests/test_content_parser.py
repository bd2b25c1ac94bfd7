"""Parsing content files: front matter, quizzes, scenarios, and rendering to safe HTML."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from signpost.content.frontmatter import read
from signpost.content.importer import _rewriter
from signpost.content.loader import load
from signpost.content.problems import Problems
from signpost.content.quiz import parse_quiz
from signpost.content.render import render, render_inline
from signpost.content.scenario import parse_scenario, recommended_path
from signpost.local_details import KEYS, placeholders

VALID = Path(__file__).parent / "content_fixtures" / "valid"


def write(tmp_path: Path, text: str, name: str = "file.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(problems: Problems) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems.sorted()]


# --- front matter -------------------------------------------------------------------------


def test_front_matter_fields_body_and_line_numbers():
    problems = Problems()
    doc = read(VALID / "basics/module.md", problems)
    assert not problems
    assert doc.meta["title"] == "The basics"
    assert doc.meta["level"] == 1
    assert doc.meta["review_by"] == dt.date(2027, 11, 1)
    assert doc.meta["content_note"] == "This module is only a test.\n"
    assert doc.meta["references"][0]["year"] == 2017
    assert doc.meta_lines == {
        "title": 2, "summary": 3, "level": 4, "audience": 5, "minutes": 6, "outcomes": 7,
        "version": 10, "review_by": 11, "content_note": 12, "references": 14, "completion": 19,
    }  # fmt: skip
    assert doc.line_of("references") == 14
    assert doc.line_of("not-there") == 1
    assert doc.body_line == 22
    assert doc.body == "\nWhat this module covers."


def test_nested_keys_do_not_count_as_fields(tmp_path):
    path = write(tmp_path, "---\nouter:\n  title: nested\ntitle: top\n---\nBody\n")
    doc = read(path, Problems())
    assert doc.meta_lines == {"outer": 2, "title": 4}
    assert (doc.body, doc.body_line) == ("Body", 6)


def test_empty_front_matter_and_body(tmp_path):
    doc = read(write(tmp_path, "---\n---\n"), Problems())
    assert (doc.meta, doc.body, doc.body_line) == ({}, "", 3)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: a\nsummary: b: c\n---\n", 3, "mapping values are not allowed here"),
        ("---\ntitle: a\n\n\nlist:\n  - one\n - two\n---\n", 7, "not valid YAML"),
        # An unclosed quote or bracket is found at the end of the front matter.
        ('---\ntitle: "unclosed\nsummary: x\n---\n', 3, "not valid YAML"),
        ("---\ntitle: a\ntitle: [b\n---\nbody\n", 3, "not valid YAML"),
        ("---\n*nowhere\n---\n", 2, "not valid YAML"),
        ("---\njust text\n---\n", 2, "front matter must be a set of 'name: value' lines"),
        ("no front matter\n", 1, "file must start with front matter"),
        ("", 1, "file must start with front matter"),
        ("---\ntitle: a\n", 1, "front matter is not closed"),
    ],
)
def test_front_matter_errors_name_their_line(tmp_path, text, line, message):
    problems = Problems()
    assert read(write(tmp_path, text), problems) is None
    [(found_line, found_message)] = messages(problems)
    assert found_line == line
    assert message in found_message


def test_front_matter_with_crlf_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "file.md"
    path.write_bytes(
        b"\xef\xbb\xbf---\r\ntitle: Caf\xc3\xa9\r\nminutes: 5\r\n---\r\n\r\nBody line\r\n"
    )
    doc = read(path, Problems())
    assert doc.meta == {"title": "Café", "minutes": 5}
    assert doc.meta_lines == {"title": 2, "minutes": 3}
    assert (doc.body, doc.body_line) == ("\nBody line", 5)


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    problems = Problems()
    text = "---\ntitle: !!python/object/apply:os.system ['echo hacked']\n---\n"
    assert read(write(tmp_path, text), problems) is None
    assert messages(problems)[0][0] == 2


# --- quiz ---------------------------------------------------------------------------------


def parse_quiz_file(path: Path) -> tuple:
    problems = Problems()
    doc = read(path, problems)
    quiz = parse_quiz(doc, problems)
    return quiz, problems


def test_quiz_settings_and_questions():
    quiz, problems = parse_quiz_file(VALID / "basics/quiz.md")
    assert not problems
    assert (quiz.title, quiz.pass_mark, quiz.draw, quiz.attempts, quiz.wait_minutes) == (
        "Check your understanding", 80, 2, 0, 0,
    )  # fmt: skip
    assert quiz.minutes == 3  # not given: 1.5 minutes a question drawn
    assert quiz.wait_after_failures == 0  # not given: the wait follows every failed attempt
    assert [q.lesson for q in quiz.questions] == [None, None, None]
    assert [(q.key, q.kind, q.line) for q in quiz.questions] == [
        ("pick-one", "single", 9),
        ("pick-many", "multiple", 23),
        ("true-or-false", "true-false", 37),
    ]


def test_quiz_options_feedback_and_explanation():
    quiz, _ = parse_quiz_file(VALID / "basics/quiz.md")
    one = quiz.questions[0]
    assert one.stem == "Which one is right?"
    assert one.stem_line == 12
    assert [(o.line, o.text, o.correct) for o in one.options] == [
        (14, "The right answer", True),
        (16, "A wrong answer", False),
    ]
    assert one.options[0].feedback == "Yes, that is right."
    # A feedback line continues on the next indented line.
    assert one.options[1].feedback == "No, that is wrong.\nIt is wrong for two reasons."
    assert one.options[1].feedback_line == 17
    # The explanation runs on over several lines, to the next question.
    assert (
        one.explanation == "The first line of the explanation.\nThe second line of the explanation."
    )
    assert one.explanation_line == 20
    many = quiz.questions[1]
    assert [o.correct for o in many.options] == [True, True, False]
    assert [o.feedback for o in many.options] == ["Yes.", "Yes, this too.", "No."]
    true_false = quiz.questions[2]
    assert [(o.text, o.correct) for o in true_false.options] == [("True", False), ("False", True)]
    assert true_false.explanation == "The sky is blue."


def test_quiz_details(tmp_path):
    path = write(
        tmp_path,
        "---\npass_mark: 50\ndraw: 1\nminutes: 4\n---\n"
        "## Question: q\n"  # 6
        "\n"
        "A question over\n"  # 8
        "two lines, with **Markdown**.\n"
        "\n"
        "- [X] An option whose text\n"  # 11: a capital X is correct too
        "  runs on\n"
        "  Feedback: First.\n"
        "- [ ] Another\n"  # 14
        "\n"
        "Explanation:\n"  # 16
        "The explanation starts on the next line.\n"  # 17
        "\n"
        "It has two paragraphs.\n",
    )
    quiz, problems = parse_quiz_file(path)
    assert not problems
    assert quiz.minutes == 4
    [q] = quiz.questions
    assert q.kind == "single"  # the default
    assert (q.stem, q.stem_line) == ("A question over\ntwo lines, with **Markdown**.", 8)
    assert [(o.text, o.correct, o.feedback) for o in q.options] == [
        ("An option whose text runs on", True, "First."),
        ("Another", False, ""),
    ]
    assert q.explanation == "The explanation starts on the next line.\n\nIt has two paragraphs."
    assert q.explanation_line == 17


def test_quiz_wait_after_failures_and_question_lessons(tmp_path):
    path = write(
        tmp_path,
        "---\npass_mark: 80\ndraw: 1\nwait_minutes: 30\nwait_after_failures: 2\n---\n"
        "## Question: q\n"  # 7
        "lesson: 02-warning-signs.md\n"  # 8: the .md may be written, and is dropped
        "type: multiple\n"  # settings may come in either order
        "\n"
        "Which?\n"
        "\n"
        "- [x] One\n"
        "- [ ] Two\n"
        "\n"
        "Explanation: Because.\n",
    )
    quiz, problems = parse_quiz_file(path)
    assert not problems
    assert (quiz.wait_minutes, quiz.wait_after_failures) == (30, 2)
    [q] = quiz.questions
    assert (q.kind, q.lesson, q.lesson_line, q.stem) == (
        "multiple",
        "02-warning-signs",
        8,
        "Which?",
    )


def test_local_detail_placeholders():
    text = "Ring {{local.front_door_phone}} or {{local.lado|your LADO, via your lead}}. {{ x }}"
    assert placeholders(text) == [
        ("front_door_phone", None, 5),
        ("lado", "your LADO, via your lead", 35),
    ]
    assert placeholders("{{local.x|}}") == [("x", "", 0)]  # an empty fallback shows nothing
    assert placeholders("{{local.Upper}} {{local.}} {{local.x") == []


def test_local_detail_keys_have_labels():
    assert {"front_door_phone", "lado", "escalation_policy_url", "safeguarding_lead"} <= set(KEYS)
    assert all(re.fullmatch(r"[a-z0-9_]+", key) and label.strip() for key, label in KEYS.items())


# --- scenario -----------------------------------------------------------------------------


def parse_scenario_file(path: Path, slug: str = "x") -> tuple:
    problems = Problems()
    doc = read(path, problems)
    return parse_scenario(doc, slug, problems), problems


def test_scenario_settings_and_nodes():
    scenario, problems = parse_scenario_file(VALID / "basics/scenario-x.md")
    assert not problems
    assert (scenario.slug, scenario.title, scenario.summary, scenario.role, scenario.start) == (
        "x", "X: a test scenario", "You decide what to do.", "Tester", "begin",
    )  # fmt: skip
    assert scenario.minutes == 10  # the default
    assert [(n.key, n.ending, n.line) for n in scenario.nodes] == [
        ("begin", False, 8),
        ("ask", False, 17),
        ("safe", True, 25),
        ("ignored", True, 33),
    ]


def test_scenario_choices_ratings_and_feedback():
    scenario, _ = parse_scenario_file(VALID / "basics/scenario-x.md")
    begin = scenario.node("begin")
    assert (begin.narrative, begin.narrative_line) == ("Something worrying happens.", 10)
    assert [(c.line, c.rating, c.text, c.target) for c in begin.choices] == [
        (12, "recommended", "Ask what is wrong", "ask"),
        (14, "unsafe", "Ignore it", "ignored"),
    ]
    assert [c.feedback for c in begin.choices] == [
        "Asking is where protection starts.",
        "Ignoring it leaves the child at risk.",
    ]
    assert begin.choices[0].feedback_line == 13
    ask = scenario.node("ask")
    assert [c.rating for c in ask.choices] == ["recommended", "acceptable"]
    assert ask.choices[1].feedback == ""  # feedback is optional


def test_scenario_endings_outcome_and_debrief():
    scenario, _ = parse_scenario_file(VALID / "basics/scenario-x.md")
    safe, ignored = scenario.node("safe"), scenario.node("ignored")
    assert (safe.outcome, safe.narrative, safe.choices) == ("good", "The child gets help.", [])
    assert safe.debrief == "You noticed, asked and told someone.\nThat is what protects children."
    assert (safe.narrative_line, safe.debrief_line) == (28, 30)
    assert (ignored.outcome, ignored.debrief) == (
        "poor",
        "Noticing is not enough without telling someone.",
    )


def test_recommended_path():
    scenario, _ = parse_scenario_file(VALID / "basics/scenario-x.md")
    assert recommended_path(scenario) == ["begin", "ask", "safe"]


def test_scenario_details(tmp_path):
    path = write(
        tmp_path,
        "---\ntitle: T\nsummary: S\nstart: a\nminutes: 3\n---\n"
        "## Node: a\n"  # 7
        "Narrative straight under the heading.\n"
        "- [acceptable] First listed, but not recommended -> b\n"  # 9
        "  Feedback: Starts here\n"
        "  and runs on.\n"
        "- [recommended] Text with -> in it -> c\n"  # 12
        "## Ending: b\n"  # 13
        "Mixed.\n"
        "Debrief: One.\n"
        "## Ending: c\n"
        "outcome: mixed\n"
        "Narrative.\n"
        "Debrief:\n"
        "Starts on the next line.\n",  # 20
    )
    scenario, problems = parse_scenario_file(path)
    assert not problems, messages(problems)
    assert scenario.minutes == 3
    a = scenario.node("a")
    assert [(c.text, c.target) for c in a.choices] == [
        ("First listed, but not recommended", "b"),
        ("Text with -> in it", "c"),
    ]
    assert a.choices[0].feedback == "Starts here\nand runs on."
    assert recommended_path(scenario) == ["a", "c"]
    assert scenario.node("b").outcome is None  # outcome is optional
    c = scenario.node("c")
    assert (c.outcome, c.debrief, c.debrief_line) == ("mixed", "Starts on the next line.", 20)


# --- rendering ----------------------------------------------------------------------------


def test_markdown_tables_and_footnotes_render():
    html = render((VALID / "basics/01-first.md").read_text().split("---\n", 2)[2])
    assert "<h1>First heading</h1>" in html
    assert "<table>" in html and "<th>Sign</th>" in html and "<td>Ask kindly</td>" in html
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert '<section class="footnotes">' in html
    assert "Department for Education, 2017." in html


def test_render_inline_has_no_paragraph():
    assert render_inline("A *short* option") == "A <em>short</em> option"


HOSTILE = [
    "<script>alert(1)</script>",
    '<iframe src="https://example.org"></iframe>',
    '<img src="x" onerror="alert(1)" alt="x">',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">a</a>',
    '<a href=" javascript:alert(1)">a</a>',
    "[a](javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>',
    "![a](data:image/svg+xml;base64,PHN2Zz4=)",
    '<p style="background: url(https://example.org/track)">a</p>',
    "<style>body { display: none }</style>",
    '<div onclick="alert(1)" onmouseover="alert(2)">a</div>',
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><img src=x onerror="alert(1)"></mtext></math>',
    '<form action="https://example.org"><input name="p"></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<base href="https://example.org/">',
    '<meta http-equiv="refresh" content="0; url=https://example.org">',
    '<a href="https://example.org" target="_blank" class="btn" id="x">a</a>',
]


class Elements(HTMLParser):
    """Every start tag in some HTML, with its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe(html: str) -> None:
    """No tag, attribute or address in `html` that could run script or load from elsewhere."""
    unsafe_tags = {"script", "iframe", "style", "svg", "math", "form", "input", "object", "embed",
                   "base", "meta", "link", "frame"}  # fmt: skip
    for tag, attrs in Elements(html).tags:
        assert tag not in unsafe_tags, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"style", "target", "srcdoc"}, html
            if name == "class":
                assert value in {"footnote-ref", "footnotes", "footnotes-list"}, html
            if name in {"href", "src", "action", "formaction"}:
                scheme = value.split(":")[0].strip().lower() if ":" in value else ""
                assert scheme in {"", "http", "https", "mailto", "tel"}, html


@pytest.mark.parametrize("markdown", HOSTILE)
def test_rendered_html_is_sanitised(markdown):
    html = render(f"Text\n\n{markdown}\n\nMore *text*.\n")
    assert_safe(html)
    assert "<em>text</em>" in html
    assert "alert(1)</" not in html  # script content is dropped, not shown as text


def test_inline_rendering_is_sanitised():
    html = render_inline('<img src=x onerror="alert(1)"> [a](javascript:x) <b style="x">b</b>')
    assert_safe(html)
    assert "<b>b</b>" in html


def test_links_keep_rel_noopener():
    assert 'rel="noopener noreferrer"' in render("[GOV.UK](https://www.gov.uk)")


def test_lesson_links_and_images_are_rewritten():
    html = render(
        "[next](02-second.md) [other](../next-steps/01-next.md#next-heading) "
        "![A small grey circle](images/dot.svg) [web](https://www.gov.uk) [here](#top)",
        base="basics",
        rewrite=_rewriter(7, "basics"),
    )
    assert 'href="/learn/modules/basics/lessons/second"' in html
    assert 'href="/learn/modules/next-steps/lessons/next#next-heading"' in html
    assert 'src="/content/assets/7/images/dot.svg"' in html
    assert 'href="https://www.gov.uk"' in html
    assert 'href="#top"' in html


def test_course_pages_link_to_lessons():
    html = render("[start](../basics/01-first.md)", base="courses", rewrite=_rewriter(0, ""))
    assert 'href="/learn/modules/basics/lessons/first"' in html


def test_the_whole_fixture_renders_without_relative_links():
    tree, problems = load(VALID)
    assert not problems
    for module in tree.modules:
        for lesson in module.lessons:
            html = render(lesson.body, base=module.slug, rewrite=_rewriter(1, module.slug))
            assert ".md" not in html
            assert 'src="images/' not in html
