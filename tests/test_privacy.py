"""Personal data: a learner's own copy, erasure by an admin, and the retention command."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from signpost import privacy
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AuditEvent,
    Base,
    Booking,
    Certificate,
    CertificatePdf,
    ConfidenceRating,
    CourseCompletion,
    ExternalCompletion,
    LessonCompletion,
    ModuleProgress,
    PasswordResetToken,
    QuizAttempt,
    QuizSubmission,
    Role,
    ScenarioRun,
    ScenarioStep,
    TrainingSession,
    User,
    utcnow,
)
from tests.conftest import AuthActions
from tests.factories import TeamFactory, UserFactory
from tests.html import Page
from tests.test_certificates import complete_course
from tests.test_people import admin, lead_of

RECORDS = (
    Assignment,
    ModuleProgress,
    LessonCompletion,
    QuizAttempt,
    QuizSubmission,
    ScenarioRun,
    ScenarioStep,
    CourseCompletion,
    Certificate,
    Booking,
    ExternalCompletion,
    ConfidenceRating,
)


def counts() -> dict[str, int]:
    """How many rows each kind of training record has: what board figures are built from."""
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in RECORDS}


def everything_in_the_database() -> str:
    """Every value of every row of every table, as one text to search."""
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                if isinstance(value, bytes):
                    parts.append(value.decode("latin-1"))
                else:
                    parts.append(json.dumps(value, default=str, ensure_ascii=False))
    return "\n".join(parts)


def add_other_records(person: User, course) -> None:
    """Records from the other parts of Signpost: an assignment, a booking, and so on."""
    session = TrainingSession(
        title="CSE workshop",
        course_id=course.id,
        starts_at=utcnow() - dt.timedelta(days=3),
        ends_at=utcnow() - dt.timedelta(days=3, hours=-3),
        place="Room 4",
        capacity=20,
    )
    db.session.add_all(
        [
            Assignment(user_id=person.id, course_id=course.id, due_at=utcnow()),
            session,
            ExternalCompletion(
                user_id=person.id,
                course_id=course.id,
                completed_on=dt.date(2025, 1, 10),
                note=f"Certificate for {person.name}",
                evidence_name="certificate.pdf",
                evidence=b"%PDF-1.7 " + person.name.encode(),
            ),
            ConfidenceRating(
                user_id=person.id, course_id=course.id, phase="before", scores="3,4,2", mean=3.0
            ),
        ]
    )
    db.session.flush()
    db.session.add(Booking(session_id=session.id, user_id=person.id, attended=True))
    db.session.commit()


@pytest.fixture
def history(client, auth, course, journey):
    """A learner who has done the whole course, and a colleague with records of their own."""
    colleague = UserFactory(name="Colin Colleague", email="colin@example.org")
    auth.login(colleague)
    complete_course(journey)
    auth.logout()
    person = UserFactory(
        name="Harriet Quill",
        email="harriet.quill@example.org",
        job_title="School nurse",
        team=None,
    )
    person.team = TeamFactory(agency=person.agency, name="School Nursing")
    db.session.commit()
    auth.login(person.email, "a wrong password")  # a failed sign-in records the email
    auth.login(person)
    complete_course(journey)
    add_other_records(person, course)
    return person, colleague


def test_a_learner_downloads_everything_held_about_them_and_nothing_else(client, history):
    person, colleague = history
    links = Page(client.get("/account/my-data")).hrefs()
    assert "/account/my-data.json" in links and "/account/my-data" in links  # + menu
    response = client.get("/account/my-data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "harriet.quill@example.org"
    assert data["profile"]["job_title"] == "School nurse"
    assert "password_hash" not in data["profile"]
    assert data["roles"] == ["learner"]
    assert data["agency"]["name"] == person.agency.name and data["team"]["name"] == "School Nursing"
    for key in (
        "assignments",
        "module_progress",
        "lesson_completions",
        "quiz_attempts",
        "scenario_runs",
        "course_completions",
        "certificates",
        "bookings",
        "external_completions",
        "confidence_ratings",
        "audit_events",
    ):
        assert data[key], key
    assert data["quiz_attempts"][0]["submission"]["answers"]
    assert data["scenario_runs"][0]["steps"]
    assert len(data["lesson_completions"]) == 3
    assert "data" not in data["certificates"][0]  # no PDF bytes
    assert "evidence" not in data["external_completions"][0]
    assert data["bookings"][0]["session"] == "CSE workshop"
    assert {"sign_in", "sign_in_failed"} <= {e["action"] for e in data["audit_events"]}
    # Nothing about the colleague, who did the same course.
    text = response.get_data(as_text=True)
    assert "Colin" not in text and "colin@example.org" not in text
    for key in (
        "assignments",
        "module_progress",
        "quiz_attempts",
        "course_completions",
        "certificates",
        "scenario_runs",
        "bookings",
        "confidence_ratings",
    ):
        assert {row["user_id"] for row in data[key]} == {person.id}, key
    assert {e["actor_id"] for e in data["audit_events"]} == {person.id}
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "personal_data_exported")
    )
    assert event.actor_id == person.id and event.target_id == str(person.id)


def test_my_data_needs_sign_in(client):
    assert client.get("/account/my-data.json").status_code == 302


def test_erasing_removes_the_person_everywhere_but_keeps_the_figures(client, auth, history):
    person, colleague = history
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == person.id))
    if db.session.get(CertificatePdf, cert.id) is None:
        db.session.add(CertificatePdf(certificate_id=cert.id, data=b"%PDF Harriet Quill"))
    db.session.add(
        PasswordResetToken(
            user_id=person.id, token_hash="x" * 64, expires_at=utcnow() + dt.timedelta(hours=2)
        )
    )
    db.session.commit()
    auth.logout()
    before = counts()
    assert "Harriet Quill" in everything_in_the_database()
    auth.login(admin())
    page = f"/admin/people/{person.id}/erase"
    html = client.submit(page, {}).get_data(as_text=True)
    assert "Tick the box to confirm the erasure" in html  # not erased without confirmation
    response = client.submit(page, {"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert counts() == before
    text = everything_in_the_database()
    for secret in ("Harriet", "Quill", "harriet.quill@example.org", "School nurse"):
        assert secret not in text, secret
    assert "Colin Colleague" in text  # other people are untouched
    person = db.session.get(User, person.id)
    assert person.name == f"Erased user {person.id}"
    assert person.email == f"erased-{person.id}@erased.invalid"
    assert (person.password_hash, person.job_title, person.active) == (None, None, False)
    assert person.erased_at is not None
    assert person.agency_id is not None and person.team is not None
    assert db.session.get(Certificate, cert.id).holder_name == "Erased user"
    assert db.session.get(CertificatePdf, cert.id) is None  # the stored PDF printed the name
    assert db.session.scalar(select(func.count()).select_from(PasswordResetToken)) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user_erased"))
    # The certificate still verifies, without the name.
    verified = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Erased user" in verified


def test_only_admins_erase_and_not_themselves(client, auth, app):
    person = UserFactory()
    auth.login(lead_of(person.agency))
    assert client.get(f"/admin/people/{person.id}/erase").status_code == 403
    auth.logout()
    me = admin()
    auth.login(me)
    html = client.submit(f"/admin/people/{me.id}/erase", {"confirm": "y"}).get_data(as_text=True)
    assert "You cannot erase your own account" in html
    db.session.refresh(me)
    db.session.refresh(person)
    assert me.erased_at is None and person.erased_at is None


def test_an_erased_person_cannot_sign_in_or_be_reactivated(client, auth, app):
    person = UserFactory()
    me = admin()
    privacy.erase_user(person, me)
    db.session.commit()
    other = client.application.test_client()
    assert AuthActions(other).login(person).status_code != 302
    auth.login(me)
    client.submit(f"/admin/people/{person.id}/reactivate", page=f"/admin/people/{person.id}")
    db.session.refresh(person)
    assert not person.active
    with pytest.raises(privacy.PrivacyError):
        privacy.erase_user(person, me)


def _aged(name, created_days, login_days, roles=(Role.LEARNER,)):
    now = utcnow()
    return UserFactory(
        name=name,
        created_at=now - dt.timedelta(days=created_days),
        last_login_at=None if login_days is None else now - dt.timedelta(days=login_days),
        roles=list(roles),
    )


def test_retention_erases_only_people_inactive_for_longer_than_allowed(app, runner):
    never = _aged("Never Signed In", 400, None)
    lapsed = _aged("Long Gone", 900, 400)
    recent = _aged("Recent User", 900, 10)
    new = _aged("Just Joined", 5, None)
    result = runner.invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Retention is off" in result.output  # the default: 0 days
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.erased_at.is_not(None)))
        == 0
    )
    app.config["RETENTION_DAYS"] = 365  # as RETENTION_DAYS=365 in the environment sets it
    result = runner.invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Erased the personal details of 2 people" in result.output
    db.session.expire_all()
    assert db.session.get(User, never.id).erased_at and db.session.get(User, lapsed.id).erased_at
    assert db.session.get(User, recent.id).name == "Recent User"
    assert db.session.get(User, new.id).name == "Just Joined"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_applied"))
    assert sorted(event.detail["user_ids"]) == sorted([never.id, lapsed.id])
    # Running again (as cron will, daily) erases nobody else.
    result = runner.invoke(args=["privacy", "apply-retention"])
    assert result.exit_code == 0, result.output
    assert "of 0 people" in result.output
