"""Numbers from URLs: ids the database can hold, digits a person would type."""

from werkzeug.routing import IntegerConverter

# The largest id an INTEGER column holds on PostgreSQL; a larger one names nothing.
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """`<int:...>` that matches only ids the database can hold, so a larger one is a 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's argument name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def as_id(text: str | None) -> int | None:
    """`text` as an id (ASCII digits, within MAX_ID), or None."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def register(app) -> None:
    """Make `<int:...>` bounded; do this before any rule is added."""
    app.url_map.converters["int"] = BoundedInt
