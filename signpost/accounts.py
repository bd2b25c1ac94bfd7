"""Accounts: signing in, passwords, reset links and self-registration."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from signpost import audit
from signpost.errors import Invalid
from signpost.extensions import db
from signpost.models import Agency, PasswordResetToken, Role, Team, User, utcnow
from signpost.passwords import hash_password, needs_rehash, password_problems, verify_password


class AccountError(Invalid):
    """A request about an account that cannot be carried out (about the password by default)."""

    def __init__(self, message: str, about: str = "password"):
        super().__init__(message, about)


DUPLICATE_EMAIL = "An account with this email address already exists. Sign in instead."


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in attempt."""

    user: User | None
    message: str = ""


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding space."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this email address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str, ip: str | None = None) -> SignInResult:
    """Check credentials and record the attempt; the caller commits."""
    user = find_user_by_email(email)
    # Always check a hash, a dummy one for an unknown address, so that the answer takes as
    # long whether or not the account exists.
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches:
        audit.record("sign_in_failed", actor=user, ip=ip, email=normalise_email(email)[:254])
        return SignInResult(None, "The email address or password is not right.")
    if not user.active:
        audit.record("sign_in_refused_inactive", actor=user, ip=ip)
        return SignInResult(None, "This account has been deactivated. Ask your agency lead.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("sign_in", actor=user, ip=ip)
    return SignInResult(user)


def new_password_problems(user_fields: tuple[str, ...], password: str, min_length: int) -> list:
    """Policy problems with a proposed password for a user with these personal details."""
    personal = tuple(part for field in user_fields for part in field.replace("@", " ").split())
    return password_problems(password, min_length, personal)


def set_password(user: User, password: str, min_length: int) -> None:
    """Set a new password, ending every other session; raises AccountError if unacceptable."""
    problems = new_password_problems((user.name, user.email), password, min_length)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1
    _revoke_links(user)  # a link sent before the change must not change it again


def change_password(user: User, current: str, new: str, min_length: int, ip=None) -> None:
    """Change a password after checking the current one; the caller commits."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not right.", "current_password")
    set_password(user, new, min_length)
    audit.record("password_changed", actor=user, target=user, ip=ip)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_links(user: User) -> None:
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def create_reset_token(user: User, hours: int) -> str:
    """Make a single-use link token (older links stop working); only its hash is stored."""
    _revoke_links(user)
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user=user, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    return token


def reset_token_user(token: str) -> User | None:
    """The user a token belongs to, if the token is unused and unexpired."""
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row.user if row.user.active else None


def reset_password(token: str, password: str, min_length: int, ip=None) -> User:
    """Use a reset token to set a new password; the token can be used once only."""
    user = reset_token_user(token)
    if user is None:
        raise AccountError(
            "This link has expired or has already been used. Ask for a new one below."
        )
    problems = new_password_problems((user.name, user.email), password, min_length)
    if problems:
        raise AccountError(" ".join(problems))
    # A conditional update makes the token single-use even if two requests race.
    claimed = db.session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == _token_hash(token),
            PasswordResetToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise AccountError("This link has already been used. Ask for a new one below.")
    set_password(user, password, min_length)
    audit.record("password_reset", actor=user, target=user, ip=ip)
    return user


def register(
    name: str,
    email: str,
    password: str,
    agency_id: int,
    team_id: int | None,
    min_length: int,
    ip=None,
) -> User:
    """Create a learner account from self-registration; the caller commits."""
    email = normalise_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(DUPLICATE_EMAIL, "email")
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise AccountError("Choose your agency from the list.", "agency_id")
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.agency_id != agency.id:
            raise AccountError("Choose a team that belongs to your agency.", "team_id")
    problems = new_password_problems((name, email), password, min_length)
    if problems:
        raise AccountError(" ".join(problems))
    user = User(name=name.strip(), email=email, agency=agency, team_id=team_id)
    user.password_hash = hash_password(password)
    user.set_roles({Role.LEARNER})
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # the same email registered by a concurrent request
        raise AccountError(DUPLICATE_EMAIL, "email") from None
    audit.record("user_registered", actor=user, target=user, ip=ip)
    return user
