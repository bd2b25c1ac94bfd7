"""Safeguarding board reporting: dashboard, drill-down, charts and exports."""

from dataclasses import asdict, replace

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required
from blueprints.converters import as_id
from blueprints.reports.forms import FilterForm
from blueprints.reports.pdf import render_board_report
from signpost import audit, effectiveness
from signpost.config import expiring_days
from signpost.extensions import db
from signpost.models import Agency, Course, Role, Team, utcnow
from signpost.reports import charts, drilldown, exports
from signpost.reports.dashboard import build
from signpost.reports.filters import describe
from signpost.reports.statuses import DEFINITIONS, STATUS_LABELS
from signpost.scope import scope_of

bp = Blueprint("reports", __name__, template_folder="templates")

VIEWERS = (Role.ADMIN, Role.AUDITOR, Role.AGENCY_LEAD)


def _scope() -> int | None:
    """None for board auditors and admins (every agency); a lead's own agency otherwise."""
    return scope_of(current_user).report_agency


def _id_arg(name: str) -> int | None:
    return as_id(request.args.get(name))


def _filter_form(scope: int | None) -> FilterForm:
    """The filters from the query string; naming an agency or team out of scope is a 404."""
    agency_id, team_id = _id_arg("agency"), _id_arg("team")
    if scope is not None and agency_id is not None and agency_id != scope:
        abort(404)
    if scope is not None and team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.agency_id != scope:
            abort(404)
    return FilterForm(request.args, scope_agency_id=scope)


def _valid_filters_or_400(scope: int | None):
    form = _filter_form(scope)
    if not form.validate():
        messages = [error for field in form for error in field.errors]
        abort(400, description=" ".join(messages))
    return form.filters()


def _attachment(body, mimetype: str, filename: str):
    headers = {
        "Content-Type": mimetype,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    return body, 200, headers


def _exported(kind: str, fmt: str, filters, **detail) -> None:
    audit.record(
        "report_exported", actor=current_user, ip=client_ip(), report=kind, format=fmt,
        filters=filters.params(), **detail,
    )  # fmt: skip


def chart_set(report) -> dict:
    """The dashboard's three charts, drawn from the report's figures."""
    return {
        "rates": charts.rate_bars(
            "chart-rates", "Completion rate by agency, all courses in view",
            [(c.agency, c.completed, c.population) for c in report.agencies],
        ),
        "statuses": charts.status_bars(
            "chart-statuses", "Learners by status and agency, all courses in view",
            [(c.agency, vars(c)) for c in report.agencies],
        ),
        "trend": charts.trend_line("chart-trend", "Course completions per month", report.trend),
    }  # fmt: skip


def _page_context(report, scope) -> dict:
    return {
        "report": report,
        "filters": report.filters,
        "scope_agency_id": scope,
        "filter_lines": describe(report.filters, scope),
        "charts": chart_set(report),
        "cell_table": exports.cell_table(report),
        "agency_table": exports.agency_table(report),
        "trend_table": exports.trend_table(report),
        "figures": exports.FIGURES,
        "definitions": DEFINITIONS,
        "labels": STATUS_LABELS,
        "long_date": exports.short_date,
    }


@bp.get("/")
@role_required(*VIEWERS)
def dashboard():
    """Completion by agency and course, with charts, for the chosen filters."""
    scope = _scope()
    form = _filter_form(scope)
    if request.args and not form.validate():
        return render_template("reports/dashboard.html", form=form, report=None), 400
    report = build(form.filters(), scope)

    def cell_url(cell, key, endpoint="reports.cells"):
        params = {**report.filters.params(), "agency": cell.agency_id, "course": cell.course_id}
        return url_for(endpoint, **params, status=key)

    # The training effectiveness panel (another module) gets the same filters and scope.
    panel = effectiveness.summary(**asdict(report.filters), scope_agency_id=scope)
    return render_template(
        "reports/dashboard.html",
        form=form,
        cell_url=cell_url,
        effectiveness=panel,
        **_page_context(report, scope),
    )


@bp.get("/export.csv")
@role_required(*VIEWERS)
def export_csv():
    """The dashboard's tables as CSV: the same rows as on screen."""
    scope = _scope()
    report = build(_valid_filters_or_400(scope), scope)
    body = exports.dashboard_csv(report, describe(report.filters, scope))
    _exported("dashboard", "csv", report.filters)
    return _attachment(body, "text/csv; charset=utf-8", f"board-report-{report.now:%Y-%m-%d}.csv")


@bp.get("/board-report.pdf")
@role_required(*VIEWERS)
def board_report_pdf():
    """The board report: charts, tables, filters and definitions, as a PDF."""
    scope = _scope()
    report = build(_valid_filters_or_400(scope), scope)
    body = render_board_report(_page_context(report, scope))
    _exported("dashboard", "pdf", report.filters)
    return _attachment(body, "application/pdf", f"board-report-{report.now:%Y-%m-%d}.pdf")


def _cell_args(scope):
    """The cell a drill-down names: its agency, course and status, all within scope."""
    agency = db.session.get(Agency, _id_arg("agency") or 0)
    course = db.session.get(Course, _id_arg("course") or 0)
    status = request.args.get("status", "population")
    if agency is None or course is None or status not in drilldown.CELL_STATUSES:
        abort(404)
    if scope is not None and agency.id != scope:
        abort(404)
    filters = _valid_filters_or_400(scope)
    sort = request.args.get("sort", "name")
    sort = sort if sort in drilldown.SORTS else "name"
    return agency, course, status, filters, sort, request.args.get("dir") == "desc"


def _cell_filter_lines(filters, agency, course, now) -> list[tuple[str, str]]:
    cell = replace(filters.with_range(now.date()), agency_id=agency.id, course_id=course.id)
    return describe(cell, agency.id)


def _cell_title(agency, course, status) -> str:
    return f"{STATUS_LABELS[status]}: {course.title}, {agency.name}"


@bp.get("/cells")
@role_required(*VIEWERS)
def cells():
    """The learners behind one figure, 50 to a page."""
    scope = _scope()
    agency, course, status, filters, sort, descending = _cell_args(scope)
    page = drilldown.learners_page(
        filters, scope, agency.id, course.id, status, sort=sort, descending=descending,
        page=request.args.get("page", 1, type=int),
    )  # fmt: skip
    base = {**filters.params(), "agency": agency.id, "course": course.id, "status": status}
    return render_template(
        "reports/cells.html",
        title=_cell_title(agency, course, status),
        agency=agency,
        course=course,
        status=status,
        page=page,
        sort=sort,
        descending=descending,
        base=base,
        filters=filters,
        filter_lines=_cell_filter_lines(filters, agency, course, utcnow()),
        definition=DEFINITIONS.get(status, DEFINITIONS["population"]),
        headers=exports.LEARNER_HEADERS,
        row=exports.learner_row,
        window=expiring_days(),
    )


@bp.get("/cells.csv")
@role_required(*VIEWERS)
def cells_csv():
    """Every learner behind one figure, as CSV."""
    scope = _scope()
    agency, course, status, filters, sort, descending = _cell_args(scope)
    now = utcnow()
    found = drilldown.all_learners(
        filters, scope, agency.id, course.id, status, sort=sort, descending=descending, now=now
    )
    lines = _cell_filter_lines(filters, agency, course, now)
    body = exports.learners_csv(_cell_title(agency, course, status), found, now, lines)
    _exported(
        "cell", "csv", filters, agency=agency.id, course=course.id, status=status, rows=len(found)
    )
    return _attachment(body, "text/csv; charset=utf-8", f"learners-{course.slug}-{status}.csv")
