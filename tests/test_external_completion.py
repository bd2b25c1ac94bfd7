"""Training completed elsewhere: recording it with evidence, what it completes, who sees it."""

import datetime as dt
import io

import pytest
from flask_migrate import downgrade, upgrade
from PIL import Image
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select, text, update

from app import create_app
from signpost import external
from signpost.errors import Conflict, NotPermitted
from signpost.extensions import db
from signpost.models import (
    AuditEvent,
    Certificate,
    CourseCompletion,
    ExternalCompletion,
    Module,
    ModuleProgress,
    Role,
    utcnow,
)
from tests.factories import AgencyFactory, UserFactory
from tests.html import Page


def picture(kind: str) -> bytes:
    """A real small image, as a scanned certificate would be."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, kind)
    return buffer.getvalue()


# Real images now: evidence is parsed, so the magic bytes alone no longer pass.
PNG = picture("PNG")
JPEG = picture("JPEG")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def small_pdf(text: str = "Certificate of attendance") -> bytes:
    """A real one-page PDF, as a training provider's certificate would be."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def locked_pdf() -> bytes:
    """A real PDF that needs a password to open."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def agency(app):
    return AgencyFactory()


@pytest.fixture
def lead(agency):
    return UserFactory(roles=[Role.AGENCY_LEAD], agency=agency)


@pytest.fixture
def second_lead(agency):
    return UserFactory(roles=[Role.AGENCY_LEAD], agency=agency)


@pytest.fixture
def staff(agency):
    return UserFactory(agency=agency)


def form(person, what: str, evidence: bytes, name: str = "certificate.pdf", **changes):
    data = {
        "email": person.email,
        "subject": what,
        "completed_on": (utcnow().date() - dt.timedelta(days=30)).isoformat(),
        "note": "Two-day CSE course run by the safeguarding partnership, 3-4 March.",
        "evidence": (io.BytesIO(evidence), name),
    }
    return {**data, **changes}


def post(client, data):
    return client.submit("/external/new", data, content_type="multipart/form-data")


def decide(client, entry, action: str = "approve", **data):
    # Any signed-in page carries the session's CSRF token (the sign-out form).
    return client.submit(f"/external/{entry.id}/{action}", data, page="/face-to-face/")


def the_record() -> ExternalCompletion:
    record = db.session.scalar(select(ExternalCompletion))
    db.session.refresh(record)
    return record


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def nothing_completed():
    return count(ModuleProgress) == 0 and count(CourseCompletion) == 0 and count(Certificate) == 0


def nothing_written():
    return (
        count(ExternalCompletion) == 0
        and count(ModuleProgress) == 0
        and count(CourseCompletion) == 0
        and count(AuditEvent, AuditEvent.action == "external_completion_recorded") == 0
    )


def test_a_lead_records_a_course_done_elsewhere_and_it_waits_for_approval(
    client, auth, lead, staff, course
):
    pdf = small_pdf()
    auth.login(lead)

    response = post(client, form(staff, f"course:{course.id}", pdf))

    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The completion has been recorded for {staff.name}." in html
    assert "awaits approval by another lead of their agency or an admin" in html
    assert "certificate has been issued" not in html
    entry = the_record()
    assert (entry.user_id, entry.course_id, entry.module_id) == (staff.id, course.id, None)
    assert (entry.evidence, entry.evidence_type, entry.evidence_name) == (
        pdf,
        "application/pdf",
        "certificate.pdf",
    )
    assert entry.recorded_by_id == lead.id and entry.note.startswith("Two-day CSE course")
    assert entry.completed_on == utcnow().date() - dt.timedelta(days=30)
    assert (entry.status, entry.approved_by_id, entry.approved_at) == ("pending", None, None)
    # Pending: nothing counts and no certificate exists until a second person approves.
    assert nothing_completed()
    assert count(AuditEvent, AuditEvent.action == "external_completion_recorded") == 1
    assert staff.name in html and "certificate.pdf" in html  # listed for the lead
    assert "Awaiting approval" in html
    assert "Waiting for your approval" not in html  # the recorder has nothing to approve


def test_a_second_lead_approves_and_the_course_completes_with_a_certificate(
    client, auth, lead, second_lead, staff, course
):
    auth.login(lead)
    post(client, form(staff, f"course:{course.id}", small_pdf()))
    auth.logout()
    auth.login(second_lead)
    listing = client.get("/external/").get_data(as_text=True)
    assert "Waiting for your approval" in listing and "Approve" in listing and "Reject" in listing
    entry = the_record()

    response = decide(client, entry)

    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The training recorded for {staff.name} has been approved." in html
    assert "a certificate has been issued" in html
    entry = the_record()
    assert (entry.status, entry.approved_by_id) == ("approved", second_lead.id)
    assert entry.approved_at is not None
    assert sorted(db.session.scalars(select(ModuleProgress.via))) == ["external", "external"]
    done = db.session.scalar(select(CourseCompletion))
    assert done.via == "external" and done.user_id == staff.id
    # Dated when the training was done, so the certificate runs from then.
    assert done.completed_at.date() == entry.completed_on
    cert = db.session.scalar(select(Certificate))
    assert cert is not None and cert.completion_id == done.id and count(Certificate) == 1
    (event,) = events("external_completion_approved")
    assert event.actor_id == second_lead.id and event.target_id == str(entry.id)
    assert event.detail["recorded_by"] == lead.id
    assert event.detail["recorded_by_name"] == lead.name
    assert event.detail["approved_by_name"] == second_lead.name
    assert event.detail["courses_completed"] == 1
    assert "Approved" in html and f"by {second_lead.name}" in html


def test_a_module_done_elsewhere_completes_that_module_only(client, auth, lead, staff, course):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    post(client, form(staff, f"module:{module('next-steps').id}", PNG, name="scan.png"))
    assert nothing_completed() and the_record().status == "pending"
    auth.logout()
    auth.login(lead)  # a lead of the agency approves what an admin recorded
    assert decide(client, the_record()).status_code == 302
    done = db.session.scalar(select(ModuleProgress))
    assert done.via == "external" and done.completed_at is not None
    assert done.module_id == module("next-steps").id
    assert count(CourseCompletion) == 0
    assert db.session.scalar(select(ExternalCompletion.evidence_type)) == "image/png"


def test_nobody_records_training_for_themselves(client, auth, lead, course):
    auth.login(lead)
    page = Page(post(client, form(lead, f"course:{course.id}", small_pdf())))
    assert "You cannot record training for yourself" in dict(page.error_summary())["#email"]
    assert nothing_written()
    admin = UserFactory(roles=[Role.ADMIN])
    with pytest.raises(NotPermitted) as refused:
        external.record(
            admin,
            admin,
            course_id=course.id,
            module_id=None,
            completed_on=utcnow().date(),
            note="Elsewhere",
            evidence_name="c.pdf",
            evidence=small_pdf(),
        )
    assert refused.value.about == "email"
    db.session.rollback()
    assert nothing_written()


def recorded_by(client, auth, recorder, person, course) -> ExternalCompletion:
    auth.login(recorder)
    assert post(client, form(person, f"course:{course.id}", small_pdf())).status_code == 302
    auth.logout()
    return the_record()


def assert_still_pending():
    assert the_record().status == "pending" and nothing_completed()
    assert events("external_completion_approved") == []
    assert events("external_completion_rejected") == []


def test_the_recorder_cannot_approve_their_own_record(client, auth, lead, staff, course):
    entry = recorded_by(client, auth, lead, staff, course)
    auth.login(lead)
    for action, data in (("approve", {}), ("reject", {"reason": "Mine"})):
        response = decide(client, entry, action, **data)
        assert response.status_code == 403
        assert "another lead of the agency or an admin must approve" in response.get_data(
            as_text=True
        )
    assert_still_pending()


def test_the_learner_cannot_approve_their_own_training(client, auth, agency, lead, staff, course):
    entry = recorded_by(client, auth, lead, staff, course)
    auth.login(staff)
    assert decide(client, entry).status_code == 403  # not a lead at all
    assert_still_pending()
    auth.logout()
    # A lead recorded by an admin: their own agency's lead, but the learner.
    db.session.delete(entry)
    db.session.commit()
    entry = recorded_by(client, auth, UserFactory(roles=[Role.ADMIN]), lead, course)
    auth.login(lead)
    response = decide(client, entry)
    assert response.status_code == 403
    assert "cannot approve training recorded for yourself" in response.get_data(as_text=True)
    assert_still_pending()


def test_a_lead_of_another_agency_gets_not_found(client, auth, lead, staff, course):
    entry = recorded_by(client, auth, lead, staff, course)
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD]))
    assert "Waiting for your approval" not in client.get("/external/").get_data(as_text=True)
    assert decide(client, entry).status_code == 404
    assert decide(client, entry, "reject", reason="No").status_code == 404
    assert client.post(f"/external/{entry.id + 1}/approve").status_code in (400, 404)
    assert_still_pending()


def test_rejecting_stores_the_reason_and_completes_nothing(
    client, auth, lead, second_lead, staff, course
):
    entry = recorded_by(client, auth, lead, staff, course)
    auth.login(second_lead)
    missing = decide(client, entry, "reject", reason="  ")
    assert missing.status_code == 302
    assert "Give a reason for rejecting" in client.get(missing.headers["Location"]).get_data(
        as_text=True
    )
    assert_still_pending()

    response = decide(client, entry, "reject", reason="The certificate is for someone else.")

    assert response.status_code == 302
    entry = the_record()
    assert (entry.status, entry.decision_note) == (
        "rejected",
        "The certificate is for someone else.",
    )
    assert entry.approved_by_id is None and nothing_completed()
    (event,) = events("external_completion_rejected")
    assert event.actor_id == second_lead.id and event.detail["recorded_by"] == lead.id
    assert event.detail["reason"] == "The certificate is for someone else."
    html = client.get("/external/").get_data(as_text=True)
    assert "Rejected" in html and "The certificate is for someone else." in html
    assert decide(client, entry).status_code == 409  # a rejected record is not approved later


def test_approving_twice_is_refused_and_changes_nothing(
    client, auth, lead, second_lead, staff, course
):
    entry = recorded_by(client, auth, lead, staff, course)
    auth.login(second_lead)
    assert decide(client, entry).status_code == 302
    approved_at = the_record().approved_at
    auth.logout()
    for person in (second_lead, UserFactory(roles=[Role.ADMIN])):
        auth.login(person)
        again = decide(client, entry)
        assert again.status_code == 409 and "already been decided" in again.get_data(as_text=True)
        assert decide(client, entry, "reject", reason="Late").status_code == 409
        auth.logout()
    entry = the_record()
    assert (entry.status, entry.approved_by_id, entry.approved_at) == (
        "approved",
        second_lead.id,
        approved_at,
    )
    assert count(CourseCompletion) == 1 and count(Certificate) == 1
    assert len(events("external_completion_approved")) == 1
    assert events("external_completion_rejected") == []


def test_the_domain_refuses_a_decided_record_even_if_its_row_is_stale(
    app, lead, second_lead, staff, course
):
    entry = external.record(
        lead,
        staff,
        course_id=course.id,
        module_id=None,
        completed_on=utcnow().date(),
        note="Elsewhere",
        evidence_name="c.pdf",
        evidence=small_pdf(),
    )
    db.session.commit()
    assert entry.status == "pending"
    # Someone else decided meanwhile; this copy of the row still says "pending".
    db.session.execute(
        update(ExternalCompletion)
        .values(status="approved")
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict):
        external.approve(second_lead, entry)
    db.session.rollback()
    assert count(CourseCompletion) == 0


@pytest.mark.parametrize(
    "evidence, name, message",
    [
        (
            b"MZ\x90\x00 this is a program, not a certificate",
            "certificate.pdf",
            "must be a PDF, PNG or JPEG",
        ),
        (b"Plain text pretending to be a PDF", "certificate.pdf", "must be a PDF, PNG or JPEG"),
        (PNG, "certificate.pdf", "do not match its name"),
        (b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024), "certificate.pdf", "5 MB or smaller"),
        (JPEG, "certificate.exe", "must be a PDF, PNG or JPEG"),
        (b"", "certificate.pdf", "Choose the evidence file"),
        # Parsed, not only sniffed: the right first bytes are not enough.
        (b"%PDF-1.7\nnot really a PDF at all", "certificate.pdf", "cannot be read as one"),
        (PNG[: len(PNG) // 2], "scan.png", "cannot be read as one"),  # truncated
        (JPEG[:-40], "scan.jpg", "cannot be read as one"),  # truncated
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "scan.jpg", "cannot be read as one"),
        (locked_pdf(), "certificate.pdf", "password-protected"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_written(
    client, auth, lead, staff, course, evidence, name, message
):
    auth.login(lead)
    response = post(client, form(staff, f"course:{course.id}", evidence, name=name))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "#evidence" in dict(Page(html).error_summary())
    assert nothing_written()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"completed_on": (utcnow().date() + dt.timedelta(days=2)).isoformat()},
            "completed_on",
            "cannot be in the future",
        ),
        ({"note": "   "}, "note", "Add a note"),
        ({"subject": ""}, "subject", "Choose the course or module"),
    ],
)
def test_a_future_date_or_a_missing_note_is_refused(
    client, auth, lead, staff, course, changes, field, message
):
    auth.login(lead)
    page = Page(post(client, form(staff, f"course:{course.id}", small_pdf(), **changes)))
    assert message in dict(page.error_summary())[f"#{field}"]
    assert nothing_written()


def test_a_lead_records_for_their_own_agencys_staff_only(client, auth, lead, course):
    outsider = UserFactory()
    auth.login(lead)
    html = post(client, form(outsider, f"course:{course.id}", small_pdf())).get_data(as_text=True)
    assert "We could not find anyone with that email address" in html
    assert nothing_written()
    with pytest.raises(external.NotAllowed):
        external.record(
            lead,
            outsider,
            course_id=course.id,
            module_id=None,
            completed_on=utcnow().date(),
            note="Elsewhere",
            evidence_name="c.pdf",
            evidence=small_pdf(),
        )
    db.session.rollback()
    assert nothing_written()
    auth.logout()
    auth.login(outsider)
    assert client.get("/external/new").status_code == 403


def test_the_domain_checks_the_file_itself_not_its_name():
    assert external.sniff(small_pdf()) == "application/pdf"
    assert external.sniff(PNG) == "image/png" and external.sniff(JPEG) == "image/jpeg"
    assert external.sniff(b"GIF89a") is None
    assert external.check_evidence("scan.JPG", JPEG) == "image/jpeg"
    with pytest.raises(external.ExternalError, match="do not match"):
        external.check_evidence("scan.png", JPEG)
    assert external.safe_filename("C:\\Users\\me\\My cert\u00e9.pdf") == "My cert_.pdf"
    assert external.safe_filename("../../etc/passwd") == "passwd"
    assert PdfReader(io.BytesIO(small_pdf())).pages  # the test's PDF is a real one
    assert external.check_evidence("certificate.pdf", small_pdf()) == "application/pdf"
    assert external.check_evidence("scan.png", PNG) == "image/png"
    with pytest.raises(external.ExternalError, match="cannot be read"):
        external.check_evidence("certificate.pdf", b"%PDF-1.4\n%%EOF\n")


def test_who_may_download_the_evidence(client, auth, agency, lead, staff, course):
    pdf = small_pdf()
    auth.login(lead)
    post(client, form(staff, f"course:{course.id}", pdf))
    auth.logout()
    entry = db.session.scalar(select(ExternalCompletion))
    url = f"/external/{entry.id}/evidence"

    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    allowed = [
        staff,
        lead,
        UserFactory(roles=[Role.AUDITOR]),
        UserFactory(roles=[Role.ADMIN]),
    ]
    refused = [
        UserFactory(agency=agency),  # a colleague
        UserFactory(roles=[Role.AGENCY_LEAD]),  # another agency's lead
        UserFactory(roles=[Role.TRAINER]),
    ]
    for person in allowed:
        auth.login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert response.data == pdf and response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
        auth.logout()
    for person in refused:
        auth.login(person)
        assert client.get(url).status_code == 404, person
        assert client.get(f"/external/{entry.id + 1}/evidence").status_code == 404
        auth.logout()
    downloads = db.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.action == "evidence_downloaded")
    ).all()
    assert sorted(downloads) == sorted(p.id for p in allowed)


def test_the_person_sees_their_recorded_training_and_colleagues_do_not(
    client, auth, lead, second_lead, staff, course
):
    auth.login(lead)
    post(client, form(staff, f"module:{module('basics').id}", small_pdf()))
    auth.logout()
    auth.login(staff)
    # Pending training does not count yet, so it is not listed as the person's training.
    assert "Your training recorded elsewhere" not in client.get("/face-to-face/").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(second_lead)
    decide(client, the_record())
    auth.logout()
    auth.login(staff)
    html = client.get("/face-to-face/").get_data(as_text=True)
    assert "Your training recorded elsewhere" in html and "The basics" in html
    assert client.get("/external/").status_code == 403
    auth.logout()
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD]))
    assert staff.name not in client.get("/external/").get_data(as_text=True)


def test_the_migration_marks_records_made_before_approval_as_approved(app_config, tmp_path):
    app = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/before.sqlite3"}
    )
    with app.app_context():
        upgrade(revision="d4e5f6a7b8c9")
        with db.engine.begin() as conn:
            for statement in (
                "INSERT INTO agency (id, name, kind, created_at) "
                "VALUES (1, 'Police', 'police', CURRENT_TIMESTAMP)",
                "INSERT INTO user_account (id, email, name, agency_id, active, "
                "session_version, created_at) VALUES (1, 'a@example.org', 'A', 1, TRUE, 1, "
                "CURRENT_TIMESTAMP)",
                "INSERT INTO external_completion (user_id, completed_on, note, recorded_at) "
                "VALUES (1, '2026-03-04', 'Before approval existed', CURRENT_TIMESTAMP)",
            ):
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT status, approved_by_id FROM external_completion")
            ).all()
        downgrade(revision="d4e5f6a7b8c9")
        db.engine.dispose()
    # They were applied when recorded, so they stay counted; nobody is named as approver.
    assert rows == [("approved", None)]
