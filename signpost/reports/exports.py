"""The dashboard's and drill-down's tables as rows of text: the page, the CSV and the PDF
all print these same rows, so an export always says exactly what the screen says.

CSV cells are neutralised against formula injection by signpost.csv_safety.
"""

import datetime as dt

from signpost.csv_safety import write_csv
from signpost.reports.charts import month_label
from signpost.reports.dashboard import Cell, Dashboard
from signpost.reports.drilldown import Learner
from signpost.reports.filters import long_date

# Figure columns: (key on a Cell, header); the key also names the drill-down it opens.
FIGURES = (
    ("population", "Learners"),
    ("completed", "Completed"),
    ("rate", "Completion rate"),
    ("expiring", "Expiring soon"),
    ("expired", "Expired"),
    ("overdue", "Overdue"),
    ("in_progress", "In progress"),
    ("not_started", "Not started"),
    ("in_range", "Completed in date range"),
)
LEARNER_HEADERS = ("Name", "Email", "Team", "Status", "Due", "Completed", "Expires", "Certificate")


def short_date(value: dt.datetime | dt.date | None) -> str:
    """A date in tables: 5 Mar 2026, or a dash."""
    if value is None:
        return "–"
    return f"{value.day} {value.strftime('%b %Y')}"


def figures(cell: Cell) -> list[str]:
    """A cell's figures as printed, in FIGURES order."""
    return [str(getattr(cell, key)) for key, _ in FIGURES]


def cell_table(report: Dashboard) -> tuple[list[str], list[list[str]]]:
    """Agency by course: headers and rows."""
    headers = ["Agency", "Course", "Level", *[h for _, h in FIGURES]]
    return headers, [[c.agency, c.course, str(c.level), *figures(c)] for c in report.cells]


def agency_table(report: Dashboard) -> tuple[list[str], list[list[str]]]:
    """All courses together, per agency, then the total: headers and rows."""
    headers = ["Agency", *[h for _, h in FIGURES]]
    rows = [[c.agency, *figures(c)] for c in report.agencies]
    rows.append([report.total.agency, *figures(report.total)])
    return headers, rows


def trend_table(report: Dashboard) -> tuple[list[str], list[list[str]]]:
    """Completions per month, then the total: headers and rows."""
    rows = [[month_label(month), str(count)] for month, count in report.trend]
    rows.append(["Total", str(report.trend_total)])
    return ["Month", "Completions"], rows


def learner_row(learner: Learner) -> list[str]:
    """One learner as printed in the drill-down."""
    return [
        learner.name,
        learner.email,
        learner.team or "–",
        learner.status_label,
        short_date(learner.due_at),
        short_date(learner.completed_at),
        short_date(learner.expires_at),
        learner.certificate_label,
    ]


def _preamble(
    title: str, produced: dt.datetime, filter_lines: list[tuple[str, str]]
) -> list[list[str]]:
    rows = [[title], ["Produced", f"{long_date(produced)} {produced:%H:%M} UTC"]]
    rows += [[label, value] for label, value in filter_lines]
    return rows


def dashboard_csv(report: Dashboard, filter_lines: list[tuple[str, str]]) -> str:
    """The dashboard's three tables, one after another, each with its own header row."""
    rows = _preamble("Signpost: training completion by agency and course", report.now, filter_lines)
    rows.append(["Statuses as at", f"{long_date(report.now)} {report.now:%H:%M} UTC"])
    rows.append(["Expiring soon means", f"expiring within the next {report.window_days} days"])
    for table in (cell_table, agency_table, trend_table):
        headers, body = table(report)
        rows += [[], headers, *body]
    return write_csv(rows)


def learners_csv(
    title: str, learners: list[Learner], produced: dt.datetime, filter_lines: list[tuple[str, str]]
) -> str:
    """A drill-down's learners, every page of them."""
    rows = _preamble(title, produced, filter_lines)
    rows += [[], list(LEARNER_HEADERS), *[learner_row(learner) for learner in learners]]
    return write_csv(rows)
