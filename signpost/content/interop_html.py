"""Sanitised HTML to Markdown, for text imported from Moodle (GIFT) and Twine (Twee).

The HTML is first cleaned by nh3 with Signpost's own allowlist (`render.sanitise`); this module
only turns what survives into ordinary Markdown, so the result is edited and checked like any
authored text. It keeps paragraphs, line breaks, headings (as bold), bold, italic, code, lists,
block quotes, tables and web links; everything else becomes plain text.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from signpost.content.render import sanitise

BR = "\ue001"  # a line break until the block is finished: then a Markdown hard break
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_ORDERED = re.compile(r"^(\d+)([.)])")
_LINK_SCHEMES = re.compile(r"^(https?|mailto|tel):", re.I)
_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "figure", "figcaption", "address",
    "dl", "dt", "dd", "details", "summary", "main", "nav", "aside", "hgroup", "caption",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_WRAPS = {"strong": "**", "b": "**", "em": "*", "i": "*", "cite": "*", "dfn": "*", "var": "*"}


def escape_inline(text: str) -> str:
    """Plain text made safe to put inside Markdown: nothing in it acts as markup."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _TAG_START.sub(r"\\<", text)
    return _ENTITY.sub(r"\\&", text)


def escape_start(line: str) -> str:
    """A line whose start would otherwise begin a heading, list, quote or rule."""
    ordered = _ORDERED.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    return "\\" + line if line[:1] in ("#", ">", "+", "=", "-", "~") else line


@dataclass
class _List:
    ordered: bool
    number: int
    indent: int  # the column of the item markers
    content: int  # the column of the current item's text


class _Converter(HTMLParser):
    """Walks nh3's output (well-formed, allowlisted) and writes Markdown blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # (markdown, inside a list)
        self.parts: list[str] = []
        self.open: list[tuple[str, int, str | None]] = []  # (tag, index in parts, href)
        self.lists: list[_List] = []
        self.marker: str | None = None  # the pending "- " or "1. " of a list item
        self.quote = 0
        self.pre = 0
        self.code = 0
        self.table: list[list[str]] | None = None
        self.row: list[str] | None = None
        self.cell: int | None = None  # index in parts where the current cell starts
        self.notes: list[str] = []

    def handle_starttag(self, tag, attrs):
        """Open a block, list, inline span or table part."""
        attributes = dict(attrs)
        if tag == "br":
            self.parts.append("\n" if self.pre else BR)
        elif tag == "img":
            self._image(attributes)
        elif tag in _WRAPS or tag in ("a", "code") or tag in _HEADINGS:
            if tag in _HEADINGS:
                self._flush()
            if tag == "code":
                self.code += 1
            self.open.append((tag, len(self.parts), attributes.get("href")))
        elif tag in ("ul", "ol"):
            self._flush()
            indent = self.lists[-1].content if self.lists else 0
            start = int(attributes.get("start") or 1) if tag == "ol" else 1
            self.lists.append(_List(tag == "ol", start, indent, indent))
        else:
            self._start_block(tag)

    def _start_block(self, tag):
        if tag == "li":
            self._flush()
            if not self.lists:
                self.lists.append(_List(False, 1, 0, 0))
            item = self.lists[-1]
            mark = f"{item.number}. " if item.ordered else "- "
            item.number += 1
            self.marker = " " * item.indent + mark
            item.content = item.indent + len(mark)
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag == "table":
            self._flush()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = len(self.parts)
        elif tag == "hr":
            self._flush()
            self._emit("* * *")
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        """Close what the matching start tag opened."""
        if self.open and self.open[-1][0] == tag:
            self._close_inline(*self.open.pop())
        elif tag in ("ul", "ol") and self.lists:
            self._flush()
            self.lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "blockquote":
            self._flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self._end_pre()
        elif tag in ("td", "th") and self.cell is not None:
            self._end_cell()
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            self._end_table()
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        """Text, escaped unless it is code."""
        if self.pre:
            self.parts.append(data)
        elif self.code:
            self.parts.append(re.sub(r"\s+", " ", data))
        else:
            self.parts.append(escape_inline(re.sub(r"\s+", " ", data)))

    def _close_inline(self, tag, index, href):
        content = "".join(self.parts[index:])
        del self.parts[index:]
        if tag == "code":
            self.code -= 1
            fence = "``" if "`" in content else "`"
            self.parts.append(f"{fence}{content.strip()}{fence}" if content.strip() else "")
        elif tag == "a":
            self.parts.append(_link(content, href, self.notes))
        elif tag in _HEADINGS:
            self.parts.append(_wrap(content, "**"))
            self._flush()
        else:
            self.parts.append(_wrap(content, _WRAPS[tag]))

    def _image(self, attributes):
        alt = (attributes.get("alt") or "").strip()
        self.notes.append(
            f"image '{attributes.get('src') or ''}' left out: add it to the module's images/ "
            "folder and link it there"
        )
        if alt:
            self.parts.append(escape_inline(f"[{alt}]"))

    def _end_pre(self):
        code = "".join(self.parts).strip("\n")
        self.parts = []
        self.pre = max(0, self.pre - 1)
        fence = "```"
        while fence in code:
            fence += "`"
        self._emit(f"{fence}\n{code}\n{fence}")

    def _end_cell(self):
        text = "".join(self.parts[self.cell :]).replace(BR, " ")
        del self.parts[self.cell :]
        self.row.append(re.sub(r"\s+", " ", text).strip().replace("|", "\\|"))
        self.cell = None

    def _end_table(self):
        rows, self.table = [r for r in self.table if r], None
        if not rows:
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        lines = ["| " + " | ".join(r) + " |" for r in rows]
        lines.insert(1, "|" + " --- |" * width)
        self._emit("\n".join(lines))

    def _flush(self):
        if self.cell is not None:  # a paragraph inside a table cell stays in the cell
            self.parts.append(" ")
            return
        text = re.sub(r" {2,}", " ", "".join(self.parts)).strip(" " + BR)
        self.parts = []
        if not text:
            return
        lines = [escape_start(line.strip()) for line in text.split(BR)]
        self._emit("\\\n".join(lines))

    def _emit(self, text: str):
        marker, self.marker = self.marker, None
        indent = " " * (self.lists[-1].content if self.lists else 0)
        first = marker if marker is not None else indent
        lines = text.split("\n")
        lines = [first + lines[0]] + [indent + line if line else line for line in lines[1:]]
        quote = "> " * self.quote
        self.blocks.append(("\n".join(quote + line for line in lines), bool(self.lists)))

    def markdown(self) -> str:
        """All blocks written so far, list items kept tight."""
        self._flush()
        out = ""
        for index, (text, listed) in enumerate(self.blocks):
            if index:
                out += "\n" if listed and self.blocks[index - 1][1] else "\n\n"
            out += text
        return out


def _wrap(content: str, mark: str) -> str:
    """Emphasis around the text, with surrounding spaces moved outside the markers."""
    stripped = content.strip()
    if not stripped:
        return content
    lead = content[: len(content) - len(content.lstrip())]
    trail = content[len(content.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _link(content: str, href: str | None, notes: list[str]) -> str:
    if not href or not _LINK_SCHEMES.match(href):
        if href:
            notes.append(f"link to '{href}' left out: only web, e-mail and phone links are kept")
        return content
    target = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{content.strip() or escape_inline(href)}]({target})"


def html_to_markdown(html: str) -> tuple[str, list[str]]:
    """Sanitise HTML with Signpost's allowlist, then write it as Markdown; also return notes."""
    converter = _Converter()
    converter.feed(sanitise(html))
    converter.close()
    return converter.markdown(), converter.notes
