"""The audit log viewer and export, training effectiveness, and content due for review."""

from dataclasses import asdict

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import client_ip, role_required
from blueprints.audit_log.forms import AuditFilterForm, EffectivenessFilterForm
from signpost import audit, content_review
from signpost.csv_safety import write_csv
from signpost.extensions import db
from signpost.models import Agency, Course, Role, utcnow
from signpost.reports import effectiveness
from signpost.scope import scope_of

bp = Blueprint("audit_log", __name__, template_folder="templates")
PER_PAGE = 50


@bp.before_app_request
def _bind_ip() -> None:
    # Events recorded inside the domain (completions, certificates) say where from too.
    audit.bind_request_ip(client_ip())


@bp.teardown_app_request
def _unbind_ip(_error=None) -> None:
    audit.bind_request_ip(None)


def _agency_choices(label: str) -> list:
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return [("", label)] + [(str(a.id), a.name) for a in agencies]


def _audit_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in audit.actions()]
    form.target_type.choices = [("", "Any target")] + [(t, t) for t in audit.target_types()]
    form.agency.choices = _agency_choices("Any agency")
    return form


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


@bp.get("/audit")
@role_required(Role.ADMIN)
def index():
    """The log, newest first, filtered and fifty to a page."""
    form = _audit_form()
    valid = form.validate()
    scope = scope_of(current_user)
    page = audit.search(form.filters(), _page_number(), PER_PAGE, scope) if valid else None
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit_log/index.html", form=form, page=page, params=params)


@bp.get("/audit.csv")
@role_required(Role.ADMIN)
def export():
    """Every event matching the filters as CSV; the export is itself logged."""
    form = _audit_form()
    if not form.validate():
        return redirect(url_for("audit_log.index", **request.args))
    filters = form.filters()
    rows = list(audit.export_rows(filters, scope_of(current_user)))
    chosen = {k: str(v) for k, v in asdict(filters).items() if v is not None}
    audit.record(
        "audit_exported", actor=current_user, ip=client_ip(), rows=len(rows) - 1, filters=chosen
    )
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"',
    }
    return write_csv(rows), 200, headers


@bp.get("/content-review")
@role_required(Role.ADMIN, Role.TRAINER)
def review():
    """Modules past their review date, then those due within 30 days."""
    today = utcnow().date()
    return render_template(
        "audit_log/review.html",
        due=content_review.due_for_review(today),
        soon_days=content_review.SOON_DAYS,
        today=today,
    )


@bp.get("/effectiveness", endpoint="effectiveness")
@role_required(Role.ADMIN, Role.AUDITOR, Role.AGENCY_LEAD)
def effectiveness_page():
    """Confidence change and quiz results by agency; agency leads see their own agency."""
    scope = scope_of(current_user).report_agency
    form = EffectivenessFilterForm(request.args)
    courses = db.session.execute(select(Course.id, Course.title).order_by(Course.title)).all()
    form.course.choices = [("", "All courses")] + [(str(c.id), c.title) for c in courses]
    form.agency.choices = _agency_choices("All agencies")
    valid = form.validate()
    if valid and scope is not None and form.agency.data not in (None, scope):
        abort(404)  # another agency's figures are out of scope
    figures = None
    if valid:
        figures = effectiveness.summary(
            course_id=form.course.data,
            agency_id=form.agency.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            scope_agency_id=scope,
        )
    return render_template(
        "audit_log/effectiveness.html",
        form=form,
        effectiveness=figures,
        scope_agency_id=scope,
        filters=form,
    )
