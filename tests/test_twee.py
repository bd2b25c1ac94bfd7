"""Twine (Twee 3) import (issue 14, point 6): links, tags, dropped code, errors by line."""

import re
import shutil
from pathlib import Path

import pytest

from signpost.content.frontmatter import read
from signpost.content.interop import ConversionError
from signpost.content.loader import load
from signpost.content.problems import Problems
from signpost.content.render import render, render_inline
from signpost.content.scenario import parse_scenario, recommended_path
from signpost.content.twee import (
    ROLE_PLACEHOLDER,
    SUMMARY_PLACEHOLDER,
    TWEE_MAX_BYTES,
    read_bytes,
    twee_to_scenario,
)
from signpost.content.twee_read import parse_header, read_twee
from signpost.content.twee_scan import split_link

FIXTURES = Path(__file__).parent / "interop_fixtures"
MALFORMED = FIXTURES / "malformed-twee"
VALID_MODULE = Path(__file__).parent / "content_fixtures" / "valid" / "basics"
UNSAFE = re.compile(r"<script|<iframe|<object|<svg|<style|\son\w+\s*=|javascript:|vbscript:", re.I)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The line of the fixture that holds `needle` (so the assertions name real lines)."""
    return text[: text.index(needle)].count("\n") + 1


def parse_file(tmp_path: Path, markdown: str, slug: str = "sam"):
    path = tmp_path / f"scenario-{slug}.md"
    path.write_text(markdown, encoding="utf-8")
    problems = Problems()
    scenario = parse_scenario(read(path, problems), slug, problems)
    return scenario, [p.message for p in problems.items]


def content_check(tmp_path: Path, markdown: str, slug: str = "sam") -> list[str]:
    """Problems `flask content check` would report for a module with this scenario."""
    module = tmp_path / "content" / "imported"
    shutil.copytree(VALID_MODULE, module)
    (module / "scenario-x.md").unlink()
    (module / f"scenario-{slug}.md").write_text(markdown, encoding="utf-8")
    _, problems = load(tmp_path / "content")
    return [p.format(tmp_path) for p in problems.sorted()]


@pytest.fixture(scope="module")
def story():
    return twee_to_scenario(fixture("story.twee"), slug="sam", path="story.twee")


def choices(scenario, key: str) -> list[tuple[str, str, str, str]]:
    return [(c.rating, c.text, c.target, c.feedback) for c in scenario.node(key).choices]


# --- a well-formed story ------------------------------------------------------------------


def test_a_story_becomes_a_scenario_that_passes_every_check(story, tmp_path):
    assert story.errors == []
    assert (story.title, story.story_format) == ("Sam: a worried youth worker", "Harlowe")
    scenario, problems = parse_file(tmp_path, story.markdown)
    assert problems == []
    assert content_check(tmp_path, story.markdown) == []
    assert [(n.key, n.ending) for n in scenario.nodes] == [
        ("youth-club", False),
        ("talk-privately", False),
        ("phone-home", False),
        ("car-park", True),
        ("leave-it-for-now", True),
        ("secret", True),
        ("share-with-the-dsl", True),
    ]
    assert recommended_path(scenario) == ["youth-club", "talk-privately", "share-with-the-dsl"]
    assert story.scenario.start == scenario.start == "youth-club"


def test_front_matter_title_start_and_placeholders(story):
    assert story.markdown.startswith(
        "---\ntitle: 'Sam: a worried youth worker'\n"
        f"summary: '{SUMMARY_PLACEHOLDER}'\nstart: youth-club\nrole: {ROLE_PLACEHOLDER}\n---\n"
    )
    assert [m for _, m in story.notes if "placeholder" in m] == [
        "the summary is a placeholder: replace it before publishing",
        "the role is a placeholder: replace it before publishing",
    ]
    given = twee_to_scenario(fixture("story.twee"), slug="sam", summary="S.", role="Youth worker")
    assert "summary: S.\nstart: youth-club\nrole: Youth worker\n" in given.markdown
    assert not [m for _, m in given.notes if "placeholder" in m]


def test_every_link_form_becomes_a_choice_rated_by_its_target(story):
    assert choices(story.scenario, "youth-club") == [
        (
            "recommended",
            "Make time to talk with Sam",
            "talk-privately",  # [[text->target]]
            "Making time, without judgement, is where protection starts.",
        ),
        (
            "acceptable",
            "Call his mum",
            "phone-home",  # [[target<-text]]
            "Parents and carers matter, but they may not know, and may not be safe.",
        ),
        (
            "unsafe",
            "Confront the men in the car park",
            "car-park",  # [[text|target]]
            "Confronting suspected abusers can put Sam and you at risk.",
        ),
        (
            "unsafe",
            "Leave it for now",
            "leave-it-for-now",  # [[text]]
            "Waiting for proof leaves Sam at risk.",
        ),
    ]


def test_endings_take_outcome_tags_and_debriefs(story):
    scenario = story.scenario
    assert [(n.key, n.outcome) for n in scenario.nodes if n.ending] == [
        ("car-park", "poor"),
        ("leave-it-for-now", "mixed"),
        ("secret", "poor"),
        ("share-with-the-dsl", "good"),
    ]
    assert scenario.node("car-park").debrief == (
        "Never confront people you suspect of exploitation. Record what you saw and tell\n"
        "your safeguarding lead the same day."
    )
    assert scenario.node("car-park").narrative == (
        "The men drive off. Sam does not come back to the club."
    )  # its Feedback: line went to the choices that lead here


def test_prose_is_kept_and_twine_markup_becomes_markdown(story):
    narrative = story.scenario.node("youth-club").narrative
    assert narrative == (
        "Sam, 15, has started arriving at the youth club in cars driven by older men.\n"
        "He has **three** new phones and *won't* say where they came from.\n"
        "You notice him checking them all evening.\n"
        "He seems pleased to see you. He seems wary.\n"  # both branches of (if:)(else:)
        "He keeps looking at the door.\n"
        "He checks his phones again."
    )
    talk = story.scenario.node("talk-privately").narrative
    assert "He trusts you a little." in talk  # the text inside <<if>> is kept
    assert talk.endswith("He asks you not to tell anyone.\\\nHe looks *scared*.")
    share = story.scenario.node("share-with-the-dsl").narrative
    assert "[NSPCC guidance](https://www.nspcc.org.uk/)" in share
    assert "[Twine's site](https://twinery.org/)" in share  # an external link is not a choice


def test_dropped_code_is_listed_with_passage_line_and_why(story):
    text = fixture("story.twee")
    expected = [
        ("StoryInit", ":: StoryInit", "passage"),
        ("Story JavaScript", ":: Story JavaScript", "passage"),
        ("Story Stylesheet", ":: Story Stylesheet", "passage"),
        ("Header", ":: Header [header]", "passage"),
        ("Youth club", "/* A note", "comment"),
        ("Youth club", "(set: $trust to it", "(set:)"),
        ("Youth club", "say where they came from. $trust", "$trust"),
        ("Youth club", "<<set _seen", "<<set>>"),
        ("Youth club", "<<set _seen", "_seen"),
        ("Youth club", "(else:)[He seems", "(else:)"),
        ("Youth club", "(if: $trust > 0)", "(if:)"),
        ("Youth club", "|aside>", "|aside>[...]"),
        ("Youth club", "<phones|", "[...]<phones|"),
        ("Youth club", "(link-goto:", "(link-goto:)"),
        ("Youth club", "<<link ", "<<link>>"),
        ("Talk {privately}", "<<if $trust gt 0>>", "<<if>>"),
        ("Talk {privately}", '<script>alert("no")', "<script>"),
        ("Talk {privately}", "<br>He looks", "HTML <br> <em>"),
        ("Talk {privately}", "][$trust to", "[$trust to $trust + 1]"),
        ("Secret", ":: Secret", "tag 'forest'"),
        ("Share with the DSL", "(set: $trust to 10)", "(set:)"),
        ("Unused draft", ":: Unused draft", "passage"),
    ]
    assert [(d.passage, d.line, d.what) for d in story.dropped] == [
        (passage, line_of(text, needle), what) for passage, needle, what in expected
    ]
    why = {d.what: d.why for d in story.dropped}
    assert why["(set:)"] == "it sets a variable, and Signpost scenarios have no variables"
    assert why["<<link>>"] == "a macro link is not read: write [[text->passage]] for a choice"
    assert why["<script>"] == "scripts and styles never run in Signpost"
    assert [d.why for d in story.dropped if d.passage == "Unused draft"] == [
        "no link leads to it from the start"
    ]


def test_the_start_can_come_from_a_tag_or_a_passage_named_start(tmp_path):
    body = (
        ":: Begin{tag}\nA decision.\n[[Good->Good end]]\n[[Bad->Bad end]]\n\n"
        ":: Good end [recommended good]\nFine.\n\nDebrief: Well done.\n\n"
        ":: Bad end [unsafe poor]\nNot fine.\n\nDebrief: Think again.\n"
    )
    tagged = twee_to_scenario(":: StoryTitle\nT\n\n" + body.format(tag=" [start]"), slug="t")
    named = twee_to_scenario(
        ":: StoryTitle\nT\n\n" + body.format(tag="").replace("Begin", "Start"), slug="t"
    )
    assert (tagged.errors, tagged.scenario.start) == ([], "begin")
    assert (named.errors, named.scenario.start) == ([], "start")
    assert parse_file(tmp_path, tagged.markdown, "t")[1] == []


# --- malformed stories: a report with lines, and nothing imported ---------------------------

CASES = {
    "no-title.twee": [(None, "no StoryTitle: add a passage ':: StoryTitle' with a title")],
    "bad-header.twee": [
        (":: Begin [start", "malformed passage header: the tag block is not closed"),
        ("::\n", "malformed passage header: the passage header has no name"),
        (":: Good end ]", "malformed passage header: unexpected ']' in the passage header"),
    ],
    "missing-link.twee": [
        (
            "[[Somewhere",
            "passage 'Begin': link to a passage that does not exist: 'Somewhere that is not there'",
        ),
    ],
    "duplicate.twee": [
        (
            ":: Good end [recommended good]\nThe same",
            "duplicate passage name 'Good end' (first on line 9)",
        ),
    ],
    "bad-storydata.twee": [('"zoom": 1,,', "StoryData is not valid JSON: Expecting property name")],
    "no-start.twee": [(None, "no start: set \"start\" in StoryData, tag a passage 'start'")],
    "untagged.twee": [
        (
            "[[Bad->",
            "passage 'Begin': untagged target 'Bad end': tag it recommended, acceptable or unsafe",
        ),
    ],
    "no-debrief.twee": [
        (":: Bad end", "passage 'Bad end': an ending (no links) needs a 'Debrief:' paragraph")
    ],
    "no-recommended.twee": [(":: Begin", "passage 'Begin': node 'begin' has no [recommended]")],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_malformed_story_reports_lines_and_imports_nothing(name):
    text = (MALFORMED / name).read_text(encoding="utf-8")
    result = twee_to_scenario(text, slug="x", path=name)
    assert len(result.errors) == len(CASES[name]), result.errors
    for (needle, message), (line, reported) in zip(CASES[name], result.errors, strict=True):
        assert line == (line_of(text, needle) if needle else 1), reported
        assert reported.startswith(message), reported
    assert (result.markdown, result.scenario) == ("", None)
    assert result.problems()[0].format().startswith(f"{name}:")


def test_more_start_tags_or_rating_tags_than_one_are_errors():
    text = (
        ":: StoryTitle\nT\n\n:: A [start]\nGo.\n[[B]]\n\n:: B [start recommended unsafe]\nEnd."
        "\n\nDebrief: D.\n"
    )
    result = twee_to_scenario(text, slug="t")
    assert result.errors == [(8, "more than one passage is tagged 'start'")]
    result = twee_to_scenario(text.replace("[start recommended", "[recommended"), slug="t")
    assert result.errors == [(8, "passage 'B': more than one rating tag")]


def test_a_link_to_a_passage_that_is_not_imported_says_so():
    text = ":: StoryTitle\nT\n\n:: Start\nGo.\n[[StoryInit]]\n\n:: StoryInit\n<<set $x to 1>>\n"
    assert twee_to_scenario(text, slug="t").errors == [
        (6, "passage 'Start': link to a passage that is not imported: 'StoryInit'")
    ]


def test_a_storydata_start_that_is_not_a_passage_is_an_error():
    text = ':: StoryTitle\nT\n\n:: StoryData\n{"ifid": "x", "start": "Nowhere"}\n\n:: A\nA.\n'
    assert twee_to_scenario(text, slug="t").errors == [
        (4, "StoryData start 'Nowhere' is not a story passage")
    ]


# --- hostile input ------------------------------------------------------------------------


def test_hostile_html_in_passages_is_sanitised(tmp_path):
    result = twee_to_scenario(fixture("hostile.twee"), slug="x")
    assert result.errors == []
    assert result.story_format == "SugarCube"
    assert result.title == "Hostile story"
    assert not UNSAFE.search(result.markdown)
    scenario, problems = parse_file(tmp_path, result.markdown, "x")
    assert problems == []
    html = ""
    for node in scenario.nodes:
        html += render(node.narrative) + render(node.debrief)
        html += "".join(render_inline(c.text) + render(c.feedback) for c in node.choices)
    assert not UNSAFE.search(html)
    assert "alert" not in html
    assert '<a href="https://www.nspcc.org.uk/" rel="noopener noreferrer">a safe one</a>' in html
    assert "(note: SugarCube does not have Harlowe macros, so this stays.)" in html
    assert content_check(tmp_path, result.markdown, "x") == []


def test_a_markdown_javascript_link_in_a_passage_is_refused():
    text = fixture("hostile.twee").replace("Not safe.", "Not [safe](javascript:alert(9)).")
    result = twee_to_scenario(text, slug="x")
    assert result.errors == [
        (line_of(text, ":: Bad end"), "passage 'Bad end': 'javascript:' links are not allowed")
    ]
    assert result.markdown == ""


# --- the Twee 3 notation ------------------------------------------------------------------


def test_passage_headers_with_escapes_tags_and_metadata():
    assert parse_header(r':: A \[b\] \{c\} \\ d [one two] {"position":"600,400"}') == (
        "A [b] {c} \\ d",
        ["one", "two"],
        '{"position":"600,400"}',
    )
    assert parse_header(r":: \q is q") == ("q is q", [], None)  # any escaped character
    assert parse_header(":: Name {bad json") == ("Name", [], "{bad json")


def test_bad_passage_metadata_is_noted_and_ignored():
    story = read_twee(':: StoryTitle\nT\n\n:: A {"position": 1,,}\nText\n')
    assert story.errors == []
    assert story.notes == [(4, "passage 'A': metadata is not valid JSON")]


def test_twine_escapes_a_content_line_that_starts_with_two_colons():
    story = read_twee(":: StoryTitle\nT\n\n:: A\n\\:\\: not a header\n")
    assert [p.name for p in story.passages] == ["StoryTitle", "A"]
    assert story.passages[1].text == ":: not a header"


def test_links_are_split_as_twine_splits_them():
    assert split_link("a->b->c") == ("a->b", "c")  # the rightmost ->
    assert split_link("a<-b<-c") == ("b<-c", "a")  # the leftmost <-
    assert split_link("a|b|c") == ("a|b", "c")  # the rightmost |
    assert split_link(" Same ") == ("Same", "Same")


# --- reading uploads ----------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused():
    with pytest.raises(ConversionError, match=r"the limit is 1\.0 MB"):
        read_bytes(b":: A\n" + b"x" * TWEE_MAX_BYTES, "big.twee")


def test_a_binary_file_is_refused():
    with pytest.raises(ConversionError, match=r"^binary\.twee:4: the file contains a NUL byte"):
        read_bytes((FIXTURES / "binary.twee").read_bytes(), "binary.twee")


def test_a_byte_order_mark_and_windows_line_ends_are_accepted():
    text = read_bytes(b"\xef\xbb\xbf:: StoryTitle\r\nT\r\n", "w.twee")
    assert read_twee(text).title == "T"


def test_the_example_in_the_trainers_guide_is_what_import_gives():
    guide = (Path(__file__).parent.parent / "docs" / "gift-and-twine.md").read_text()
    blocks = re.findall(r"```\w*\n(.*?)```", guide, re.S)
    story = next(b for b in blocks if b.startswith(":: StoryTitle\nJade"))
    expected = next(b for b in blocks if b.startswith("---\ntitle: 'Jade"))
    result = twee_to_scenario(story, slug="jade")
    assert result.markdown == expected
    assert [(d.line, d.what) for d in result.dropped] == [(8, "(set:)")]
