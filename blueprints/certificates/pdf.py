"""Rendering a certificate as a PDF with WeasyPrint, and keeping it."""

import logging

import segno
from flask import Flask, current_app, render_template, url_for

from signpost import certificates, events, local_details, unit_of_work
from signpost.extensions import db
from signpost.models import Certificate

log = logging.getLogger("signpost.certificates")


def verify_url(cert: Certificate) -> str:
    """The address a QR code and a short link point at."""
    return current_app.config["BASE_URL"] + url_for("certificates.verify_code", code=cert.code)


def short_url(cert: Certificate) -> str:
    """A short address to type from paper."""
    return current_app.config["BASE_URL"] + url_for("certificates.short", code=cert.code)


def render_pdf(cert: Certificate) -> bytes:
    """Render a certificate to PDF/A bytes."""
    from weasyprint import CSS, HTML  # imported here: heavy, and needed only for rendering
    from weasyprint.text.fonts import FontConfiguration

    target = verify_url(cert)
    html = render_template(
        "certificates/pdf.html",
        cert=cert,
        code=certificates.display_code(cert.code),
        verify_url=target,
        short_url=short_url(cert),
        qr=segno.make(target, error="m").svg_data_uri(scale=4, border=2),
        # The partnership's current name and logo, as they are when the PDF is first drawn.
        partnership=local_details.branding(),
    )
    static = current_app.static_folder
    fonts = FontConfiguration()  # makes @font-face load the fonts shipped in static/fonts
    return HTML(string=html, base_url=static + "/").write_pdf(
        stylesheets=[CSS(filename=f"{static}/css/certificate-pdf.css", font_config=fonts)],
        font_config=fonts,
        pdf_variant="pdf/a-3b",
    )


def pdf_bytes(cert: Certificate) -> bytes | None:
    """The stored PDF, rendering and storing it first if needed; None if rendering fails."""
    data = certificates.stored_pdf(cert)
    if data is not None:
        return data
    try:
        data = render_pdf(cert)
    except Exception as error:  # noqa: BLE001 - any rendering failure is logged and retried later
        log.exception("certificate PDF rendering failed", extra={"certificate_id": cert.id})
        certificates.record_render_error(cert, f"{type(error).__name__}: {error}")
        return None
    certificates.store_pdf(cert, data)
    return data


def _render_stored(cert_id: int) -> None:
    cert = db.session.get(Certificate, cert_id)
    if cert is not None:
        pdf_bytes(cert)  # failures are logged and retried on download


def _render_after_commit(cert: Certificate) -> None:
    # The PDF is drawn once the certificate is safely stored, in a unit of work of its own.
    cert_id = cert.id
    unit_of_work.after_commit(lambda: _render_stored(cert_id))


def register(app: Flask) -> None:
    """Render new certificates' PDFs as soon as the unit of work that issued them commits."""
    events.certificate_issued.connect(_render_after_commit)
