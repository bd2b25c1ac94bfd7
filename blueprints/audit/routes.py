"""The audit log: the viewer, its filters and the CSV export, for admins."""

from dataclasses import asdict

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.access import client_ip, role_required
from blueprints.audit.forms import AuditFilterForm
from blueprints.filters import agency_choices
from signpost import audit
from signpost.csv_safety import write_csv
from signpost.models import Role, utcnow
from signpost.scope import scope_of

bp = Blueprint("audit", __name__, template_folder="templates")
PER_PAGE = 50


@bp.before_app_request
def _bind_ip() -> None:
    # Events recorded inside the domain (completions, certificates) say where from too.
    audit.bind_request_ip(client_ip())


@bp.teardown_app_request
def _unbind_ip(_error=None) -> None:
    audit.bind_request_ip(None)


def _audit_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in audit.actions()]
    form.target_type.choices = [("", "Any target")] + [(t, t) for t in audit.target_types()]
    form.agency.choices = agency_choices("Any agency")
    return form


@bp.get("/audit")
@role_required(Role.ADMIN)
def index():
    """The log, newest first, filtered and fifty to a page."""
    form = _audit_form()
    valid = form.validate()
    scope = scope_of(current_user)
    page = (
        audit.search(form.filters(), request.args.get("page", 1, type=int), PER_PAGE, scope)
        if valid
        else None
    )
    params = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/index.html", form=form, page=page, params=params)


@bp.get("/audit.csv")
@role_required(Role.ADMIN)
def export():
    """Every event matching the filters as CSV; the export is itself logged."""
    form = _audit_form()
    if not form.validate():
        return redirect(url_for("audit.index", **request.args))
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
