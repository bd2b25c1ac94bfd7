"""Bar and trend charts as inline SVG, drawn on the server.

Meaning never rests on colour alone: every bar carries its value as text, status segments
have distinct patterns named in a key, and each chart is shown beside a data table. Only
presentation attributes are used (no style attributes), so the charts obey the CSP.
"""

import datetime as dt

from markupsafe import Markup, escape

FONT = "Signpost Sans, DejaVu Sans, Arial, sans-serif"
INK, GRID, BAR, WHITE = "#0b0c0c", "#b1b4b6", "#1d4f91", "#ffffff"
WIDTH = 720
LABEL_WIDTH = 210  # room for an agency's name left of its bar

# (key, name in the key, fill) in stacking order; "{id}" becomes the chart's id.
SEGMENTS = (
    ("completed", "Completed", BAR),
    ("expired", "Expired", "url(#{id}-hatch)"),
    ("overdue", "Overdue", "url(#{id}-cross)"),
    ("in_progress", "In progress", "url(#{id}-dots)"),
    ("not_started", "Not started", WHITE),
)


def _num(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _el(tag: str, attrs: dict, content: str = "") -> str:
    """An SVG element; attribute values and any text content are escaped."""
    text = "".join(f' {name}="{escape(_num(value))}"' for name, value in attrs.items())
    return f"<{tag}{text}>{content}</{tag}>" if content else f"<{tag}{text}/>"


def _text(x, y, content: str, anchor="start", size=13, weight="normal", fill=INK) -> str:
    attrs = {"x": x, "y": y, "text-anchor": anchor, "font-family": FONT, "font-size": size}
    attrs.update({"font-weight": weight, "fill": fill})
    return _el("text", attrs, str(escape(content)))


def _rect(x, y, width, height, fill, stroke=None, tip: str = "") -> str:
    attrs = {"x": x, "y": y, "width": width, "height": height, "fill": fill}
    if stroke:
        attrs.update({"stroke": stroke, "stroke-width": 1})
    return _el("rect", attrs, _el("title", {}, str(escape(tip))) if tip else "")


def _line(x1, y1, x2, y2, stroke=GRID) -> str:
    return _el(
        "line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke, "stroke-width": 1}
    )


def _shorten(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(chart_id: str, height: int, title: str, description: str, body: list[str]) -> Markup:
    opening = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )
    # Every piece of text and every attribute value above was escaped as it was built.
    return Markup(opening + "".join(body) + "</svg>")  # noqa: S704


def _percent_axis(top: float, bottom: float, span: float) -> list[str]:
    parts = []
    for percent in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + span * percent / 100
        parts += [_line(x, top, x, bottom), _text(x, bottom + 16, f"{percent}%", "middle", 12)]
    return parts


def rate_bars(chart_id: str, title: str, rows: list[tuple[str, int, int]]) -> Markup:
    """Horizontal bars of completion rate, one per row of (label, completed, population)."""
    row_height, top = 30, 10
    span = WIDTH - LABEL_WIDTH - 175  # the rest holds the value written after each bar
    bottom = top + row_height * len(rows)
    parts = _percent_axis(top, bottom, span)
    for i, (label, completed, population) in enumerate(rows):
        y = top + i * row_height
        share = completed / population if population else 0
        length = span * share
        value = f"{100 * share:.1f}% ({completed:,} of {population:,})" if population else "none"
        parts += [
            _text(LABEL_WIDTH - 8, y + 20, _shorten(label), "end"),
            _rect(LABEL_WIDTH, y + 5, float(length), row_height - 10, BAR),
            _text(LABEL_WIDTH + length + 6, y + 20, value, size=12),
        ]
    about = "Completion rate for each agency; the figures are in the table that follows."
    return _svg(chart_id, bottom + 30, title, about, parts)


def _patterns(chart_id: str) -> str:
    hatch = _el(
        "pattern",
        {"id": f"{chart_id}-hatch", "patternUnits": "userSpaceOnUse", "width": 8, "height": 8,
         "patternTransform": "rotate(45)"},
        _rect(0, 0, 8, 8, WHITE)
        + _el("line", {"x1": 0, "y1": 0, "x2": 0, "y2": 8, "stroke": "#8a3c00", "stroke-width": 4}),
    )  # fmt: skip
    cross = _el(
        "pattern",
        {"id": f"{chart_id}-cross", "patternUnits": "userSpaceOnUse", "width": 8, "height": 8},
        _rect(0, 0, 8, 8, WHITE)
        + _el("path", {"d": "M0 0L8 8M8 0L0 8", "stroke": "#b3261e", "stroke-width": 2}),
    )
    dots = _el(
        "pattern",
        {"id": f"{chart_id}-dots", "patternUnits": "userSpaceOnUse", "width": 6, "height": 6},
        _rect(0, 0, 6, 6, WHITE) + _el("circle", {"cx": 3, "cy": 3, "r": 1.6, "fill": "#1d70b8"}),
    )
    return "<defs>" + hatch + cross + dots + "</defs>"


def status_bars(chart_id: str, title: str, rows: list[tuple[str, dict]]) -> Markup:
    """100% stacked bars of each row's statuses, patterned, with counts written on them."""
    row_height, top = 34, 44
    span = WIDTH - LABEL_WIDTH - 20
    bottom = top + row_height * len(rows)
    parts = [_patterns(chart_id)]
    x = LABEL_WIDTH - 60
    for _, name, fill in SEGMENTS:  # the key, drawn with the same fills as the bars
        parts += [
            _rect(x, 8, 18, 18, fill.format(id=chart_id), INK),
            _text(x + 24, 22, name, size=12),
        ]
        x += 34 + 7.6 * len(name)
    parts += _percent_axis(top, bottom, span)
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_height
        total = sum(counts[key] for key, _, _ in SEGMENTS)
        parts.append(_text(LABEL_WIDTH - 8, y + 22, _shorten(label), "end"))
        x = LABEL_WIDTH
        for key, name, fill in SEGMENTS:
            if not total or not counts[key]:
                continue
            length = span * counts[key] / total
            tip = f"{name}: {counts[key]:,}"
            parts.append(
                _rect(x, y + 5, length, row_height - 10, fill.format(id=chart_id), INK, tip)
            )
            text = f"{counts[key]:,}"
            badge = 6 + 7.5 * len(text)
            if length >= badge + 6:  # a white badge keeps the count legible on any pattern
                parts.append(
                    _rect(x + length / 2 - badge / 2, y + 10, badge, row_height - 20, WHITE)
                )
                parts.append(_text(x + length / 2, y + 21.5, text, "middle", 11, "bold"))
            x += length
    about = (
        "Share of learners in each status, for each agency; each segment is labelled with "
        "its count where it is wide enough, and the figures are in the table that follows."
    )
    return _svg(chart_id, bottom + 30, title, about, parts)


def month_label(month: dt.date) -> str:
    """A month as on the chart's table and in exports: Mar 2026."""
    return month.strftime("%b %Y")


def _nice_step(peak: int) -> int:
    """A round tick interval giving about four gridlines up to `peak`."""
    raw = max(1, peak / 4)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    return next(f * magnitude for f in (1, 2, 5, 10) if raw <= f * magnitude)


def trend_line(chart_id: str, title: str, points: list[tuple[dt.date, int]]) -> Markup:
    """Completions per month as a line with a marker and the value at every month."""
    height, left, right, top, bottom = 260, 50, 20, 24, 200
    peak = max([count for _, count in points] + [1])
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    parts = []
    for tick in range(0, ceiling + 1, step):
        y = bottom - (bottom - top) * tick / ceiling
        parts += [_line(left, y, WIDTH - right, y), _text(left - 6, y + 4, f"{tick:,}", "end", 12)]
    gap = (WIDTH - left - right) / max(1, len(points))
    coords = [
        (left + gap * (i + 0.5), bottom - (bottom - top) * count / ceiling)
        for i, (_, count) in enumerate(points)
    ]
    if len(coords) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords)
        )
        parts.append(_el("path", {"d": path, "fill": "none", "stroke": BAR, "stroke-width": 2.5}))
    every = max(1, -(-len(points) // 12))  # at most 12 month names fit along the axis
    for i, ((month, count), (x, y)) in enumerate(zip(points, coords, strict=True)):
        marker = {"cx": x, "cy": y, "r": 4, "fill": BAR, "stroke": WHITE, "stroke-width": 1.5}
        parts.append(_el("circle", marker))
        if len(points) <= 24 or i % every == 0:
            parts.append(_text(x, y - 9, f"{count:,}", "middle", 11, "bold"))
        if i % every == 0:
            parts.append(_text(x, bottom + 18, month.strftime("%b"), "middle", 12))
            parts.append(_text(x, bottom + 34, month.strftime("%Y"), "middle", 11))
    about = "Course completions in each month of the date range; the figures are in the table."
    return _svg(chart_id, height, title, about, parts)
