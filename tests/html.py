"""Read rendered pages as a browser would: forms, links, tables and text, parsed by BeautifulSoup.

For example, `page = Page(client.get(url))`, then `page.form(action=url)["name"]`,
`page.form(field="roles").options("roles")`, `page.csrf_token()`, `page.link("Next page").href`,
`page.text()`, `page.table("table-cells")`, `page.error_summary()` or `page.select("main h1")`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

NOT_TEXT = ("script", "style", "template", "head")  # never shown as text on the page
NOT_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
NOT_SENT = ("submit", "button", "reset", "image", "file")  # inputs a plain submit leaves out
# Elements that start on a line of their own, so their text never runs into their neighbours'.
BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "legend", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "option",
    }
)  # fmt: skip


def squash(text: str) -> str:
    """`text` with each run of whitespace made one space, and none at either end."""
    return " ".join(text.split())


def _hidden(tag: Tag) -> bool:
    """Whether a sighted reader skips `tag`: screen-reader-only text or decoration."""
    return "visually-hidden" in (tag.get("class") or []) or tag.get("aria-hidden") == "true"


def _pieces(tag: Tag, skip_hidden: bool):
    """The text inside `tag` in order, with a space where a line break or block would be."""
    for child in tag.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, NOT_STRINGS):
                yield str(child)
        elif child.name in NOT_TEXT or child.has_attr("hidden"):
            continue
        elif not (skip_hidden and _hidden(child)):
            block = child.name in BLOCKS
            yield " " if block else ""
            yield from _pieces(child, skip_hidden)
            yield " " if block else ""


def text_of(tag: Tag, *, skip_hidden: bool = False) -> str:
    """The text inside `tag`, whitespace-normalised (without screen-reader-only text if asked)."""
    return squash("".join(_pieces(tag, skip_hidden)))


@dataclass(frozen=True)
class Link:
    """One `<a href>`: its text (as a screen reader announces it) and where it goes."""

    text: str
    href: str
    tag: Tag


class Form:
    """One `<form>`: where it posts and the values its controls would send."""

    def __init__(self, tag: Tag, url: str | None = None):
        self.tag = tag
        self.id = tag.get("id")
        self.action = tag.get("action") or url
        self.method = (tag.get("method") or "get").lower()

    def __repr__(self) -> str:
        return f"<Form {self.method.upper()} {self.action} id={self.id} {self.names()}>"

    def _controls(self) -> list[Tag]:
        return [c for c in self.tag.select("input, select, textarea") if c.get("name")]

    def names(self) -> list[str]:
        """The name of every control in the form, once each, in page order."""
        return list(dict.fromkeys(c["name"] for c in self._controls()))

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    @property
    def fields(self) -> dict[str, list[str]]:
        """What submitting the form as it stands would send: each name's values, in order."""
        sent: dict[str, list[str]] = {}
        for control in self._controls():
            if control.has_attr("disabled"):
                continue
            name = control["name"]
            if control.name == "textarea":
                values = [control.get_text().removeprefix("\n")]  # as a browser reads it
            elif control.name == "select":
                options = control.select("option")
                chosen = [o for o in options if o.has_attr("selected")]
                if not chosen and options and not control.has_attr("multiple"):
                    chosen = options[:1]
                values = [_option_value(o) for o in chosen]
            else:
                kind = (control.get("type") or "text").lower()
                if kind in NOT_SENT:
                    continue
                if kind in ("checkbox", "radio"):
                    values = [control.get("value", "on")] if control.has_attr("checked") else []
                else:
                    values = [control.get("value", "")]
            if values:
                sent.setdefault(name, []).extend(values)
        return sent

    def __getitem__(self, name: str) -> str:
        """The one value the form would send for `name`."""
        values = self.fields.get(name, [])
        assert len(values) == 1, f"{name!r} sends {values} in {self!r}"
        return values[0]

    def data(self) -> dict[str, str | list[str]]:
        """The form's values as `client.post(data=...)` takes them."""
        return {k: v[0] if len(v) == 1 else v for k, v in self.fields.items()}

    def options(self, name: str) -> list[str]:
        """Every value on offer for `name`: its radios', checkboxes' or select's options."""
        offered = []
        for control in self._controls():
            if control["name"] != name:
                continue
            if control.name == "select":
                offered += [_option_value(o) for o in control.select("option")]
            elif (control.get("type") or "").lower() in ("checkbox", "radio"):
                offered.append(control.get("value", "on"))
        return offered


def _option_value(option: Tag) -> str:
    return option["value"] if option.has_attr("value") else squash(option.get_text())


class Page:
    """A rendered HTML page (or fragment, or email body), parsed once."""

    def __init__(self, source):
        self.url = None
        if hasattr(source, "get_data"):  # a test client's response
            request = getattr(source, "request", None)
            if request is not None:
                query = request.query_string.decode()
                self.url = request.path + (f"?{query}" if query else "")
            source = source.get_data(as_text=True)
        self.html = source
        self.soup = BeautifulSoup(source, "html.parser")

    def select(self, css: str) -> list[Tag]:
        """Every element matching a CSS selector."""
        return self.soup.select(css)

    def select_one(self, css: str) -> Tag | None:
        """The first element matching a CSS selector, if any."""
        return self.soup.select_one(css)

    def text(self, css: str | None = None) -> str:
        """The page's text (or that of the elements matching `css`), whitespace-normalised."""
        if css is not None:
            return " ".join(text_of(tag) for tag in self.select(css))
        return text_of(self.soup.body or self.soup)

    def texts(self, css: str) -> list[str]:
        """The text of each element matching `css`."""
        return [text_of(tag) for tag in self.select(css)]

    def forms(self) -> list[Form]:
        """Every form on the page."""
        return [Form(tag, self.url) for tag in self.select("form")]

    def form(self, action: str | None = None, id: str | None = None, field: str | None = None):
        """The one form that posts to `action`, has this `id`, or has a control named `field`."""
        found = [
            f
            for f in self.forms()
            if (action is None or f.action == action)
            and (id is None or f.id == id)
            and (field is None or field in f)
        ]
        assert len(found) == 1, f"{len(found)} forms match on {self.url}: {self.forms()}"
        return found[0]

    def csrf_token(self) -> str:
        """The CSRF token the page's forms carry."""
        field = self.select_one('input[name="csrf_token"]')
        assert field is not None and field.get("value"), f"no CSRF token on {self.url}"
        return field["value"]

    def links(self, text: str | None = None) -> list[Link]:
        """Every link on the page, or those whose text is exactly `text`."""
        every = [Link(text_of(a), a["href"], a) for a in self.select("a[href]")]
        return every if text is None else [link for link in every if link.text == text]

    def link(self, text: str) -> Link:
        """The one link whose text is exactly `text`."""
        found = self.links(text)
        assert len(found) == 1, f"{len(found)} links say {text!r}: {[x.text for x in self.links()]}"
        return found[0]

    def hrefs(self) -> list[str]:
        """Where every link on the page goes, in page order."""
        return [link.href for link in self.links()]

    def error_summary(self) -> list[tuple[str, str]]:
        """The error summary's entries: (the field it links to, the message)."""
        return [(a["href"], text_of(a)) for a in self.select(".error-summary a[href]")]

    def tables(self) -> list[list[list[str]]]:
        """Every table on the page as rows of cell text (see `table`)."""
        return [_rows(tag) for tag in self.select("table")]

    def table(self, id: str | None = None, caption: str | None = None) -> list[list[str]]:
        """The one table with this `id` or `caption`, as rows of the text a sighted reader sees."""
        tables = [
            t
            for t in self.select("table")
            if (id is None or t.get("id") == id)
            and (caption is None or (t.caption is not None and text_of(t.caption) == caption))
        ]
        assert len(tables) == 1, f"{len(tables)} tables ({id=}, {caption=}) on {self.url}"
        return _rows(tables[0])

    def definitions(self) -> dict[str, str]:
        """Each `<dt>` term on the page with the text of the `<dd>` after it."""
        found = {}
        for term in self.select("dt"):
            value = term.find_next_sibling(["dd", "dt"])
            if value is not None and value.name == "dd":
                found[text_of(term)] = text_of(value)
        return found


def _rows(table: Tag) -> list[list[str]]:
    return [
        [text_of(cell, skip_hidden=True) for cell in row.find_all(["th", "td"], recursive=False)]
        for row in table.select("tr")
    ]
