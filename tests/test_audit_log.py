"""The audit log: append-only, viewable, filterable and exportable by admins, and complete."""

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from signpost import audit
from signpost.extensions import db
from signpost.models import AuditEvent, Certificate, Course, Role, utcnow
from tests.factories import AgencyFactory, UserFactory
from tests.html import Page
from tests.journey import FIXTURE
from tests.test_certificates import complete_course

WRONG_PASSWORD = "not the right password at all"


def events(action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


def add_event(action, at, **fields):
    event = AuditEvent(action=action, at=at, detail=fields.pop("detail", {}), **fields)
    db.session.add(event)
    return event


@pytest.fixture
def admin(client, auth):
    person = UserFactory(roles=[Role.ADMIN], email="the.admin@example.org")
    auth.login(person)
    return person


# --- Append-only ---------------------------------------------------------------------


def test_events_cannot_be_changed_through_the_session(app):
    event = audit.record("sign_in", ip="10.0.0.1")
    db.session.commit()
    event.action = "something_else"
    with pytest.raises(audit.AppendOnlyError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).action == "sign_in"


def test_events_cannot_be_deleted_through_the_session(app):
    event = audit.record("sign_in")
    db.session.commit()
    db.session.delete(event)
    with pytest.raises(audit.AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert len(events()) == 1


@pytest.mark.parametrize(
    "statement",
    [
        lambda: update(AuditEvent).values(ip="192.0.2.1"),
        lambda: delete(AuditEvent),
        lambda: delete(AuditEvent).where(AuditEvent.action == "sign_in"),
    ],
)
def test_bulk_updates_and_deletes_are_refused(app, statement):
    audit.record("sign_in", ip="10.0.0.1")
    db.session.commit()
    with pytest.raises(audit.AppendOnlyError):
        db.session.execute(statement())
    db.session.rollback()
    assert [(e.action, e.ip) for e in events()] == [("sign_in", "10.0.0.1")]


def test_only_details_can_be_redacted_and_only_through_redact(app):
    event = audit.record("sign_in_failed", email="someone@example.org")
    db.session.commit()
    audit.redact(event, {"email": "Erased user 7"})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).detail == {"email": "Erased user 7"}
    event = db.session.get(AuditEvent, event.id)
    event.ip = "1.2.3.4"
    with pytest.raises(audit.AppendOnlyError):
        audit.redact(event, {"email": "x"})
    db.session.rollback()


@pytest.fixture
def triggers(app):
    """The database triggers the migration installs; removed again for the table wipe."""
    db.session.commit()
    with db.engine.begin() as conn:
        audit.install_append_only_trigger(conn)
    yield
    db.session.rollback()
    with db.engine.begin() as conn:
        audit.remove_append_only_trigger(conn)


def test_the_database_refuses_updates_and_deletes_too(app, triggers):
    audit.record("sign_in", ip="10.0.0.1", agency_id=AgencyFactory().id)
    db.session.commit()
    for sql in (
        "UPDATE audit_event SET action = 'sign_out'",
        "UPDATE audit_event SET ip = NULL",
        "UPDATE audit_event SET agency_id = agency_id + 1",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))
    assert [(e.action, e.ip) for e in events()] == [("sign_in", "10.0.0.1")]


def test_deleting_a_person_still_nulls_their_events_and_redaction_works(app, triggers):
    person = UserFactory()
    person_id = person.id
    event = audit.record("sign_in", actor=person, ip="10.0.0.1", email=person.email)
    db.session.commit()
    audit.redact(event, {"email": "Erased"})
    db.session.commit()
    with db.engine.begin() as conn:  # ON DELETE SET NULL is an UPDATE the trigger allows
        conn.execute(text("DELETE FROM user_account WHERE id = :id"), {"id": person_id})
    db.session.expire_all()
    [kept] = events()
    assert (kept.action, kept.actor_id, kept.ip, kept.detail) == (
        "sign_in",
        None,
        "10.0.0.1",
        {"email": "Erased"},
    )


def test_there_is_no_route_that_changes_or_deletes_events(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


# --- Viewing and filtering -----------------------------------------------------------


def test_admins_see_who_what_when_and_where_newest_first(client, admin):
    agency = AgencyFactory(name="Northshire Police")
    now = utcnow()
    add_event("setting_changed", now - dt.timedelta(hours=2), actor_id=admin.id, ip="10.1.1.1")
    add_event(
        "certificate_revoked",
        now - dt.timedelta(hours=1),
        actor_id=admin.id,
        agency_id=agency.id,
        ip="10.2.2.2",
        target_type="certificate",
        target_id="42",
        detail={"reason": "<b>Issued in error</b>"},
    )
    db.session.commit()
    page = Page(client.get("/admin/audit"))
    header, *rows = page.table()
    actions = [row[2] for row in rows]
    assert actions.index("certificate_revoked") < actions.index("setting_changed")
    [revoked] = [row for row in rows if row[2] == "certificate_revoked"]
    assert "the.admin@example.org" in revoked[1] and revoked[5] == "10.2.2.2"
    assert (revoked[3], revoked[4]) == ("certificate 42", "Northshire Police")
    assert "reason <b>Issued in error</b>" in revoked[6]
    assert "&lt;b&gt;Issued in error&lt;/b&gt;" in page.html  # details are escaped
    assert header[0] == "When (UTC)" and page.select_one("thead th")["scope"] == "col"
    assert "/admin/audit" in page.hrefs()  # the menu entry


def test_filters_narrow_the_log(client, admin):
    before = {e.id for e in events()}
    police, health = AgencyFactory(), AgencyFactory()
    alice = UserFactory(email="alice@police.example", agency=police)
    now = utcnow()
    add_event("sign_in", now - dt.timedelta(days=10), actor_id=alice.id, agency_id=police.id)
    add_event("sign_in", now - dt.timedelta(days=1), actor_id=admin.id, agency_id=health.id)
    add_event("sign_in_failed", now, detail={"email": "nobody@unknown.example"})
    add_event("user_updated", now, actor_id=admin.id, target_type="user", target_id=str(alice.id))
    db.session.commit()

    def actions(query):
        page = audit.search(audit.Filters(**query))
        # Leave out the admin's own sign-in to this page.
        return sorted(e.action for e, *_ in page.items if e.id not in before)

    assert actions({"action": "sign_in"}) == ["sign_in", "sign_in"]
    assert actions({"actor_email": "ALICE@police"}) == ["sign_in"]
    assert actions({"actor_email": "nobody@unknown"}) == ["sign_in_failed"]
    assert actions({"agency_id": health.id}) == ["sign_in"]
    assert actions({"target_type": "user"}) == ["user_updated"]
    today = now.date()
    assert actions({"date_from": today - dt.timedelta(days=2)}) == [
        "sign_in",
        "sign_in_failed",
        "user_updated",
    ]
    assert actions({"date_to": today - dt.timedelta(days=2)}) == ["sign_in"]
    assert actions({"date_from": today, "date_to": today}) == ["sign_in_failed", "user_updated"]

    page = Page(client.get(f"/admin/audit?action=sign_in&agency={police.id}"))
    assert "1 event" in page.texts("h2") and "alice@police.example" in page.text()
    page = Page(client.get("/admin/audit?actor_email=alice"))
    assert "1 event" in page.texts("h2")


def test_bad_dates_are_explained(client, admin):
    page = Page(client.get("/admin/audit?date_from=31/12/2026"))
    assert "There is a problem" in page.text()
    assert ("#date_from", "Enter a real date, for example 2026-03-05") in page.error_summary()
    html = client.get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01").get_data(as_text=True)
    assert "The date range must end on or after its start" in html


def test_fifty_to_a_page(client, admin):
    start = utcnow() - dt.timedelta(days=1)
    for n in range(120):
        add_event("bulk", start + dt.timedelta(seconds=n), target_type="n", target_id=str(n))
    db.session.commit()
    first = Page(client.get("/admin/audit?action=bulk"))
    rows = first.table()[1:]
    assert [row[2] for row in rows] == ["bulk"] * 50
    assert "Page 1 of 3" in first.text() and "120 events" in first.texts("h2")
    assert [row[3] for row in rows] == [f"n {n}" for n in range(119, 69, -1)]  # newest first
    assert first.link("Older events").href == "/admin/audit?page=2&action=bulk"
    last = Page(client.get("/admin/audit?action=bulk&page=3"))
    rows = last.table()[1:]
    assert [row[2] for row in rows] == ["bulk"] * 20 and "Page 3 of 3" in last.text()
    assert [row[3] for row in rows] == [f"n {n}" for n in range(19, -1, -1)]
    beyond = client.get("/admin/audit?action=bulk&page=99").get_data(as_text=True)
    assert "Page 3 of 3" in beyond


def test_only_admins_see_or_export_the_log(client, auth):
    for role in (Role.LEARNER, Role.TRAINER, Role.AGENCY_LEAD, Role.AUDITOR):
        auth.login(UserFactory(roles=[role]))
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
        auth.logout()
    assert client.get("/admin/audit").status_code == 302


# --- Export --------------------------------------------------------------------------


def test_export_is_filtered_safe_for_spreadsheets_and_itself_audited(client, admin):
    sneaky = UserFactory(email="=cmd@example.org")
    audit.record("sign_in", actor=sneaky, ip="=1+2")
    audit.record("sign_out", actor=admin, ip="10.0.0.9")
    db.session.commit()
    response = client.get("/admin/audit.csv?action=sign_in")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["id", "at_utc", "action"]
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {r["action"] for r in body} == {"sign_in"}  # the admin's own sign-in too
    mine = next(r for r in body if r["actor_id"] == str(sneaky.id))
    assert mine["actor_email"] == "'=cmd@example.org" and mine["ip"] == "'=1+2"
    [exported] = events("audit_exported")
    assert exported.actor_id == admin.id and exported.ip == "127.0.0.1"
    assert exported.detail == {"rows": len(body), "filters": {"action": "sign_in"}}


def test_export_with_bad_filters_goes_back_to_the_form(client, admin):
    response = client.get("/admin/audit.csv?date_from=nonsense")
    assert response.status_code == 302 and "/admin/audit?" in response.headers["Location"]
    assert events("audit_exported") == []


# --- Every action the issue lists is recorded, with who, what, when and where --------


def test_significant_actions_are_recorded_with_who_what_when_and_where(
    app, client, auth, runner, journey
):
    started = utcnow() - dt.timedelta(seconds=1)
    result = runner.invoke(args=["content", "import", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    course = db.session.scalar(select(Course).where(Course.slug == "starter"))
    learner = UserFactory()
    admin = UserFactory(roles=[Role.ADMIN])
    lead = UserFactory(roles=[Role.AGENCY_LEAD], agency=learner.agency)

    auth.login(learner.email, WRONG_PASSWORD)
    auth.login(learner)
    complete_course(journey)
    cert = db.session.scalar(select(Certificate))
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 200
    auth.logout()

    auth.login(lead)
    assert client.get("/certificates/agency.zip").status_code == 200
    auth.logout()

    auth.login(admin)
    page = f"/certificates/{cert.id}/admin"
    assert client.submit(f"/certificates/{cert.id}/reissue", page=page).status_code == 302
    fresh = db.session.scalar(select(Certificate).where(Certificate.replaced_by_id.is_(None)))
    revoke = client.submit(f"/certificates/{fresh.id}/admin", {"reason": "Issued in error"})
    assert revoke.status_code == 302
    assert client.get("/admin/audit.csv").status_code == 200

    staff = learner.agency_id  # the agency whose person or certificate was acted on
    expected = [
        ("sign_in_failed", learner, None, staff),
        ("sign_in", learner, None, staff),
        ("course_completed", learner, "coursecompletion", staff),
        ("certificate_issued", learner, "certificate", staff),
        ("certificate_downloaded", learner, "certificate", staff),
        ("sign_out", learner, None, staff),
        ("certificates_zip_downloaded", lead, None, staff),
        ("sign_in", admin, None, admin.agency_id),
        ("certificate_reissued", admin, "certificate", staff),
        ("certificate_revoked", admin, "certificate", staff),
        ("audit_exported", admin, None, admin.agency_id),
    ]
    for action, who, target_type, agency_id in expected:
        found = [e for e in events(action) if e.actor_id == who.id]
        assert found, f"{action} by {who.email} was not recorded"
        event = found[-1]
        assert event.ip == "127.0.0.1", action  # from where
        assert started <= event.at <= utcnow(), action  # when
        assert event.target_type == target_type, action
        assert event.agency_id == agency_id, action
    [published] = events("content_published")  # from the command line: no person, no address
    assert "starter" in published.detail["courses"] and published.at >= started
    [completed] = events("course_completed")
    assert completed.detail == {"course": "starter", "round": 1, "via": "online"}
    assert completed.target_id == str(db.session.scalar(select(Certificate.completion_id)))
    assert course.id == cert.course_id

    html = client.get("/admin/audit?action=course_completed").get_data(as_text=True)
    assert learner.email in html and "127.0.0.1" in html and "1 event<" in html
