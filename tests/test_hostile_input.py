"""Hostile values on every route give a 4xx or a normal page, never a 500.

Walks `app.url_map` as an anonymous visitor and as each role, with hostile path values
(huge ids, `²`, very long, markup, traversal) and hostile query parameters (huge and
negative numbers, non-ASCII digits, empty, very long, impossible dates, repeated names),
then posts hostile forms to every POST route. One run lists every 500 it meets.
"""

import datetime as dt
from urllib.parse import urlencode

from sqlalchemy import select
from werkzeug.routing import IntegerConverter, Rule

from signpost.extensions import db
from signpost.models import Course, Role, TrainingSession, utcnow
from tests.factories import AgencyFactory, TeamFactory, UserFactory

HUGE = "99999999999999999999999"
LONG = "x" * 5000
INT_PATH = [0, 2**31, 10**30]
TEXT_PATH = ["²", LONG, "\x00", "../..", "<script>", "' OR 1=1 --", "Ünïcødé"]
NUL = "a\x00b"  # PostgreSQL refuses a string holding NUL
QUERY_VALUES = [HUGE, "-1", "²", "", LONG, "9999-12-31", "0000-00-00", "2026-02-30", NUL]
# Sent one name at a time too, so that one field's error does not hide another's.
ALONE_VALUES = [HUGE, "²"]
ALONE_DATES = [HUGE, "9999-12-31", "0001-01-01"]
# Every name a view reads from request.args, directly or through a filter form.
QUERY_NAMES = [
    "page", "q", "agency", "team", "course", "level", "role", "status", "sort", "dir",
    "date_from", "date_to", "action", "actor_email", "target_type", "email", "code", "next",
    "kind", "cell",
]  # fmt: skip
# A generic set of names the POST forms use.
FORM_NAMES = QUERY_NAMES + [
    "id", "choice", "step", "key", "q1", "q2", "name", "due_days", "due_date", "capacity",
    "starts_at", "ends_at", "payload", "reason", "note", "notes", "place", "title", "confirm",
    "completed_on", "roles", "job_title", "current", "password", "remove", "field",
    "self_registration", "subject", "rating", "before", "after", "evidence", "s0", "s1",
    "attended-1", "attended-²", f"attended-{HUGE}",
]  # fmt: skip
FORM_VALUES = [HUGE, "-1", "²", LONG, "9999-12-31", "course:²", f"module:{HUGE}", NUL]
# Slow pages (a PDF each time) that read their parameters exactly as a faster page does:
# they get the hostile values all at once but not one name at a time.
SLOW = {"reports.board_report_pdf"}  # its filters are export.csv's
# Posting these would end the session the walk relies on.
POST_SKIP = {"accounts.sign_out"}


# Real values for the text path segments, so that the hostile ones reach deeper pages.
REAL = {"slug": "basics", "lesson_slug": "first", "scenario_slug": "case", "phase": "before"}


def _sample(rule: Rule, name: str, converter) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if name == "slug" and "/courses/" in rule.rule:
        return "starter"
    return REAL.get(name, "x")


def _build(app, rule: Rule, values: dict) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _path_urls(app, rule: Rule) -> list[str]:
    """The rule's URL with each path value in turn replaced by each hostile one."""
    base = {name: _sample(rule, name, c) for name, c in rule._converters.items()}
    urls = [_build(app, rule, base)]
    for name, converter in rule._converters.items():
        hostile = INT_PATH if isinstance(converter, IntegerConverter) else TEXT_PATH
        urls += [_build(app, rule, {**base, name: value}) for value in hostile]
    return urls


def _query_urls(base: str) -> list[str]:
    """`base` with every parameter name set to each hostile value, then repeated."""
    urls = [base + "?" + urlencode({name: value for name in QUERY_NAMES}) for value in QUERY_VALUES]
    repeated = [(name, value) for name in QUERY_NAMES for value in ("1", "2")]
    return urls + [base + "?" + urlencode(repeated)]


def _rules(app, method: str) -> list[Rule]:
    return [
        rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if rule.endpoint != "static" and method in (rule.methods or set())
    ]


def _people() -> dict[str, object]:
    """One person per role and one holding every role, in a shared agency and team, with
    a face-to-face session (id 1) for the imported course."""
    agency = AgencyFactory()
    TeamFactory(agency=agency)
    now = utcnow()
    course = db.session.scalar(select(Course))
    soon = now + dt.timedelta(days=7)
    session = TrainingSession(title="Session", course_id=course.id, place="Room 2", capacity=5)
    session.starts_at, session.ends_at = soon, soon + dt.timedelta(hours=3)
    db.session.add(session)
    db.session.commit()
    UserFactory(agency=agency)  # id 1 belongs to nobody the walk signs in as
    people = {role.value: UserFactory(agency=agency, roles=[role]) for role in Role}
    people["every role"] = UserFactory(agency=agency, roles=list(Role))
    return people


def _alone_urls(base: str) -> list[str]:
    return [
        base + "?" + urlencode({name: value})
        for name in QUERY_NAMES
        for value in (ALONE_DATES if name.startswith("date_") else ALONE_VALUES)
    ]


def _walk_gets(app, client, who: str, alone: bool = False) -> list[str]:
    """Every GET route with hostile values; `alone` adds one name at a time on pages that
    answer 200 (with several at once, the first error may hide the others)."""
    failures = []
    for rule in _rules(app, "GET"):
        urls = _path_urls(app, rule)
        if alone and rule.endpoint not in SLOW and client.get(urls[0]).status_code == 200:
            urls += _alone_urls(urls[0])
        for url in urls + _query_urls(urls[0]):
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{who}: GET {rule.endpoint} {url[:120]} -> {status}")
    return failures


def test_hostile_path_and_query_values_never_give_a_500(app, client, auth, course):
    people = _people()
    failures = _walk_gets(app, client, "anonymous")
    for who, person in people.items():
        auth.login(person)
        failures += _walk_gets(app, client, who, alone=who == "every role")
        auth.logout()
    assert failures == [], "\n".join(failures)


def _walk_posts(app, client, who: str) -> list[str]:
    failures = []
    token = client.csrf_token("/account/password")
    for rule in _rules(app, "POST"):
        if rule.endpoint in POST_SKIP:
            continue
        urls = _path_urls(app, rule)
        for url in urls[:1] + [u for u in urls[1:] if "2147483648" in u or "10000" in u]:
            for value in FORM_VALUES:
                data = {name: value for name in FORM_NAMES} | {"csrf_token": token}
                status = client.post(url, data=data).status_code
                if status >= 500:
                    failures.append(f"{who}: POST {rule.endpoint} {url[:120]} {value[:20]!r}")
    return failures


def test_hostile_forms_never_give_a_500(app, client, auth, course):
    people = _people()
    failures = []
    for who in ("admin", "learner", "every role"):
        auth.login(people[who])
        failures += _walk_posts(app, client, who)
        auth.logout()
    assert failures == [], "\n".join(failures)
