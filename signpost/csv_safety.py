"""CSV export that spreadsheets cannot mistake for formulas (CSV injection)."""

import csv
import io
from collections.abc import Iterable

# Excel, LibreOffice and Google Sheets start a formula (or DDE call) with any of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text; a leading formula character is defused with a single quote."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(rows: Iterable[Iterable]) -> str:
    """Rows (the header first) as CSV text, every cell passed through safe_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()
