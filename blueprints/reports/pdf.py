"""The board report as a PDF, drawn by WeasyPrint with the fonts shipped in static/fonts."""

from pathlib import Path

from flask import current_app, render_template

from signpost import local_details

STYLESHEET = Path(__file__).parent / "board-report.css"


def render_board_report(context: dict) -> bytes:
    """Render the board report template (charts, tables, filters, date produced) to PDF."""
    from weasyprint import CSS, HTML  # imported here: heavy, and needed only for rendering
    from weasyprint.text.fonts import FontConfiguration

    html = render_template(
        "reports/board_report.html", **context, partnership=local_details.branding()
    )
    static = current_app.static_folder + "/"
    fonts = FontConfiguration()  # makes @font-face load the fonts shipped in static/fonts
    css = CSS(string=STYLESHEET.read_text(), base_url=static, font_config=fonts)
    return HTML(string=html, base_url=static).write_pdf(stylesheets=[css], font_config=fonts)
