"""Training completed elsewhere: recording it with evidence, what it completes, who sees it."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from signpost import external
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

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


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


@pytest.fixture
def agency(app):
    return AgencyFactory()


@pytest.fixture
def lead(agency):
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


def nothing_written():
    return (
        count(ExternalCompletion) == 0
        and count(ModuleProgress) == 0
        and count(CourseCompletion) == 0
        and count(AuditEvent, AuditEvent.action == "external_completion_recorded") == 0
    )


def test_a_lead_records_a_course_done_elsewhere_with_a_pdf(client, auth, lead, staff, course):
    pdf = small_pdf()
    auth.login(lead)

    response = post(client, form(staff, f"course:{course.id}", pdf))

    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The completion has been recorded for {staff.name}." in html
    assert "a certificate has been issued" in html
    entry = db.session.scalar(select(ExternalCompletion))
    assert (entry.user_id, entry.course_id, entry.module_id) == (staff.id, course.id, None)
    assert (entry.evidence, entry.evidence_type, entry.evidence_name) == (
        pdf,
        "application/pdf",
        "certificate.pdf",
    )
    assert entry.recorded_by_id == lead.id and entry.note.startswith("Two-day CSE course")
    assert entry.completed_on == utcnow().date() - dt.timedelta(days=30)
    assert sorted(db.session.scalars(select(ModuleProgress.via))) == ["external", "external"]
    done = db.session.scalar(select(CourseCompletion))
    assert done.via == "external" and done.user_id == staff.id
    # Dated when the training was done, so the certificate runs from then.
    assert done.completed_at.date() == entry.completed_on
    cert = db.session.scalar(select(Certificate))
    assert cert is not None and cert.completion_id == done.id and count(Certificate) == 1
    assert count(AuditEvent, AuditEvent.action == "external_completion_recorded") == 1
    assert staff.name in html and "certificate.pdf" in html  # listed for the lead


def test_a_module_done_elsewhere_completes_that_module_only(client, auth, staff, course):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    post(client, form(staff, f"module:{module('next-steps').id}", PNG, name="scan.png"))
    done = db.session.scalar(select(ModuleProgress))
    assert done.via == "external" and done.completed_at is not None
    assert done.module_id == module("next-steps").id
    assert count(CourseCompletion) == 0
    assert db.session.scalar(select(ExternalCompletion.evidence_type)) == "image/png"


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
    client, auth, lead, staff, course
):
    auth.login(lead)
    post(client, form(staff, f"module:{module('basics').id}", small_pdf()))
    auth.logout()
    auth.login(staff)
    html = client.get("/face-to-face/").get_data(as_text=True)
    assert "Your training recorded elsewhere" in html and "The basics" in html
    assert client.get("/external/").status_code == 403
    auth.logout()
    auth.login(UserFactory(roles=[Role.AGENCY_LEAD]))
    assert staff.name not in client.get("/external/").get_data(as_text=True)
