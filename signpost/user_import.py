"""Importing people from a CSV file: read, check every row, then apply all valid rows at once."""

import re
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from signpost import accounts, assigning, audit
from signpost.extensions import db
from signpost.models import Agency, Role, Team, User, UserRole
from signpost.people import CANNOT_ADD, grantable_roles, is_admin, scope_agency_id
from signpost.scope import scope_of
from signpost.user_import_file import (  # noqa: F401 - MAX_* and ImportFileError are used via here
    CONTROL,
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    Row,
    decode,
    parse,
)

SET_PASSWORD_HOURS = 7 * 24  # a new account's first link: longer than the 2-hour reset
FORMULA_STARTS = ("=", "+", "-", "@")
ROLE_WORDS = {r.value: r for r in Role} | {r.label.lower(): r for r in Role}
ROLE_WORDS |= {"agency lead": Role.AGENCY_LEAD, "lead": Role.AGENCY_LEAD, "admin": Role.ADMIN}
SIGNING_SALT = "signpost.user-import"


@dataclass
class Preview:
    """What importing the file would do, row by row."""

    text: str
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many rows have this status."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def errors(self) -> list[Row]:
        """The rows that will not be imported, with their problems."""
        return [row for row in self.rows if row.status == "error"]

    @property
    def statuses(self) -> str:
        """One letter per row: what the preview promised, compared again on confirm."""
        return "".join(row.status[0] for row in self.rows)

    @property
    def changes_anything(self) -> bool:
        """True if confirming would create or update anyone."""
        return any(row.status in ("new", "updated") for row in self.rows)


@dataclass
class ImportResult:
    """What confirming did."""

    created: list[tuple[User, str]]  # each new person with their set-password token
    updated: list[User]
    unchanged: int
    skipped: int


def sign(preview: Preview, actor: User, secret_key: str) -> str:
    """The checked file, signed, to carry from the preview page to the confirm request."""
    serializer = URLSafeTimedSerializer(secret_key, salt=SIGNING_SALT)
    return serializer.dumps({"csv": preview.text, "by": actor.id, "statuses": preview.statuses})


def unsign(token: str, actor: User, secret_key: str, max_age: int) -> tuple[str, str]:
    """The file text and promised statuses; ImportFileError if forged, stale or someone else's."""
    serializer = URLSafeTimedSerializer(secret_key, salt=SIGNING_SALT)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except BadSignature:
        raise ImportFileError(
            "This preview has expired or was changed. Upload the file again."
        ) from None
    if payload.get("by") != actor.id:
        raise ImportFileError("This preview was made by someone else. Upload the file again.")
    return payload["csv"], payload["statuses"]


def preview(data: bytes, actor: User) -> Preview:
    """Read and check an uploaded file; nothing is written."""
    text, warnings = decode(data)
    return check_text(text, actor, warnings)


def check_text(text: str, actor: User, warnings: list[str] | None = None) -> Preview:
    """Check already-decoded file text against the database and the actor's scope."""
    rows, more = parse(text)
    result = Preview(text=text, rows=rows, warnings=(warnings or []) + more)
    _validate(result.rows, actor)
    return result


def _existing(emails: list[str]) -> dict[str, User]:
    found = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        for user in db.session.scalars(select(User).where(User.email.in_(chunk))):
            found[user.email] = user
    return found


def _validate(rows: list[Row], actor: User) -> None:
    agencies = {a.name.lower(): a for a in db.session.scalars(select(Agency))}
    teams = {(t.agency_id, t.name.lower()): t for t in db.session.scalars(select(Team))}
    for row in rows:
        row.email = accounts.normalise_email(row.email)
    counts = Counter(row.email for row in rows if row.email)
    where = {}
    for row in rows:
        where.setdefault(row.email, []).append(row.number)
    existing = _existing([email for email in counts if counts[email] == 1])
    for row in rows:
        _check_row(row, actor, agencies, teams)
        if row.email and counts[row.email] > 1:
            listed = ", ".join(str(n) for n in where[row.email])
            row.problems.append(f"This email address is on more than one row (rows {listed}).")
        if not row.problems:
            _compare(row, actor, existing.get(row.email))
        row.status = "error" if row.problems else row.status


def _check_row(row: Row, actor: User, agencies: dict, teams: dict) -> None:
    for label, value in (("name", row.name), ("email", row.email), ("agency", row.agency)):
        if not value:
            row.problems.append(f"The {label} is missing.")
    for label, value in (("name", row.name), ("team", row.team), ("job title", row.job_title)):
        if value.startswith(FORMULA_STARTS):
            row.problems.append(
                f'The {label} starts with "{value[0]}", which spreadsheets treat as a formula. '
                "Remove that character."
            )
        if CONTROL.search(value):
            row.problems.append(f"The {label} contains invisible control characters.")
    for label, value, limit in (("name", row.name, 200), ("job title", row.job_title, 200)):
        if len(value) > limit:
            row.problems.append(f"The {label} is longer than {limit} characters.")
    if row.email:
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            row.problems.append(f'"{row.email}" is not a valid email address.')
    agency = agencies.get(row.agency.lower()) if row.agency else None
    scope = scope_agency_id(actor)
    if row.agency and agency is None:
        row.problems.append(f'There is no agency called "{row.agency}".')
    elif agency is not None and scope is not None and agency.id != scope:
        row.problems.append("You can only import people into your own agency.")
    elif agency is not None:
        row.agency_id = agency.id
        if row.team:
            team = teams.get((agency.id, row.team.lower()))
            if team is None:
                row.problems.append(f'{agency.name} has no team called "{row.team}".')
            else:
                row.team_id = team.id
    _check_roles(row, actor)


def _check_roles(row: Row, actor: User) -> None:
    words = [w.strip().lower() for w in re.split(r"[;,|]", row.roles_text) if w.strip()]
    unknown = [w for w in words if w not in ROLE_WORDS]
    for word in unknown:
        row.problems.append(
            f'There is no role called "{word}". '
            "Use learner, trainer, agency lead, auditor or admin."
        )
    row.roles = {ROLE_WORDS[w] for w in words if w in ROLE_WORDS} or {Role.LEARNER}


def _compare(row: Row, actor: User, user: User | None) -> None:
    if user is None:
        refused = row.roles - grantable_roles(actor)
        if refused:
            names = ", ".join(sorted(r.label.lower() for r in refused))
            row.problems.append(f"Only an administrator can give the {names} role.")
        return
    if not is_admin(actor) and not scope_of(actor).covers(user):
        # A lead must not learn whose an address outside their agency is, or that it is used.
        row.problems.append(CANNOT_ADD)
        return
    if user.agency_id != row.agency_id:
        row.problems.append("This email address belongs to someone in another agency.")
        return
    if not is_admin(actor) and (user.roles - grantable_roles(actor)):
        row.problems.append("This person's account can only be changed by an administrator.")
        return
    if not is_admin(actor) and (row.roles - user.roles - grantable_roles(actor)):
        row.problems.append("Only an administrator can give these roles.")
        return
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in row.roles:
        row.problems.append("You cannot remove your own administrator role.")
        return
    pairs = (
        ("name", user.name, row.name),
        ("team", user.team_id, row.team_id),
        ("job title", user.job_title or "", row.job_title),
        ("roles", user.roles, row.roles),
    )
    row.user = user
    row.changes = [label for label, old, new in pairs if old != new]
    row.status = "updated" if row.changes else "unchanged"


def _insert_people(rows: list[Row]) -> list[User]:
    # A bulk INSERT ... RETURNING: thousands of people in a few statements, not one each.
    if not rows:
        return []
    values = [
        {
            "name": row.name,
            "email": row.email,
            "agency_id": row.agency_id,
            "team_id": row.team_id,
            "job_title": row.job_title or None,
            "password_hash": None,  # set by the person from the emailed link
        }
        for row in rows
    ]
    # Matched up by email (unique): asking for rows back in order costs a statement each on SQLite.
    # render_nulls keeps rows with and without a team in the same batches.
    stmt = insert(User).returning(User).execution_options(render_nulls=True)
    inserted = {p.email: p for p in db.session.scalars(stmt, values)}
    people = [inserted[row.email] for row in rows]
    db.session.execute(
        insert(UserRole),
        [
            {"user_id": p.id, "role": role}
            for p, row in zip(people, rows, strict=True)
            for role in row.roles
        ],
    )
    ids = [p.id for p in people]
    for start in range(0, len(ids), 500):
        db.session.scalars(
            select(User)
            .where(User.id.in_(ids[start : start + 500]))
            .options(selectinload(User.role_rows))
            .execution_options(populate_existing=True)
        ).all()
    return people


def apply(result: Preview, actor: User, ip: str | None = None) -> ImportResult:
    """Create and update everyone on valid rows, in the caller's one transaction."""
    people = _insert_people([row for row in result.rows if row.status == "new"])
    assigning.apply_rules_to_users(people)
    created = [(p, accounts.create_reset_token(p, SET_PASSWORD_HOURS)) for p in people]
    updated = []
    for row in result.rows:
        if row.status == "updated":
            person = row.user
            person.name, person.team_id = row.name, row.team_id
            person.job_title = row.job_title or None
            person.set_roles(row.roles)
            updated.append(person)
            if {"team", "roles"} & set(row.changes):
                assigning.apply_rules_to_user(person)
    audit.record(
        "users_imported",
        actor=actor,
        ip=ip,
        agency_id=scope_agency_id(actor),
        created=len(created),
        updated=len(updated),
        unchanged=result.count("unchanged"),
        skipped=result.count("error"),
        created_ids=[p.id for p in people],
        updated_ids=[p.id for p in updated],
    )
    return ImportResult(created, updated, result.count("unchanged"), result.count("error"))
