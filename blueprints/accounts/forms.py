"""Forms for signing in and managing a password."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.org"


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password"), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Enter a new password"), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your new password"),
            EqualTo("password", "The two passwords do not match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    """Current password, then the new one twice."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password("New password")
    confirm = _confirm()


class ForgotPasswordForm(FlaskForm):
    """The email to send a reset link to."""

    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Email(EMAIL_MESSAGE)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class ResetPasswordForm(FlaskForm):
    """A new password, twice."""

    password = _new_password("New password")
    confirm = _confirm()


class RegisterForm(FlaskForm):
    """Self-registration for a learner account."""

    name = StringField(
        "Full name",
        validators=[DataRequired("Enter your full name"), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Work email address",
        validators=[DataRequired("Enter your work email address"), Email(EMAIL_MESSAGE)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    agency = SelectField(
        "Agency", coerce=int, validators=[DataRequired("Choose your agency from the list")]
    )
    team = SelectField("Team (optional)", coerce=int)
    password = _new_password("Password")
    confirm = _confirm()
