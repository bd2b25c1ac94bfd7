"""The local details content refers to: whom to call here, written once per area.

Course material names local procedures through placeholders, `{{local.KEY}}` or
`{{local.KEY|text shown when unset}}`, so that one course serves every area without
hard-coding one area's numbers. `content check` rejects a key that is not listed here.
"""

import base64
import io
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from signpost import audit
from signpost.errors import Conflict, Invalid, NotFound, NotPermitted
from signpost.extensions import db
from signpost.models import Agency, LocalDetail, PartnershipLogo, User
from signpost.scope import scope_of

# Key -> what the detail is, in words an administrator filling it in understands. Ordered
# as the settings page should show them.
KEYS: dict[str, str] = {
    "partnership_name": "Name of the local safeguarding children partnership",
    "front_door_phone": "Children's social care front door or MASH: phone number for referrals",
    "front_door_hours": "Hours the front door or MASH takes calls",
    "out_of_hours_phone": "Out-of-hours children's social care (emergency duty team): phone number",
    "police_non_emergency": "Police non-emergency contact (101) and any local exploitation team",
    "safeguarding_lead": "This agency's own safeguarding lead: name, role and how to reach them",
    "lado": "Local Authority Designated Officer (LADO): how to contact them",
    "exploitation_meeting": "How to refer to the multi-agency exploitation meeting (MACE or MASE)",
    "return_interview_provider": "Who carries out return interviews after a child has been missing",
    "screening_tool": "The local exploitation screening or risk assessment tool",
    "escalation_policy_url": (
        "Where to find the escalation policy for resolving professional disagreements"
    ),
    "nrm_referral": "Who makes National Referral Mechanism referrals for children here",
    "ictg_service": "Whether the Independent Child Trafficking Guardian service covers this area",
}

PLACEHOLDER = re.compile(r"\{\{local\.([a-z0-9_]+)(?:\|([^}]*))?\}\}")


def placeholders(text: str) -> list[tuple[str, str | None, int]]:
    """Each `{{local.KEY|fallback}}` in text as (key, fallback or None, offset)."""
    return [(m.group(1), m.group(2), m.start()) for m in PLACEHOLDER.finditer(text)]


# --- Values ---------------------------------------------------------------------------

# The partnership is one body: agencies override whom to call, not whose partnership it is.
PARTNERSHIP_ONLY = frozenset({"partnership_name"})
OVERRIDABLE = [key for key in KEYS if key not in PARTNERSHIP_ONLY]
URL_KEYS = frozenset({"escalation_policy_url"})
MAX_VALUE = 500
UNSET = "your local arrangements (ask your safeguarding lead)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def values_for(agency_id: int | None) -> dict[str, str]:
    """The partnership's values with this agency's overrides on top, in one query."""
    where = LocalDetail.agency_id.is_(None)
    if agency_id is not None:
        where = or_(where, LocalDetail.agency_id == agency_id)
    rows = db.session.execute(
        select(LocalDetail.key, LocalDetail.agency_id, LocalDetail.value).where(where)
    ).all()
    # The partnership's first, then the agency's on top (except partnership-only keys).
    ordered = sorted(rows, key=lambda row: row.agency_id is not None)
    return {k: v for k, a, v in ordered if a is None or k not in PARTNERSHIP_ONLY}


def own_values(agency_id: int | None) -> dict[str, str]:
    """Only the values set at this level: the partnership's, or one agency's overrides."""
    return {row.key: row.value for row in _rows(agency_id).values()}


def _rows(agency_id: int | None) -> dict[str, LocalDetail]:
    level = (
        LocalDetail.agency_id.is_(None) if agency_id is None else LocalDetail.agency_id == agency_id
    )
    return {row.key: row for row in db.session.scalars(select(LocalDetail).where(level))}


def _check_may_set(actor: User, agency_id: int | None) -> None:
    scope = scope_of(actor)
    if agency_id is None:
        if not scope.manages_everywhere:
            raise NotPermitted("Only administrators can change the partnership's local details.")
    elif not scope.may_manage_agency(agency_id) or db.session.get(Agency, agency_id) is None:
        raise NotFound("There is no such agency.", about="agency_id")


def _cleaned(values: Mapping[str, str | None], agency_id: int | None) -> dict[str, str]:
    allowed = KEYS if agency_id is None else OVERRIDABLE
    cleaned = {}
    for key, value in values.items():
        if key not in allowed:
            raise Invalid(f"{key} is not a local detail that can be set here.", about=key)
        value = (value or "").strip()
        if len(value) > MAX_VALUE:
            raise Invalid(f"Keep this to {MAX_VALUE} characters or fewer.", about=key)
        if _CONTROL.search(value):
            raise Invalid("Write this on one line, without special characters.", about=key)
        cleaned[key] = value
    return cleaned


def set_values(
    actor: User, values: Mapping[str, str | None], agency_id: int | None = None, ip=None
) -> list[str]:
    """Set the partnership's values (admins) or an agency's overrides; blank clears one."""
    _check_may_set(actor, agency_id)
    cleaned = _cleaned(values, agency_id)
    rows = _rows(agency_id)
    changed = []
    for key, value in cleaned.items():
        row = rows.get(key)
        if value == (row.value if row is not None else ""):
            continue
        if not value:
            db.session.delete(row)
        elif row is not None:
            row.value, row.updated_by_id = value, actor.id
        else:
            _insert(LocalDetail(key=key, agency_id=agency_id, value=value, updated_by_id=actor.id))
        audit.record(
            "local_detail_changed",
            actor=actor,
            ip=ip,
            agency_id=agency_id,
            key=key,
            level="partnership" if agency_id is None else "agency",
            value=value or None,
        )
        changed.append(key)
    return changed


def _insert(row: LocalDetail) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # someone else set the same detail at the same moment
        raise Conflict(
            "Someone else saved these details at the same moment: check them and save again.",
            about=row.key,
        ) from None


# --- Substitution ---------------------------------------------------------------------

# In stored HTML markdown-it and nh3 have had their turn: the bar may be an entity, and
# the fallback is already escaped (and sanitised) HTML.
_BAR = r"(?:\||&#124;|&#x0*7[cC];|&vert;|&verbar;|&VerticalLine;)"
RENDERED = re.compile(r"\{\{local\.([a-z0-9_]+)(?:" + _BAR + r"([^}]*))?\}\}")
# nh3 writes every attribute value in double quotes, with any quote inside as &quot;.
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


def substitute(html: str, values: Mapping[str, str]) -> Markup:
    """Sanitised HTML with each placeholder replaced by its escaped value or fallback."""
    if "{{local." not in html:
        return Markup(html)  # noqa: S704 - stored content HTML, sanitised at import
    tags = [(m.start(), m.end()) for m in _TAG.finditer(html)]
    starts = [start for start, _ in tags]
    # One pass over the original: a value containing a placeholder is never expanded.
    return Markup(  # noqa: S704 - values escaped; fallbacks come from the sanitised HTML
        RENDERED.sub(lambda m: _replacement(html, m, tags, starts, values), html)
    )


def _replacement(html, m, tags, starts, values) -> str:
    where = _where(html, m, tags, starts)
    if where in (None, "code"):
        return m.group(0)  # shown as written: in code, or cut across markup
    key, fallback = m.group(1), m.group(2)
    value = (values.get(key) or "").strip()
    if not value and fallback is not None:
        return fallback
    # Keep any markup the placeholder spanned, so that the page stays well formed.
    markup = "".join(_TAG.findall(m.group(0))) if where != "attr" else ""
    if not value:
        return str(escape(UNSET)) + markup
    return _value_html(key, value, link=where == "text") + markup


def _where(html: str, m, tags, starts) -> str | None:
    """ "attr" inside one tag, "code", "link" or "text"; None if it starts and ends apart."""
    start, last = m.start(), m.end() - 1
    i = bisect_right(starts, start) - 1
    if i >= 0 and start < tags[i][1]:
        return "attr" if last < tags[i][1] else None
    j = bisect_right(starts, last) - 1
    if j >= 0 and last < tags[j][1]:
        return None
    if _inside(html, start, "code"):
        return "code"
    return "link" if _inside(html, start, "a") else "text"


def _inside(html: str, pos: int, name: str) -> bool:
    opened = max(html.rfind(f"<{name} ", 0, pos), html.rfind(f"<{name}>", 0, pos))
    return opened > html.rfind(f"</{name}>", 0, pos)


def _value_html(key: str, value: str, link: bool) -> str:
    text = str(escape(value))
    if link and key in URL_KEYS and is_web_address(value):
        return f'<a href="{text}" rel="noopener noreferrer">{text}</a>'
    return text


def is_web_address(value: str) -> bool:
    """True for an http or https address with a host and no spaces."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", value)


# --- The partnership's name and logo --------------------------------------------------

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 4000 * 4000
# SVG is refused: content/ has no SVG sanitiser to reuse, only a check that rejects script.
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_ID = 1  # there is one logo: its row always has this id


@dataclass(frozen=True)
class Branding:
    """What certificates and reports show of the partnership: its name and logo."""

    name: str
    logo: str | None  # a data: URI, so that a PDF needs nothing from the network


def branding() -> Branding:
    """The partnership's current name (blank if unset) and logo."""
    name = db.session.scalar(
        select(LocalDetail.value).where(
            LocalDetail.key == "partnership_name", LocalDetail.agency_id.is_(None)
        )
    )
    row = db.session.get(PartnershipLogo, LOGO_ID)
    uri = None
    if row is not None:
        uri = f"data:{row.media_type};base64," + base64.b64encode(row.data).decode("ascii")
    return Branding(name=(name or "").strip(), logo=uri)


def _logo_type(data: bytes) -> str:
    """The media type of a PNG or JPEG logo, checked by its content, not its name."""
    if not data:
        raise Invalid("Choose an image file to upload.", about="logo")
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid("The logo must be 512 KB or smaller.", about="logo")
    from PIL import Image  # imported here: Pillow comes with WeasyPrint, needed only here

    try:
        with Image.open(io.BytesIO(data), formats=list(LOGO_TYPES)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid("The logo must be a PNG or JPEG image.", about="logo") from None
    if width * height > MAX_LOGO_PIXELS:
        raise Invalid("The logo is too large: use one under 4000 by 4000 pixels.", about="logo")
    return LOGO_TYPES[kind]


def set_logo(actor: User, data: bytes, ip=None) -> PartnershipLogo:
    """Replace the partnership's logo (admins only)."""
    _check_may_set(actor, None)
    media_type = _logo_type(data)
    row = db.session.get(PartnershipLogo, LOGO_ID)
    if row is None:
        row = PartnershipLogo(id=LOGO_ID, data=data, media_type=media_type)
        db.session.add(row)
    row.data, row.media_type, row.updated_by_id = data, media_type, actor.id
    audit.record("partnership_logo_changed", actor=actor, ip=ip, media_type=media_type)
    return row


def remove_logo(actor: User, ip=None) -> None:
    """Take the partnership's logo off certificates and reports (admins only)."""
    _check_may_set(actor, None)
    row = db.session.get(PartnershipLogo, LOGO_ID)
    if row is not None:
        db.session.delete(row)
        audit.record("partnership_logo_removed", actor=actor, ip=ip)
