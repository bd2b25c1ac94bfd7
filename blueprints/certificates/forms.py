"""Forms for verifying and managing certificates."""

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class VerifyForm(FlaskForm):
    """A verification code typed from a certificate."""

    class Meta:
        csrf = False  # a public look-up that changes nothing; it is sent by GET

    code = StringField(
        "Verification code",
        validators=[DataRequired("Enter the code printed on the certificate"), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class RevokeForm(FlaskForm):
    """Why a certificate is being withdrawn."""

    reason = TextAreaField(
        "Reason for revoking",
        validators=[DataRequired("Give a reason for revoking the certificate"), Length(max=1000)],
    )
