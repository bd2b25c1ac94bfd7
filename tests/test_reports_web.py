"""Board reports through the pages: scope, drill-down, charts, and exports that match the screen."""

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from signpost import certificates
from signpost.extensions import db
from signpost.models import AuditEvent, Certificate, Role
from tests.factories import TeamFactory, UserFactory
from tests.html import Page, text_of
from tests.test_reports_figures import assign, complete, world  # noqa: F401 - a fixture


def csv_sections(text: str) -> list[list[list[str]]]:
    """A CSV export's blocks, split at its blank lines."""
    sections: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if not row:
            sections.append([])
        else:
            sections[-1].append(row)
    return sections


@pytest.fixture
def auditor(world):  # noqa: F811 - the fixture imported above
    return UserFactory(agency=world["b"], name="Board Auditor", roles=[Role.AUDITOR])


def test_learners_and_trainers_cannot_open_reports(client, auth, world):  # noqa: F811
    auth.login(world["people"]["completed"])
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/export.csv").status_code == 403


def test_auditors_see_every_agency_with_links_to_the_learners(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    response = client.get("/reports/")
    assert response.status_code == 200
    agencies = {row[0] for row in Page(response).table("table-cells")[1:]}
    assert agencies == {"Alpha Police", "Beta Health"}
    html = response.get_data(as_text=True)
    assert "/reports/cells?" in html and f"agency={world['b'].id}" in html


def test_an_agency_lead_sees_only_their_own_agency(client, auth, world):  # noqa: F811
    auth.login(world["people"]["lead"])
    html = client.get("/reports/").get_data(as_text=True)
    assert "Alpha Police" in html and "Beta Health" not in html
    cells = Page(html).table("table-cells")
    assert {row[0] for row in cells[1:]} == {"Alpha Police"}
    export = client.get("/reports/export.csv").get_data(as_text=True)
    assert "Alpha Police" in export and "Beta Health" not in export
    people = client.get(
        f"/reports/cells.csv?agency={world['a'].id}&course={world['c1'].id}&status=population"
    ).get_data(as_text=True)
    assert "beta_done" not in people and "beta_overdue" not in people and "completed" in people


@pytest.mark.parametrize(
    "url",
    [
        "/reports/?agency={b}",
        "/reports/?team={team_b}",
        "/reports/export.csv?agency={b}",
        "/reports/board-report.pdf?agency={b}",
        "/reports/cells?agency={b}&course={c1}&status=population",
        "/reports/cells.csv?agency={b}&course={c1}&status=overdue",
        "/reports/cells?agency={a}&course={c1}&status=population&team={team_b}",
    ],
)
def test_an_agency_lead_naming_another_agency_gets_404(client, auth, world, url):  # noqa: F811
    team_b = TeamFactory(agency=world["b"], name="Beta team")
    ids = {"a": world["a"].id, "b": world["b"].id, "c1": world["c1"].id, "team_b": team_b.id}
    auth.login(world["people"]["lead"])
    response = client.get(url.format(**ids))
    assert response.status_code == 404
    assert "beta_" not in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_exported")) is None
    )


@pytest.mark.parametrize("query", ["", "?course={c1}", "?agency={a}&role=learner"])
def test_the_csv_has_exactly_the_numbers_on_screen(client, auth, world, auditor, query):  # noqa: F811
    query = query.format(c1=world["c1"].id, a=world["a"].id)
    auth.login(auditor)
    screen = Page(client.get(f"/reports/{query}"))
    response = client.get(f"/reports/export.csv{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    preamble, cells, agencies, trend = csv_sections(response.get_data(as_text=True))
    assert screen.table("table-cells") == cells
    assert screen.table("table-agencies") == agencies
    assert screen.table("table-trend") == trend
    assert any(row[0] == "Produced" for row in preamble)
    assert ["Course", "Course c1"] in preamble or not query.startswith("?course")


def test_the_dashboard_states_its_filters_definitions_and_date_range(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    html = client.get(
        f"/reports/?course={world['c1'].id}&date_from=2025-05-14&date_to=2025-05-14"
    ).get_data(as_text=True)
    assert "14 May 2025 to 14 May 2025" in html
    assert "How the figures are worked out" in html
    assert "Applies only to “Completed in date range” and to the monthly trend" in html
    trend = Page(html).table("table-trend")
    assert trend == [["Month", "Completions"], ["May 2025", "2"], ["Total", "2"]]


def test_charts_are_inline_svg_with_text_values_and_no_inline_style(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    response = client.get("/reports/")
    html = response.get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart__svg"') == 3
    assert html.count('role="img"') >= 3 and "<title id=" in html and "<desc id=" in html
    assert " style=" not in html and "<style" not in html and "<script" not in html
    assert 'id="chart-statuses-hatch"' in html and 'fill="url(#chart-statuses-cross)"' in html
    assert ">Overdue</text>" in html  # the key names each pattern
    assert "% (" in html  # bars carry their value as text
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_bad_filters_get_an_error_summary_and_no_figures(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    response = client.get("/reports/?date_from=2026-05-01&date_to=2026-04-01&course=999999")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert Page(html).error_summary() == [
        ("#date_to", "The date range must end on or after its start"),
        ("#course", "Choose a course from the list"),
    ]
    assert "table-cells" not in html
    assert client.get("/reports/export.csv?date_from=nonsense").status_code == 400


def test_drilldown_lists_learners_with_their_certificate(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    url = f"/reports/cells?agency={world['a'].id}&course={world['c1'].id}&status=population"
    rows = Page(client.get(url)).table("table-learners")
    assert rows[0] == [
        "Name",
        "Email",
        "Team",
        "Status",
        "Due",
        "Completed",
        "Expires",
        "Certificate",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert "inactive" not in by_name and "erased" not in by_name
    cert = db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == world["people"]["completed"].id, Certificate.revoked_at.is_(None)
        )
    )
    assert certificates.display_code(cert.code) in by_name["completed"][7]
    assert by_name["completed"][2] == "Exploitation team"
    assert "(Revoked)" in by_name["revoked"][7]
    csv_rows = csv_sections(
        client.get(url.replace("/cells?", "/cells.csv?")).get_data(as_text=True)
    )[1]
    assert csv_rows == rows


def test_drilldown_pages_fifty_at_a_time_and_sorts(client, auth, world, auditor):  # noqa: F811
    due = dt.datetime(2030, 1, 1)
    for n in range(53):
        person = UserFactory(agency=world["b"], name=f"Learner {n:02d}")
        assign(person, world["c2"], due + dt.timedelta(days=n % 7))
    auth.login(auditor)
    base = f"/reports/cells?agency={world['b'].id}&course={world['c2'].id}&status=not_started"
    first = client.get(base).get_data(as_text=True)
    rows = Page(first).table("table-learners")[1:]
    assert len(rows) == 50 and rows[0][0] == "Learner 00" and "Page 1 of 2" in first
    assert "Next page" in first
    second = Page(client.get(base + "&page=2")).table("table-learners")
    assert [r[0] for r in second[1:]] == ["Learner 50", "Learner 51", "Learner 52"]
    backwards = Page(client.get(base + "&sort=name&dir=desc")).table("table-learners")
    assert backwards[1][0] == "Learner 52"
    by_due = Page(client.get(base + "&sort=due&dir=desc")).table("table-learners")
    assert by_due[1][4] == "7 Jan 2030"
    sorted_by = Page(client.get(base + "&sort=status")).select('th[aria-sort="ascending"]')
    assert [text_of(th) for th in sorted_by] == ["Status, sorted ascending ▲"]
    everyone = csv_sections(
        client.get(base.replace("/cells?", "/cells.csv?")).get_data(as_text=True)
    )
    assert len(everyone[1]) == 1 + 53
    assert everyone[1][1:51] == rows
    assert client.get(base.replace("not_started", "nonsense")).status_code == 404


def test_csv_cells_are_neutralised_against_formulas(client, auth, world, auditor):  # noqa: F811
    person = UserFactory(agency=world["a"], name='=HYPERLINK("http://evil.invalid")')
    assign(person, world["c1"], None)
    auth.login(auditor)
    url = f"/reports/cells.csv?agency={world['a'].id}&course={world['c1'].id}&status=not_started"
    rows = csv_sections(client.get(url).get_data(as_text=True))[1]
    assert [r[0] for r in rows if "HYPERLINK" in r[0]] == ['\'=HYPERLINK("http://evil.invalid")']


def test_every_export_is_audited_with_its_filters(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    client.get(f"/reports/export.csv?course={world['c1'].id}")
    client.get(f"/reports/cells.csv?agency={world['a'].id}&course={world['c1'].id}&status=overdue")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report_exported").order_by(AuditEvent.id)
    ).all()
    assert [(e.detail["report"], e.detail["format"]) for e in events] == [
        ("dashboard", "csv"),
        ("cell", "csv"),
    ]
    assert events[0].detail["filters"]["course"] == world["c1"].id
    assert events[0].actor_id == auditor.id and events[0].ip == "127.0.0.1"
    assert events[1].detail["status"] == "overdue"


def test_board_report_pdf_has_charts_tables_filters_and_date(client, auth, world, auditor):  # noqa: F811
    auth.login(auditor)
    response = client.get(f"/reports/board-report.pdf?course={world['c1'].id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Training completion across agencies",
        "produced",
        "Course c1",
        "Alpha Police",
        "Beta Health",
        "Completions per month",
        "How the figures",
    ):
        assert expected in text, expected  # fmt: skip
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_exported"))
    assert event.detail["format"] == "pdf"


def test_rebuild_command_recomputes_the_records(runner, world):  # noqa: F811
    result = runner.invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt 15 course records" in result.output
