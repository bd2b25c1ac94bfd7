"""`flask certificates render-missing`: fill any gaps in the stored PDFs."""

import click
from flask import Flask, current_app

from blueprints.certificates.pdf import pdf_bytes
from signpost.certificates import without_pdf
from signpost.unit_of_work import unit_of_work


def register(app: Flask) -> None:
    """Add the `certificates` command group."""

    @app.cli.group("certificates")
    def certificates_group():
        """Certificate housekeeping."""

    @certificates_group.command("render-missing")
    def render_missing():
        """Render and store the PDF of every certificate that has none yet."""
        with (
            current_app.test_request_context(base_url=current_app.config["BASE_URL"]),
            unit_of_work(),
        ):
            pending = without_pdf()
            failed = sum(pdf_bytes(cert) is None for cert in pending)
        click.echo(f"Rendered {len(pending) - failed} certificate PDFs; {failed} failed.")
        if failed:
            raise SystemExit(1)
