"""Certificates: issue, PDF, verification, expiry and renewal, revoke and re-issue, access."""

import datetime as dt
import io
import zipfile

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import func, select

from signpost import certificates
from signpost.completion import add_months
from signpost.extensions import db
from signpost.models import AuditEvent, Certificate, CertificatePdf, CourseCompletion, Role, utcnow
from tests.factories import AgencyFactory, UserFactory
from tests.test_learn import correct_option_ids


def complete_course(journey):
    """Finish the starter course through the pages."""
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    journey.finish_lesson("basics", "second")
    journey.play("basics", "case")
    journey.answer(journey.start_quiz("basics"), correct_option_ids())
    journey.start("next-steps")
    journey.finish_lesson("next-steps", "only")


def issued(user, course, completed_at=None, round_=1):
    """A certificate issued for a completion at `completed_at`."""
    completion = CourseCompletion(
        user_id=user.id,
        course_id=course.id,
        round=round_,
        completed_at=completed_at or utcnow(),
        module_versions=[{"module": "basics", "version": 1, "label": "1.0", "title": "The basics"}],
    )
    db.session.add(completion)
    db.session.flush()
    cert = certificates.issue(completion)
    db.session.commit()
    return cert


def pdf_text_and_qr(data: bytes) -> tuple[str, list[str]]:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    page = pypdfium2.PdfDocument(data)[0]
    image = page.render(scale=3).to_pil()
    return text, [code.text for code in zxingcpp.read_barcodes(image)]


def test_completing_a_course_issues_a_certificate_at_once(client, course, learner, journey):
    complete_course(journey)
    cert = db.session.scalar(select(Certificate))
    assert cert is not None
    assert (cert.holder_name, cert.agency_name) == (learner.name, learner.agency.name)
    assert (cert.course_title, cert.course_level, cert.cpd_hours) == ("Starter course", 1, 1.0)
    assert cert.expires_at == add_months(cert.completed_at, 12)  # validity_months: 12
    assert [m["module"] for m in cert.module_versions] == ["basics", "next-steps"]
    assert len(cert.code) == 16 and set(cert.code) <= set(certificates.ALPHABET)
    html = client.get("/learn/").get_data(as_text=True)
    assert f"/certificates/{cert.id}.pdf" in html


def test_pdf_says_what_it_certifies_and_its_qr_code_verifies_it(client, course, learner, journey):
    complete_course(journey)
    cert = db.session.scalar(select(Certificate))
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    data = response.data
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height and round(float(width)) == 842  # A4 landscape, in points
    text, codes = pdf_text_and_qr(data)
    text = " ".join(text.split())  # line breaks fall where the layout puts them
    for expected in (learner.name, learner.agency.name, "Starter course", "CPD hours",
                     "The basics", "Next steps"):  # fmt: skip
        assert expected in text, expected
    assert certificates.display_code(cert.code) in text.replace(" ", "")
    assert codes == [f"http://localhost/verify/{cert.code}"]
    fonts = {v.get_object()["/BaseFont"] for v in reader.pages[0]["/Resources"]["/Font"].values()}
    assert all("Signpost" in name for name in fonts), fonts  # the shipped fonts, embedded


def test_the_pdf_is_rendered_once_and_then_served_from_the_database(
    client, course, learner, journey, monkeypatch
):
    complete_course(journey)
    cert = db.session.scalar(select(Certificate))
    first = client.get(f"/certificates/{cert.id}.pdf").data
    assert db.session.get(CertificatePdf, cert.id).data == first

    def broken(_cert):
        raise AssertionError("must not render again")

    monkeypatch.setattr("blueprints.certificates.pdf.render_pdf", broken)
    assert client.get(f"/certificates/{cert.id}.pdf").data == first


def test_the_pdf_is_rendered_right_after_the_completing_request(client, course, learner, journey):
    complete_course(journey)
    cert = db.session.scalar(select(Certificate))
    assert db.session.get(CertificatePdf, cert.id) is not None


def test_a_rendering_failure_keeps_the_certificate_and_the_next_download_retries(
    client, course, learner, journey, monkeypatch, caplog
):
    def fails(_cert):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr("blueprints.certificates.pdf.render_pdf", fails)
    complete_course(journey)  # the completing request still succeeds
    cert = db.session.scalar(select(Certificate))
    assert cert is not None and db.session.get(CertificatePdf, cert.id) is None
    assert "font cache unavailable" in cert.render_error
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 503
    assert "Try again" in response.get_data(as_text=True)
    assert any("rendering failed" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 200
    db.session.refresh(cert)
    assert cert.render_error is None


def test_render_missing_command_backfills_pdfs(runner, course, user):
    cert = issued(user, course)  # issued outside a request: no PDF yet
    assert db.session.get(CertificatePdf, cert.id) is None
    result = runner.invoke(args=["certificates", "render-missing"])
    assert result.exit_code == 0, result.output
    assert "Rendered 1 certificate PDFs; 0 failed." in result.output
    assert db.session.get(CertificatePdf, cert.id).data.startswith(b"%PDF")


@pytest.mark.parametrize(
    "completed_days_ago, state, text",
    [
        (0, "valid", "Status: Valid"),
        (340, "expiring_soon", "expiring soon"),
        (400, "expired", "Expired"),
    ],
)
def test_verify_shows_each_state_and_nothing_personal(
    client, course, completed_days_ago, state, text
):
    holder = UserFactory(name="Robin Holder", email="robin.private@example.org")
    cert = issued(holder, course, utcnow() - dt.timedelta(days=completed_days_ago))
    assert certificates.status(cert) == state
    page = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert text in page and "Robin Holder" in page and "Starter course" in page
    assert "robin.private@example.org" not in page and holder.agency.name not in page


def test_verify_accepts_the_code_as_people_type_it(client, course, user):
    cert = issued(user, course)
    typed = certificates.display_code(cert.code).lower()
    response = client.get("/verify", query_string={"code": f"  {typed} "})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get(f"/v/{cert.code}").headers["Location"] == f"/verify/{cert.code}"


def test_unknown_and_partial_codes_are_simply_not_found(client, course, user):
    cert = issued(user, course)
    for code in ["ABCDEFGHJKMNPQRS", cert.code[:-1], cert.code[:8], cert.code + "A", "%", "*"]:
        response = client.get(f"/verify/{code}")
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "No certificate has this code" in body and user.name not in body


def test_verification_is_rate_limited(client, course, user):
    cert = issued(user, course)
    statuses = [client.get(f"/verify/{cert.code}").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_who_may_download(app, client, auth, course):
    agency, other_agency = AgencyFactory(), AgencyFactory()
    holder = UserFactory(agency=agency)
    cert = issued(holder, course)
    url = f"/certificates/{cert.id}.pdf"
    assert client.get(url).status_code == 302  # signed out: sign in first
    allowed = [
        holder,
        UserFactory(agency=agency, roles=[Role.AGENCY_LEAD]),
        UserFactory(agency=other_agency, roles=[Role.AUDITOR]),
        UserFactory(agency=other_agency, roles=[Role.ADMIN]),
    ]
    refused = [
        UserFactory(agency=agency),
        UserFactory(agency=other_agency, roles=[Role.AGENCY_LEAD]),
        UserFactory(agency=agency, roles=[Role.TRAINER]),
    ]
    for person in allowed + refused:
        auth.login(person)
        expected = 200 if person in allowed else 404
        assert client.get(url).status_code == expected, person.roles
        auth.logout()


def test_walking_ids_and_codes_as_another_user_finds_nothing(client, auth, course):
    owners = [UserFactory() for _ in range(3)]
    certs = [issued(owner, course) for owner in owners]
    auth.login(UserFactory())
    top = max(c.id for c in certs) + 5
    assert {client.get(f"/certificates/{n}.pdf").status_code for n in range(0, top)} == {404}
    listing = client.get("/certificates/").get_data(as_text=True)
    assert all(
        c.code not in listing and certificates.display_code(c.code) not in listing for c in certs
    )


def test_agency_lead_downloads_current_staff_certificates_as_one_zip(client, auth, course):
    agency = AgencyFactory()
    staff = [UserFactory(agency=agency) for _ in range(3)]
    current = [issued(person, course) for person in staff[:2]]
    issued(staff[2], course, utcnow() - dt.timedelta(days=400))  # expired
    certificates.revoke(current[1], staff[0], "Issued in error")
    db.session.commit()
    issued(UserFactory(), course)  # another agency
    auth.login(UserFactory(agency=agency, roles=[Role.AGENCY_LEAD]))
    response = client.get("/certificates/agency.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == 1 and current[0].code[:8] in names[0]
    assert archive.read(names[0]).startswith(b"%PDF")
    auth.logout()
    auth.login(staff[0])
    assert client.get("/certificates/agency.zip").status_code == 403


def test_admin_revokes_with_a_reason_shown_on_verification(client, auth, course, user):
    cert = issued(user, course)
    auth.login(UserFactory(roles=[Role.ADMIN]))
    page = f"/certificates/{cert.id}/admin"
    response = client.submit(page, {"reason": ""})
    assert "Give a reason" in response.get_data(as_text=True)
    assert client.submit(page, {"reason": "Completed by someone else"}).status_code == 302
    body = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Revoked" in body and "Completed by someone else" in body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate_revoked"))
    assert event.detail["reason"] == "Completed by someone else"


def test_admin_reissues_after_a_name_change(client, auth, course, user):
    cert = issued(user, course)
    user.name = "Sam New-Name"
    db.session.commit()
    auth.login(UserFactory(roles=[Role.ADMIN]))
    response = client.submit(
        f"/certificates/{cert.id}/reissue", page=f"/certificates/{cert.id}/admin"
    )
    assert response.status_code == 302
    fresh = db.session.scalar(select(Certificate).where(Certificate.id != cert.id))
    db.session.refresh(cert)
    assert fresh.holder_name == "Sam New-Name" and fresh.code != cert.code
    assert cert.replaced_by_id == fresh.id
    assert "Replaced" in client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Sam New-Name" in client.get(f"/verify/{fresh.code}").get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "certificate_reissued")
        )
        == 1
    )
    again = client.submit(
        f"/certificates/{cert.id}/reissue", page=f"/certificates/{fresh.id}/admin"
    )
    assert again.status_code == 409


def test_only_admins_revoke_or_reissue(client, auth, course, user):
    cert = issued(user, course)
    auth.login(UserFactory(agency=user.agency, roles=[Role.AGENCY_LEAD]))
    assert client.get(f"/certificates/{cert.id}/admin").status_code == 403
    reissue = client.submit(f"/certificates/{cert.id}/reissue", page="/account/password")
    assert reissue.status_code == 403
    db.session.refresh(cert)
    assert cert.revoked_at is None


def test_renewal_issues_a_new_certificate_and_keeps_the_old_one(client, course, learner, journey):
    complete_course(journey)
    old = db.session.scalar(select(Certificate))
    # Move the first completion back so that it is inside the renewal window.
    back = dt.timedelta(days=330)
    completion = db.session.get(CourseCompletion, old.completion_id)
    completion.completed_at -= back
    old.completed_at -= back
    old.expires_at -= back
    from signpost.models import ModuleProgress

    for progress in db.session.scalars(select(ModuleProgress)):
        progress.completed_at -= back
    db.session.commit()

    home = client.get("/learn/").get_data(as_text=True)
    assert "Expiring soon" in home and "Renew" in home
    complete_course(journey)
    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) == 2 and certs[1].completed_at > certs[0].completed_at
    assert db.session.get(CourseCompletion, certs[1].completion_id).round == 2
    listing = client.get("/certificates/").get_data(as_text=True)
    assert certificates.display_code(certs[0].code) in listing
    assert certificates.display_code(certs[1].code) in listing
    assert "Completed" in client.get("/learn/").get_data(as_text=True)
