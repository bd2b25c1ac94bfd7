"""Sign in, sign out, passwords and self-registration."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from blueprints.access import client_ip, public, safe_next, signed_in
from blueprints.accounts.emails import send_reset_link
from blueprints.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from blueprints.form_errors import show_error
from signpost import accounts, audit, site_settings, unit_of_work
from signpost.extensions import db, limiter
from signpost.models import Agency, Team

bp = Blueprint("accounts", __name__, template_folder="templates")


def _account_key() -> str:
    return "account:" + accounts.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful sign-in redirects.
    return response.status_code != 302


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="sign-in-account",
)
def sign_in():
    """Show the sign-in form and check credentials."""
    destination = safe_next(request.args.get("next"), url_for("main.home"))
    if current_user.is_authenticated:
        return redirect(destination)
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data, ip=client_ip())
        if result.user is not None:
            login_user(result.user)
            return redirect(destination)
        form.password.errors.append(result.message)
        status = 401
        unit_of_work.keep_on_error()  # the failed attempt is audited
    elif form.is_submitted():
        status = 400
    return render_template(
        "accounts/sign_in.html", form=form, registration=site_settings.self_registration_open()
    ), status


@bp.post("/sign-out")
@signed_in
def sign_out():
    """End the session."""
    audit.record("sign_out", actor=current_user, ip=client_ip())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change the signed-in user's password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user,
                form.current.data,
                form.password.data,
                current_app.config["PASSWORD_MIN_LENGTH"],
                ip=client_ip(),
            )
        except accounts.AccountError as error:
            show_error(form, error)
        else:
            login_user(current_user._get_current_object())  # the session id changed
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Email a reset link; say the same thing whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is not None and user.active:
            token = accounts.create_reset_token(user, current_app.config["PASSWORD_RESET_HOURS"])
            audit.record("password_reset_requested", actor=user, target=user, ip=client_ip())
            unit_of_work.after_commit(lambda: send_reset_link(user, token))
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Set a new password from an emailed link."""
    user = accounts.reset_token_user(token)
    if user is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                token, form.password.data, current_app.config["PASSWORD_MIN_LENGTH"], client_ip()
            )
        except accounts.AccountError as error:
            if accounts.reset_token_user(token) is None:
                return render_template("accounts/reset_invalid.html"), 400
            form.password.errors.append(str(error))
        else:
            flash("Your password has been changed. You can now sign in.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


def _registration_choices(form: RegisterForm) -> None:
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    form.agency.choices = [(0, "Choose your agency")] + [(a.id, a.name) for a in agencies]
    teams = db.session.execute(
        select(Team.id, Agency.name, Team.name).join(Agency).order_by(Agency.name, Team.name)
    ).all()
    form.team.choices = [(0, "No team, or not listed")] + [
        (team_id, f"{agency} – {team}") for team_id, agency, team in teams
    ]


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def register():
    """Let someone create a learner account, if an admin allows it."""
    if not site_settings.self_registration_open():
        abort(
            403,
            description="Self-registration is switched off. Ask your agency lead for an account.",
        )
    form = RegisterForm()
    _registration_choices(form)
    if form.validate_on_submit():
        try:
            user = accounts.register(
                form.name.data,
                form.email.data,
                form.password.data,
                form.agency.data,
                form.team.data or None,
                current_app.config["PASSWORD_MIN_LENGTH"],
                ip=client_ip(),
            )
        except accounts.AccountError as error:
            show_error(form, error)
        else:
            login_user(user)
            flash("Your account has been created.", "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/register.html", form=form)
