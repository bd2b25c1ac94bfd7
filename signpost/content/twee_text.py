"""Passage text: links taken out, story-format code dropped (each drop recorded), prose kept.

Removed spans are replaced by the new lines they held, so every later step still knows which
line of the file it is looking at. What is dropped, and why:

- comments `/* */`, `/% %/`, `<!-- -->`: notes for authors;
- SugarCube macros `<<name ...>>` / `<</name>>` and Harlowe macros `(name: ...)`: Signpost does
  not run story formats; the text inside `<<if>>...<</if>>` or a hook `(if: $x)[...]` is kept;
- `<script>`, `<<script>>` and `<style>` with everything in them: never run, never used;
- named hooks `|name>[...]` and `[...]<name|`: the markers go, the text stays;
- `$variables`, and `_temp` variables set by a macro: scenarios have no state;
- link setters `[[text|target][$x to 1]]`: they set variables.
"""

import bisect
import re
from collections import Counter

from signpost.content.twee_scan import (
    Cleaned,
    Link,
    Scan,
    bracket_pairs,
    gap,
    link_spans,
    split_link,
)

_COMMENTS = (("/*", "*/"), ("/%", "%/"), ("<!--", "-->"))
_HARLOWE = re.compile(r"\(([A-Za-z][\w-]*):(?!//)")
_NOT_MACROS = {"http", "https", "mailto", "tel", "ftp", "javascript", "vbscript", "data", "file"}
_NAMED_OPEN = re.compile(r"\|([\w-]+)>(?=\[)")
_NAMED_CLOSE = re.compile(r"(?<=\])<([\w-]+)\|")
_VARIABLE = re.compile(r"\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\]\n]*\])*")
_TEMP = re.compile(r"(?<![\w$])_[A-Za-z]\w*")
_EXTERNAL = re.compile(r"^\w+://")
_WHY = [
    ({"set", "unset", "put", "move", "capture", "remember", "forget", "temporary", "state"},
     "it sets a variable, and Signpost scenarios have no variables"),
    ({"if", "elseif", "else-if", "else", "unless", "switch", "case", "default", "cond", "for",
      "for-each", "loop", "each", "break", "continue", "nth", "hidden", "show", "replace"},
     "conditions need variables, which Signpost scenarios do not have; the text inside was kept"),
    ({"link", "linkappend", "linkprepend", "linkreplace", "goto", "go-to", "button", "link-goto",
      "link-reveal-goto", "click-goto", "actions", "choice", "back", "return", "undo"},
     "a macro link is not read: write [[text->passage]] for a choice"),
    ({"print", "=", "-", "display", "include", "textbox", "textarea", "checkbox", "radiobutton",
      "listbox", "cycle", "input-box", "dropdown"},
     "it prints a value or takes input; Signpost shows the passage text only"),
    ({"script", "run", "javascript"}, "scripts never run in Signpost"),
]  # fmt: skip
_OTHERWISE = "story-format code: Signpost does not run story formats"


def why(name: str) -> str:
    """Why a macro of this name was dropped."""
    name = name.lower().strip("/")
    return next((reason for names, reason in _WHY if name in names), _OTHERWISE)


def _comments(text: Scan) -> None:
    edits = []
    for opener, closer in _COMMENTS:
        index = 0
        while (start := text.text.find(opener, index)) >= 0:
            end = text.text.find(closer, start + len(opener))
            if end < 0:
                break
            index = end + len(closer)
            edits.append((start, index, None))
            text.drop(start, "comment", "comments are notes for authors")
    text.apply(edits)


def _code(text: Scan) -> None:
    lower, edits = text.text.lower(), []
    for tag in ("script", "style"):
        index = 0
        while (start := lower.find("<" + tag, index)) >= 0:
            after = lower[start + 1 + len(tag) : start + 2 + len(tag)]
            if after and (after.isalnum() or after in "-_"):
                index = start + 1
                continue
            close = lower.find("</" + tag, start)
            index = len(lower) if close < 0 else (lower.find(">", close) + 1 or len(lower))
            edits.append((start, index, None))
            text.drop(start, f"<{tag}>", "scripts and styles never run in Signpost")
    text.apply(edits)


def _sugarcube(text: Scan) -> None:
    source, edits, index = text.text, [], 0
    while (start := source.find("<<", index)) >= 0:
        end = source.find(">>", start + 2)
        if end < 0:
            text.drop(start, "<<", "a macro that is never closed with >>: the rest was kept")
            break
        body = source[start + 2 : end]
        name = (re.match(r"\s*(/?[\w=-]*)", body).group(1) or "<<>>").lower()
        text.out.temps |= set(_TEMP.findall(body))
        if name == "script":
            closing = source.find("<</script>>", end)
            end = len(source) - 2 if closing < 0 else closing + len("<</script>>") - 2
        if not name.startswith("/"):
            text.drop(start, f"<<{name}>>", why(name))
        edits.append((start, end + 2, None))
        index = end + 2
    text.apply(edits)


def _macro_end(source: str, start: int) -> int:
    """The ')' that closes a Harlowe macro, skipping quoted strings; the text's end if none."""
    depth, quote = 0, None
    for index in range(start, len(source)):
        char = source[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(source) - 1


def _harlowe(text: Scan) -> None:
    source, edits, index = text.text, [], 0
    pairs = bracket_pairs(source)
    while match := _HARLOWE.search(source, index):
        name = match.group(1).lower()
        if name in _NOT_MACROS:
            index = match.end()
            continue
        end = _macro_end(source, match.start())
        text.out.temps |= set(_TEMP.findall(source, match.start(), end))
        text.drop(match.start(), f"({name}:)", why(name))
        edits.append((match.start(), end + 1, None))
        index = end + 1
        after = source[index : index + 3]  # a hook comes right after its macro
        if index in pairs and (after == "[[[" or not after.startswith("[[")):
            edits += [(index, index + 1, ""), (pairs[index], pairs[index] + 1, "")]
    text.apply(edits)


def _named_hooks(text: Scan) -> None:
    source, edits = text.text, []
    pairs = bracket_pairs(source)
    closes = {close: opening for opening, close in pairs.items()}
    reason = "named hooks are story-format code"
    for match in _NAMED_OPEN.finditer(source):
        text.drop(match.start(), f"|{match.group(1)}>[...]", reason)
        edits.append((match.start(), match.end(), None))
        if match.end() in pairs:
            edits += [
                (match.end(), match.end() + 1, ""),
                (pairs[match.end()], pairs[match.end()] + 1, ""),
            ]
    for match in _NAMED_CLOSE.finditer(source):
        text.drop(match.start(), f"[...]<{match.group(1)}|", reason)
        edits.append((match.start(), match.end(), None))
        close = match.start() - 1
        if close in closes:
            edits += [(closes[close], closes[close] + 1, ""), (close, close + 1, "")]
    text.apply(edits)


def _links(text: Scan) -> None:
    source, edits = text.text, []
    spans = link_spans(source)
    lines: dict[int, list[tuple[int, int]]] = {}
    for start, end in spans:
        lines.setdefault(bisect.bisect_right(text.starts, start) - 1, []).append((start, end))
    prose = {}  # line index -> whether it has words outside its links
    for number, on_line in lines.items():
        first = text.starts[number]
        last = text.starts[number + 1] if number + 1 < len(text.starts) else len(source)
        cuts = [first] + [x for span in on_line for x in span] + [last]
        prose[number] = any(source[a:b].strip() for a, b in zip(cuts[::2], cuts[1::2], strict=True))
    for start, end in spans:
        inner, _, setter = source[start + 2 : end - 2].partition("][")
        label, target = split_link(inner)
        if setter:
            text.drop(start, f"[{setter}]", "a link setter sets variables")
            text.out.temps |= set(_TEMP.findall(setter))
        if _EXTERNAL.match(target):
            keep = f"[{label}]({target})"  # a web link stays a link; content checks vet it
        else:
            in_sentence = prose[bisect.bisect_right(text.starts, start) - 1]
            keep = label if in_sentence else ""  # in a sentence, keep its words
            text.out.links.append(Link(text.line(start), label, target))
        edits.append((start, end, keep))
    text.apply(edits)


def _variables(text: Scan) -> None:
    def blank(match: re.Match, why: str) -> str:
        text.drop(match.start(), match.group(0), why)
        return gap(match.group(0).count("\n"))

    text.text = _VARIABLE.sub(
        lambda m: blank(m, "Signpost scenarios have no variables to show"), text.text
    )
    text.reindex()
    if text.out.temps:
        names = "|".join(re.escape(name) for name in sorted(text.out.temps))
        pattern = re.compile(rf"(?<![\w\\])(?:{names})\b")
        text.text = pattern.sub(lambda m: blank(m, "a temporary variable, not shown"), text.text)


def _summarise(dropped: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """One entry per kind of thing dropped, at its first line, with how often it occurred."""
    counts = Counter(what for _, what, _ in dropped)
    first: dict[str, tuple[int, str, str]] = {}
    for line, what, reason in dropped:
        if what not in first:
            times = f" ({counts[what]} times in this passage)" if counts[what] > 1 else ""
            first[what] = (line, what, reason + times)
    return sorted(first.values())


def clean(passage_text: str, first_line: int, *, harlowe: bool = True) -> Cleaned:
    """A passage's prose and links, with story-format code dropped and recorded."""
    text = Scan(passage_text, first_line)
    _comments(text)
    _code(text)
    _sugarcube(text)
    if harlowe:
        _harlowe(text)
        _named_hooks(text)
    _links(text)
    _variables(text)
    text.out.text = text.text
    text.out.dropped = _summarise(text.out.dropped)
    return text.out
