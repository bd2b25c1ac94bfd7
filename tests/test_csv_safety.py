"""CSV export that a spreadsheet cannot run as a formula."""

import csv
import io

import pytest

from signpost.csv_safety import safe_cell, write_csv


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Jo Smith", "Jo Smith"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_safe_cell_defuses_only_a_leading_formula_character(value, expected):
    assert safe_cell(value) == expected


def test_write_csv_quotes_properly_and_defuses_every_cell():
    text = write_csv(
        [["name", "note"], ["=cmd|' /C calc'!A0", 'says "hi", then, leaves'], [None, 3]]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["name", "note"],
        ["'=cmd|' /C calc'!A0", 'says "hi", then, leaves'],
        ["", "3"],
    ]
    assert text.endswith("\r\n")
