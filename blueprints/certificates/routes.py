"""Certificates: the holder's list, downloads, public verification, and admin actions."""

import io
import re
import zipfile

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from blueprints.access import (
    client_ip,
    public,
    role_required,
    signed_in,
    visible_or_404,
)
from blueprints.certificates.forms import RevokeForm, VerifyForm
from blueprints.certificates.pdf import pdf_bytes, verify_url
from blueprints.errors import abort_for, render_error
from signpost import audit, certificates, unit_of_work
from signpost.extensions import db, limiter
from signpost.models import Certificate, Role, User
from signpost.scope import scope_of

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.record_once
def _on_register(state) -> None:
    from blueprints.certificates import pdf

    pdf.register(state.app)


def _visible_or_404(cert_id: int) -> Certificate:
    """Anyone not allowed to see a certificate gets the same 404 as for one that does not exist."""
    return visible_or_404(Certificate, cert_id, certificates.can_download)


def _filename(cert: Certificate) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{cert.holder_name} {cert.course_title}").strip("-")
    return f"{stem[:80]}-{cert.code[:8]}.pdf"


@bp.get("/certificates/")
@signed_in
def mine():
    """The signed-in person's certificates, including replaced and expired ones."""
    return render_template(
        "certificates/mine.html",
        certs=certificates.for_user(current_user.id),
        status=lambda c: certificates.status(c),
        labels=certificates.STATUS_LABELS,
        display_code=certificates.display_code,
    )


@bp.get("/certificates/<int:cert_id>.pdf")
@signed_in
def download(cert_id: int):
    """The stored PDF (rendered on first request; a failed render is retried next time)."""
    cert = _visible_or_404(cert_id)
    data = pdf_bytes(cert)
    if data is None:
        unit_of_work.keep_on_error()  # the render error stays on record for admins
        return render_error(
            503, "The certificate could not be produced just now. Try again in a minute."
        )
    audit.record(
        "certificate_downloaded",
        actor=current_user,
        target=cert,
        ip=client_ip(),
        agency_id=cert.agency_id,
    )
    headers = {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{_filename(cert)}"',
    }
    return data, 200, headers


@bp.get("/certificates/agency.zip")
@role_required(Role.AGENCY_LEAD)
def agency_zip():
    """Every current certificate of the lead's agency staff, as one ZIP."""
    certs = certificates.current_for_agency(scope_of(current_user).managed_agency)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for cert in certs:
            data = pdf_bytes(cert)
            if data is not None:
                archive.writestr(_filename(cert), data)
    audit.record(
        "certificates_zip_downloaded", actor=current_user, ip=client_ip(), count=len(certs)
    )
    headers = {
        "Content-Type": "application/zip",
        "Content-Disposition": 'attachment; filename="certificates.zip"',
    }
    return buffer.getvalue(), 200, headers


VERIFY_LIMITS = "30 per minute;300 per hour"


@bp.get("/verify")
@public
@limiter.limit(VERIFY_LIMITS)
def verify():
    """Anyone can check a certificate by its code."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(
            url_for("certificates.verify_code", code=certificates.normalise_code(form.code.data))
        )
    return render_template("certificates/verify.html", form=form if request.args else VerifyForm())


@bp.get("/verify/<code>")
@public
@limiter.limit(VERIFY_LIMITS)
def verify_code(code: str):
    """Whether a certificate is valid, expired or revoked, with only what an employer needs."""
    cert = certificates.find_by_code(code)
    if cert is None:
        return render_template("certificates/verify_missing.html", form=VerifyForm()), 404
    return render_template(
        "certificates/verify_result.html",
        cert=cert,
        state=certificates.status(cert),
        labels=certificates.STATUS_LABELS,
        code=certificates.display_code(cert.code),
        replacement=db.session.get(Certificate, cert.replaced_by_id)
        if cert.replaced_by_id
        else None,
    )


@bp.get("/v/<code>")
@public
@limiter.limit(VERIFY_LIMITS)
def short(code: str):
    """The short link printed on certificates."""
    return redirect(url_for("certificates.verify_code", code=code))


@bp.get("/certificates/manage")
@role_required(Role.ADMIN)
def manage():
    """Find certificates by code, holder name or email."""
    query = (request.args.get("q") or "").strip()
    found = []
    if query:
        code = certificates.normalise_code(query)
        found = db.session.scalars(
            select(Certificate)
            .join(User, User.id == Certificate.user_id)
            .where(
                or_(
                    Certificate.code == code,
                    User.email == query.lower(),
                    Certificate.holder_name.ilike(f"%{query}%"),
                )
            )
            .order_by(Certificate.issued_at.desc())
            .limit(100)
        ).all()
    return render_template(
        "certificates/manage.html",
        query=query,
        found=found,
        status=lambda c: certificates.status(c),
        labels=certificates.STATUS_LABELS,
        display_code=certificates.display_code,
    )


@bp.route("/certificates/<int:cert_id>/admin", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin(cert_id: int):
    """Revoke a certificate with a reason."""
    cert = db.session.get(Certificate, cert_id) or abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            certificates.revoke(cert, current_user, form.reason.data, client_ip())
        except certificates.CertificateError as error:
            form.reason.errors.append(str(error))
        else:
            flash(
                "The certificate has been revoked. Verification now shows it as revoked.", "success"
            )
            return redirect(url_for("certificates.admin", cert_id=cert.id))
    return render_template(
        "certificates/admin.html",
        cert=cert,
        form=form,
        state=certificates.status(cert),
        labels=certificates.STATUS_LABELS,
        code=certificates.display_code(cert.code),
        verify_url=verify_url(cert),
    )


@bp.post("/certificates/<int:cert_id>/reissue")
@role_required(Role.ADMIN)
def reissue(cert_id: int):
    """Replace a certificate with one carrying the holder's current details."""
    cert = db.session.get(Certificate, cert_id) or abort(404)
    try:
        fresh = certificates.reissue(cert, current_user, client_ip())
    except certificates.CertificateError as error:
        abort_for(error)
    flash("A new certificate has been issued; the old one now shows as replaced.", "success")
    return redirect(url_for("certificates.admin", cert_id=fresh.id))
