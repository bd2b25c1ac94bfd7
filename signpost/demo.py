"""Demo agencies and one demo user per role, for trying Signpost out."""

import datetime as dt

from sqlalchemy import select

from signpost.extensions import db
from signpost.models import Agency, AgencyKind, Assignment, Course, Role, Team, User, utcnow
from signpost.passwords import hash_password

DEMO_PASSWORD = "signpost-demo-training"  # noqa: S105 - printed for the demo site only

DEMO_AGENCIES = [
    ("County Police", AgencyKind.POLICE, ["Public Protection Unit", "Neighbourhood Team North"]),
    ("County Children's Services", AgencyKind.SOCIAL_CARE, ["Assessment Team", "MASH"]),
    ("County Community Health", AgencyKind.HEALTH, ["Health Visiting", "School Nursing"]),
    ("Riverside Academy Trust", AgencyKind.EDUCATION, ["Safeguarding Leads"]),
    ("County Youth Service", AgencyKind.YOUTH, []),
    ("District Housing", AgencyKind.HOUSING, []),
    ("Safe Futures Charity", AgencyKind.VOLUNTARY, []),
    ("Other Partners", AgencyKind.OTHER, []),
]

DEMO_USERS = [
    (
        "learner@demo.signpost",
        "Lee Learner",
        "County Police",
        "Public Protection Unit",
        {Role.LEARNER},
    ),
    (
        "trainer@demo.signpost",
        "Tara Trainer",
        "County Children's Services",
        None,
        {Role.TRAINER, Role.LEARNER},
    ),
    ("lead@demo.signpost", "Alex Lead", "County Police", None, {Role.AGENCY_LEAD, Role.LEARNER}),
    ("auditor@demo.signpost", "Bea Auditor", "Other Partners", None, {Role.AUDITOR}),
    ("admin@demo.signpost", "Ade Admin", "Other Partners", None, {Role.ADMIN}),
]


def _agency(name: str, kind: AgencyKind, teams: list[str]) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, kind=kind)
        db.session.add(agency)
    have = {team.name for team in agency.teams}
    for team in teams:
        if team not in have:
            agency.teams.append(Team(name=team))
    return agency


def seed_demo() -> list[tuple[str, str, str]]:
    """Create or refresh the demo data; returns (role labels, email, password) rows."""
    agencies = {name: _agency(name, kind, teams) for name, kind, teams in DEMO_AGENCIES}
    db.session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    rows = []
    for email, name, agency_name, team_name, roles in DEMO_USERS:
        agency = agencies[agency_name]
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, agency=agency)
            db.session.add(user)
        user.agency = agency
        user.team = next((t for t in agency.teams if t.name == team_name), None)
        user.active = True
        user.password_hash = password_hash
        user.set_roles(roles)
        rows.append((", ".join(sorted(r.label for r in roles)), email, DEMO_PASSWORD))
    db.session.flush()
    _assign_demo_courses()
    return rows


# (user email, course slug, days until due)
DEMO_ASSIGNMENTS = [
    ("learner@demo.signpost", "cse-awareness", 30),
    ("lead@demo.signpost", "cse-awareness", 14),
    ("trainer@demo.signpost", "cse-multi-agency", 60),
]


def _assign_demo_courses() -> None:
    """Give demo learners a required course, once the content has been imported."""
    for email, slug, days in DEMO_ASSIGNMENTS:
        user = db.session.scalar(select(User).where(User.email == email))
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        if user is None or course is None:
            continue
        exists = db.session.scalar(
            select(Assignment).where(
                Assignment.user_id == user.id, Assignment.course_id == course.id
            )
        )
        if exists is None:
            due = utcnow().replace(hour=17, minute=0, second=0, microsecond=0) + dt.timedelta(
                days=days
            )
            db.session.add(Assignment(user_id=user.id, course_id=course.id, due_at=due))
