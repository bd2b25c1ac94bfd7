"""Reading an uploaded people CSV: size, encoding, delimiter, header and rows."""

import csv
import io
import re
from dataclasses import dataclass, field

from signpost.errors import Invalid
from signpost.models import User

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = ("name", "email", "agency", "team", "roles", "job title")
REQUIRED = ("name", "email", "agency")
ALIASES = {
    "full name": "name",
    "email address": "email",
    "e-mail": "email",
    "role": "roles",
    "job": "job title",
    "jobtitle": "job title",
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(Invalid):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass
class Row:
    """One person's row, as read and as checked."""

    number: int  # as a spreadsheet numbers it: the header is row 1
    name: str = ""
    email: str = ""
    agency: str = ""
    team: str = ""
    roles_text: str = ""
    job_title: str = ""
    problems: list[str] = field(default_factory=list)
    status: str = "new"  # new | updated | unchanged | error
    changes: list[str] = field(default_factory=list)
    roles: set = field(default_factory=set)
    agency_id: int | None = None
    team_id: int | None = None
    user: User | None = None


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 with a warning."""
    if len(data) > MAX_BYTES:
        size = len(data) / (1024 * 1024)
        raise ImportFileError(
            f"The file is {size:.1f} MB; the largest file accepted is {MAX_BYTES // 2**20} MB. "
            "Split it into smaller files."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(
            "This is a spreadsheet workbook, not a CSV file. In your spreadsheet choose "
            "Save As, then 'CSV UTF-8 (comma delimited)'."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError("The file is saved as UTF-16. Save it as 'CSV UTF-8' instead.")
    if b"\x00" in data:
        raise ImportFileError("This is not a text file. Choose a CSV file.")
    warnings = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        warnings.append(
            "The file is not UTF-8, so it was read as Windows-1252 (Western European). "
            "Check that names with accents look right below; if not, save the file as "
            "'CSV UTF-8' and upload it again."
        )
    if len(CONTROL.findall(text)) > max(10, len(text) // 100):
        raise ImportFileError("This is not a text file. Choose a CSV file.")
    if not text.strip():
        raise ImportFileError("The file is empty.")
    return text, warnings


def _column(header: str) -> str:
    key = " ".join(header.strip().lower().replace("_", " ").split())
    return ALIASES.get(key, key)


def _delimiter(text: str) -> str:
    # Spreadsheets in many European locales save "CSV" with semicolons.
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def parse(text: str) -> tuple[list[Row], list[str]]:
    """The file's rows, keyed by column name; raises ImportFileError if it cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows, warnings, columns = [], [], None
    try:
        for number, cells in enumerate(reader, start=1):
            if columns is None:
                columns = [_column(cell) for cell in cells]
                _check_header(columns, warnings)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} people; split it into smaller files."
                )
            rows.append(_row(number, columns, cells))
    except csv.Error as error:
        raise ImportFileError(
            f"Row {reader.line_num}: the file is not valid CSV ({error}). Check for a stray "
            'quotation mark ("), or save the file again from your spreadsheet as CSV.'
        ) from None
    if not rows:
        raise ImportFileError("The file has a header row but no people in it.")
    return rows, warnings


def _check_header(columns: list[str], warnings: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            f"The first row must name the columns; the {', '.join(missing)} column is missing. "
            f"Expected: {', '.join(COLUMNS)}."
        )
    repeated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    if repeated:
        raise ImportFileError(f"The {', '.join(repeated)} column appears more than once.")
    ignored = [c for c in columns if c and c not in COLUMNS]
    if ignored:
        warnings.append(f"These columns were ignored: {', '.join(ignored)}.")


def _row(number: int, columns: list[str], cells: list[str]) -> Row:
    values = dict.fromkeys(COLUMNS, "")
    for column, cell in zip(columns, cells, strict=False):
        if column in values:
            values[column] = cell.strip()
    row = Row(
        number=number,
        name=values["name"],
        email=values["email"],
        agency=values["agency"],
        team=values["team"],
        roles_text=values["roles"],
        job_title=values["job title"],
    )
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        row.problems.append("It has more cells than the header has columns.")
    return row
