"""Importing people from a CSV file: upload, preview every row, then confirm."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from blueprints.access import client_ip, role_required
from blueprints.people.blueprint import bp
from blueprints.people.emails import send_all
from blueprints.people.forms import ConfirmImportForm, ImportForm
from signpost import unit_of_work, user_import
from signpost.models import Role

PREVIEW_MAX_AGE = 2 * 3600  # seconds a preview can wait for its confirmation
CONFIRM_FORM_LIMIT = 12 * 1024 * 1024
SHOWN_ROWS = 500


@bp.url_value_preprocessor
def _allow_large_preview(endpoint, _values):
    # CSRFProtect reads the form before any view of ours runs, and the signed preview of a
    # 5 MB file is larger than Flask's 500 kB default for one field: raise it for this URL only.
    if endpoint == "people.import_confirm":
        request.max_form_memory_size = CONFIRM_FORM_LIMIT


def _preview_page(result: user_import.Preview, changed: bool = False):
    form = ConfirmImportForm()
    form.payload.data = user_import.sign(result, current_user, current_app.config["SECRET_KEY"])
    return render_template(
        "people/import_preview.html",
        result=result,
        form=form,
        changed=changed,
        shown=SHOWN_ROWS,
        max_rows=user_import.MAX_ROWS,
    )


@bp.route("/people/import", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def import_upload():
    """Upload a CSV of people; the preview shows what would happen, writing nothing."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            result = user_import.preview(form.file.data.read(), current_user)
        except user_import.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            return _preview_page(result)
    status = 400 if form.errors else 200
    return render_template("people/import.html", form=form, max_rows=user_import.MAX_ROWS), status


@bp.post("/people/import/confirm")
@role_required(Role.ADMIN, Role.AGENCY_LEAD)
def import_confirm():
    """Check the previewed file again and import every valid row in one transaction."""
    form = ConfirmImportForm()
    try:
        if not form.validate_on_submit():
            raise user_import.ImportFileError("The preview was lost. Upload the file again.")
        text, promised = user_import.unsign(
            form.payload.data, current_user, current_app.config["SECRET_KEY"], PREVIEW_MAX_AGE
        )
        result = user_import.check_text(text, current_user)
    except user_import.ImportFileError as error:
        flash(str(error), "error")
        return redirect(url_for("people.import_upload"))
    if result.statuses != promised:
        # Someone changed people or agencies since the preview: show what would happen now.
        return _preview_page(result, changed=True), 409
    try:
        with unit_of_work.atomic():
            outcome = user_import.apply(result, current_user, client_ip())
    except IntegrityError:
        flash(
            "Nothing was imported: someone added some of these people at the same moment. "
            "Upload the file again to see the current preview.",
            "error",
        )
        return redirect(url_for("people.import_upload"))
    unit_of_work.after_commit(lambda: _report_emails(outcome.created))
    return render_template("people/import_done.html", outcome=outcome)


def _report_emails(created) -> None:
    failed = send_all(created)
    if failed:
        flash(
            f"{failed} email{'' if failed == 1 else 's'} could not be sent. Open each person's "
            'page and choose "Send a set-password link" later.',
            "error",
        )
