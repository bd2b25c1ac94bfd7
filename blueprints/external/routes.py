"""Pages for training completed elsewhere: record it with evidence, list it, download it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import client_ip, role_required, signed_in
from blueprints.external.forms import ExternalForm
from blueprints.face_to_face.forms import parse_subject, subject_choices
from blueprints.form_errors import show_error
from signpost import external
from signpost.errors import DomainError
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
                entry, made = external.record(
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
                done = (
                    " Their course is now complete and a certificate has been issued."
                    if made
                    else ""
                )
                flash(f"The completion has been recorded for {person.name}.{done}", "success")
                return redirect(url_for("external.index"))
    return render_template("external/new.html", form=form)


@bp.get("/")
@role_required(Role.ADMIN, Role.AGENCY_LEAD, Role.AUDITOR)
def index():
    """Completions recorded elsewhere: every agency's for admins and auditors, a lead's own."""
    entries = external.visible_to(current_user)
    ids = {e.user_id for e in entries}
    people = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return render_template(
        "external/index.html",
        entries=entries,
        people={person.id: person for person in people},
        subject_of=external.subject_of,
        can_record=current_user.has_role(Role.ADMIN, Role.AGENCY_LEAD),
    )


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
