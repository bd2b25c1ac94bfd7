"""My data: what Signpost holds about the signed-in person, as a JSON download."""

import json

from flask import Blueprint, render_template
from flask_login import current_user

from blueprints.access import client_ip, signed_in
from signpost import privacy

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.get("/my-data")
@signed_in
def my_data_page():
    """Explain what is held and offer the download."""
    return render_template("privacy/my_data.html")


@bp.get("/my-data.json")
@signed_in
def my_data():
    """Everything Signpost holds about the signed-in person."""
    data = privacy.export_user(current_user)
    privacy.record_export(current_user, current_user, client_ip())
    headers = {
        "Content-Type": "application/json",
        "Content-Disposition": 'attachment; filename="my-signpost-data.json"',
    }
    return json.dumps(data, indent=2, ensure_ascii=False), 200, headers
