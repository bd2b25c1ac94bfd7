"""Forms for the local details: one field per key, and the partnership's logo."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from signpost.local_details import KEYS, MAX_VALUE


class DetailsForm(FlaskForm):
    """The local details of one level: the partnership, or one agency's overrides."""


def details_form(keys: list[str], current: dict[str, str]) -> FlaskForm:
    """A form with a text field for each key, filled with the current values."""

    class Form(DetailsForm):
        pass

    for key in keys:
        too_long = f"Keep this to {MAX_VALUE} characters or fewer."
        field = StringField(KEYS[key], validators=[Length(max=MAX_VALUE, message=too_long)])
        setattr(Form, key, field)
    return Form(data=current)


class LogoForm(FlaskForm):
    """Upload or remove the partnership's logo."""

    logo = FileField("Logo image (PNG or JPEG, up to 512 KB)")
    remove = BooleanField("Remove the current logo")
