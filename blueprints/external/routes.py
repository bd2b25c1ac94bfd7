"""Pages for training completed elsewhere: record it, approve or reject it, list it, download it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import client_ip, role_required, signed_in
from blueprints.errors import abort_for
from blueprints.external.forms import ApproveForm, ExternalForm, RejectForm
from blueprints.face_to_face.forms import parse_subject, subject_choices
from blueprints.form_errors import show_error
from signpost import external
from signpost.errors import DomainError, Invalid
from signpost.extensions import db
from signpost.models import ExternalCompletion, Role, User, utcnow

bp = Blueprint("external", __name__, template_folder="templates")

NOT_FOUND = (
    "We could not find anyone with that email address among the people you can record training for."
)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def new():
    """Record a course or module someone completed outside Signpost, with evidence."""
    form = ExternalForm(email=request.args.get("email", ""))  # people pages may link here
    form.subject.choices = subject_choices()
    if form.validate_on_submit():
        person = external.person_by_email(current_user, form.email.data)
        if person is None:
            form.email.errors = [*form.email.errors, NOT_FOUND]
        else:
            course_id, module_id = parse_subject(form.subject.data)
            upload = form.evidence.data
            try:
                external.record(
                    current_user,
                    person,
                    course_id=course_id,
                    module_id=module_id,
                    completed_on=form.completed_on.data,
                    note=form.note.data,
                    evidence_name=upload.filename or "",
                    evidence=upload.read(external.MAX_EVIDENCE_BYTES + 1),
                    today=utcnow().date(),
                    ip=client_ip(),
                )
            except DomainError as error:
                show_error(form, error)
            else:
                flash(
                    f"The completion has been recorded for {person.name}. It awaits approval "
                    "by another lead of their agency or an admin before it counts.",
                    "success",
                )
                return redirect(url_for("external.index"))
    return render_template("external/new.html", form=form)


@bp.get("/")
@role_required(Role.ADMIN, Role.AGENCY_LEAD, Role.AUDITOR)
def index():
    """Completions recorded elsewhere: every agency's for admins and auditors, a lead's own."""
    entries = external.visible_to(current_user)
    pending = external.pending_for(current_user)
    ids = {e.user_id for e in entries + pending}
    ids |= {e.recorded_by_id for e in entries + pending if e.recorded_by_id}
    ids |= {e.approved_by_id for e in entries if e.approved_by_id}
    people = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return render_template(
        "external/index.html",
        entries=entries,
        pending=pending,
        people={person.id: person for person in people},
        subject_of=external.subject_of,
        labels=external.STATUS_LABELS,
        approve_form=ApproveForm(),
        reject_form=RejectForm(),
        can_record=current_user.has_role(Role.ADMIN, Role.AGENCY_LEAD),
    )


def _record_or_404(entry_id: int) -> ExternalCompletion:
    """The record, or a 404 for one that is missing."""
    entry = db.session.get(ExternalCompletion, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.post("/<int:entry_id>/approve")
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def approve(entry_id: int):
    """Approve training someone else recorded; it then counts and may issue a certificate."""
    entry = _record_or_404(entry_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        made = external.approve(current_user, entry, client_ip())
    except DomainError as error:
        abort_for(error)
    person = db.session.get(User, entry.user_id)
    done = " Their course is now complete and a certificate has been issued." if made else ""
    flash(f"The training recorded for {person.name} has been approved.{done}", "success")
    return redirect(url_for("external.index"))


@bp.post("/<int:entry_id>/reject")
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def reject(entry_id: int):
    """Reject training someone else recorded, with a reason; nothing is completed."""
    entry = _record_or_404(entry_id)
    form = RejectForm()
    # The domain checks the reason itself, after checking who may decide; only the token here.
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    try:
        external.reject(current_user, entry, form.reason.data or "", client_ip())
    except Invalid as error:
        flash(str(error), "error")  # a missing reason: back to the list to give one
        return redirect(url_for("external.index", _anchor="pending"))
    except DomainError as error:
        abort_for(error)
    person = db.session.get(User, entry.user_id)
    flash(f"The training recorded for {person.name} has been rejected.", "success")
    return redirect(url_for("external.index"))


@bp.get("/<int:entry_id>/evidence")
@signed_in
def evidence(entry_id: int):
    """The evidence file, for the person, their agency lead, auditors and admins; else 404."""
    entry = db.session.get(ExternalCompletion, entry_id)
    if entry is None or not external.can_see(current_user, entry) or entry.evidence is None:
        abort(404)
    external.downloaded(current_user, entry, client_ip())
    headers = {
        "Content-Type": entry.evidence_type,
        "Content-Disposition": f'attachment; filename="{entry.evidence_name}"',
    }
    return entry.evidence, 200, headers
