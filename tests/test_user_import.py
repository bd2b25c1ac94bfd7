"""Importing people from CSV: preview every problem, confirm all-or-nothing, emails, scope."""

import datetime as dt
import io
import re
import secrets

import pytest
from sqlalchemy import func, select

from signpost import accounts, assigning, user_import
from signpost.extensions import db
from signpost.models import (
    Assignment,
    AssignmentRule,
    AuditEvent,
    PasswordResetToken,
    Role,
    User,
    utcnow,
)
from tests.conftest import Mailbox
from tests.factories import AgencyFactory, TeamFactory, UserFactory
from tests.html import Page, text_of
from tests.test_people import admin, lead_of

HEADER = "name,email,agency,team,roles,job title"

REALISTIC = """\
name,email,agency,team,roles,job title
Sam Patel,sam.patel@police.example.org,County Police,Public Protection Unit,learner,Detective
"O'Neill, Aoife",AOIFE.ONEILL@police.example.org,county police,,learner; trainer,"Sergeant, CSE"
Zoë Kowalczyk,zoe.k@health.example.org,County Health,Health Visiting,Learner,Health visitor
Dan Ryan,dan.ryan@health.example.org,County Health,,,
"""


@pytest.fixture
def world(app):
    """Two agencies with teams, and one person already in Signpost."""
    police = AgencyFactory(name="County Police")
    TeamFactory(agency=police, name="Public Protection Unit")
    TeamFactory(agency=police, name="Neighbourhood Team North")
    health = AgencyFactory(name="County Health")
    TeamFactory(agency=health, name="Health Visiting")
    existing = UserFactory(email="existing@health.example.org", agency=health, name="Eve Existing")
    return {"police": police, "health": health, "existing": existing}


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def upload(client, data: bytes, filename: str = "people.csv"):
    """Send a file to the import page, as the browser's file input would."""
    return client.submit(
        "/admin/people/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def payload_of(response) -> str:
    """The signed preview that the page's confirm form carries."""
    form = Page(response).form(action="/admin/people/import/confirm")
    assert form.tag.select_one('input[name="payload"]')["type"] == "hidden"
    return form["payload"]


def summary(response) -> dict[str, str]:
    """The preview's counts: New people, Updated, Unchanged, Rows with problems."""
    return Page(response).definitions()


def problems_by_row(response) -> dict[str, list[str]]:
    """The "Rows with problems" table: each row number with its problems."""
    page = Page(response)
    [heading] = [h for h in page.select("h2") if text_of(h) == "Rows with problems"]
    table = heading.find_next("table")
    return {
        text_of(row.th): [text_of(li) for li in row.select("li")]
        for row in table.select("tbody tr")
    }


def confirm(client, payload: str):
    return client.submit(
        "/admin/people/import/confirm", {"payload": payload}, page="/admin/people/import"
    )


def test_a_realistic_file_is_previewed_then_imported_and_everyone_is_emailed(
    client, auth, world, smtp, monkeypatch
):
    applied = []
    monkeypatch.setattr(
        assigning, "apply_rules_to_users", lambda us: applied.extend(u.id for u in us) or {}
    )
    auth.login(admin())
    before = users()
    preview = upload(client, REALISTIC.encode())
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Nothing has been saved yet" in html
    assert summary(preview)["New people"] == "4"
    assert users() == before and smtp.messages == []  # a preview writes and sends nothing
    done = confirm(client, payload_of(preview))
    assert done.status_code == 200
    assert "4 added, 0 updated, 0 unchanged" in done.get_data(as_text=True)
    aoife = db.session.scalar(select(User).where(User.email == "aoife.oneill@police.example.org"))
    assert (aoife.name, aoife.job_title) == ("O'Neill, Aoife", "Sergeant, CSE")
    assert aoife.roles == {Role.LEARNER, Role.TRAINER} and aoife.team_id is None
    assert aoife.password_hash is None
    sam = db.session.scalar(select(User).where(User.email == "sam.patel@police.example.org"))
    assert sam.team.name == "Public Protection Unit"
    zoe = db.session.scalar(select(User).where(User.email == "zoe.k@health.example.org"))
    assert zoe.name == "Zoë Kowalczyk" and zoe.agency_id == world["health"].id
    assert len(applied) == 4 and {aoife.id, sam.id, zoe.id} <= set(applied)
    # Every new person got the email, with a link that works for 7 days.
    for person in (aoife, sam, zoe):
        [message] = smtp.to(person.email)
        assert message["Subject"] == "Set your Signpost password"
        token = re.search(r"/account/reset-password/(\S+)", Mailbox.text(message))[1]
        assert accounts.reset_token_user(token) == person
    token_row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.user_id == sam.id)
    )
    assert token_row.expires_at - utcnow() > dt.timedelta(days=6, hours=23)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users_imported"))
    assert event.detail["created"] == 4 and event.detail["skipped"] == 0


def test_imported_people_pick_up_matching_assignment_rules(client, auth, world, course, smtp):
    db.session.add(AssignmentRule(course_id=course.id, agency_id=world["health"].id, due_days=30))
    db.session.commit()
    auth.login(admin())
    confirm(client, payload_of(upload(client, REALISTIC.encode())))
    assigned = db.session.scalars(
        select(User.email).join(Assignment, Assignment.user_id == User.id)
    ).all()
    assert sorted(assigned) == ["dan.ryan@health.example.org", "zoe.k@health.example.org"]


def test_the_preview_lists_every_problem_with_its_row_number(client, auth, world, smtp):
    UserFactory(email="other.agency@example.org", agency=world["police"])
    auth.login(admin())
    rows = [
        HEADER,
        "Good Person,good@example.org,County Health,,learner,",  # row 2: fine
        "Bad Email,not-an-email,County Health,,,",  # 3
        "Lost Agency,lost@example.org,County Fire,,,",  # 4
        "Lost Team,team@example.org,County Health,Public Protection Unit,,",  # 5: police's team
        "Odd Role,role@example.org,County Health,,wizard,",  # 6
        "Twin One,twin@example.org,County Health,,,",  # 7
        "Twin Two,TWIN@example.org,County Health,,,",  # 8
        "Mover,other.agency@example.org,County Health,,,",  # 9
        ",noname@example.org,County Health,,,",  # 10
        "No Agency,noagency@example.org,,,,",  # 11
        '=HYPERLINK("http://evil"),formula@example.org,County Health,,,',  # 12
        "Plus Team,plus@example.org,County Health,+Health Visiting,,",  # 13
        "Job Title,job@example.org,County Health,,,@SUM(A1:A9)",  # 14
        "Minus Name,-minus@example.org,County Health,,,",  # 15: legal email
        "-Minus,minus2@example.org,County Health,,,",  # 16
    ]
    before = users()
    response = upload(client, "\n".join(rows).encode())
    expected = {
        3: '"not-an-email" is not a valid email address',
        4: 'There is no agency called "County Fire"',
        5: 'County Health has no team called "Public Protection Unit"',
        6: 'There is no role called "wizard"',
        7: "This email address is on more than one row (rows 7, 8)",
        8: "This email address is on more than one row (rows 7, 8)",
        9: "This email address belongs to someone in another agency",
        10: "The name is missing",
        11: "The agency is missing",
        12: 'The name starts with "=", which spreadsheets treat as a formula',
        13: 'The team starts with "+"',
        14: 'The job title starts with "@"',
        16: 'The name starts with "-"',
    }
    problems = problems_by_row(response)
    assert sorted(problems, key=int) == [str(n) for n in expected]  # rows 2 and 15 are fine
    for number, message in expected.items():
        assert any(message in p for p in problems[str(number)]), (number, problems[str(number)])
    assert summary(response)["Rows with problems"] == "13 (not imported)"
    assert summary(response)["New people"] == "2"
    assert users() == before and smtp.messages == []
    # Confirming imports only the valid rows.
    confirm(client, payload_of(response))
    assert users() == before + 2
    assert db.session.scalar(select(User).where(User.email == "-minus@example.org")) is not None


def test_confirm_writes_everything_or_nothing(client, auth, world, smtp, monkeypatch):
    auth.login(admin())
    before = (users(), db.session.scalar(select(func.count()).select_from(PasswordResetToken)))
    payload = payload_of(upload(client, REALISTIC.encode()))
    real = accounts.create_reset_token
    calls = []

    def fail_on_third(user, hours):
        calls.append(user)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(user, hours)

    monkeypatch.setattr(accounts, "create_reset_token", fail_on_third)
    assert confirm(client, payload).status_code == 500
    after = (users(), db.session.scalar(select(func.count()).select_from(PasswordResetToken)))
    assert len(calls) == 3 and after == before and smtp.messages == []
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "users_imported")) is None
    )
    # Once the fault is gone the same preview imports everyone.
    monkeypatch.setattr(accounts, "create_reset_token", real)
    assert "4 added" in confirm(client, payload).get_data(as_text=True)


def test_apply_is_one_transaction_in_the_domain_too(app, world, monkeypatch):
    me = admin()
    preview = user_import.check_text(REALISTIC, me)
    monkeypatch.setattr(
        assigning,
        "apply_rules_to_users",
        lambda us: (_ for _ in ()).throw(RuntimeError("rule engine failed")),
    )
    before = users()
    with pytest.raises(RuntimeError):
        user_import.apply(preview, me)
    db.session.rollback()
    assert users() == before


def test_importing_the_same_file_again_changes_nothing(client, auth, world, smtp):
    auth.login(admin())
    first = upload(client, REALISTIC.encode())
    payload = payload_of(first)
    confirm(client, payload)
    before = (users(), len(smtp.messages))
    response = upload(client, REALISTIC.encode())
    counts = summary(response)
    assert (counts["Unchanged"], counts["New people"]) == ("4", "0")
    again = response.get_data(as_text=True)
    assert "There is nothing to import" in again and 'name="payload"' not in again
    # A double submit of the first confirmation imports nobody twice.
    response = confirm(client, payload)
    assert response.status_code == 409
    assert "Something changed in Signpost since the preview" in response.get_data(as_text=True)
    assert (users(), len(smtp.messages)) == before


def test_changed_rows_update_existing_people_in_the_same_agency(client, auth, world, smtp):
    auth.login(admin())
    existing = world["existing"]
    data = "\n".join(
        [
            HEADER,
            "Eve Existing-Smith,existing@health.example.org,County Health,Health Visiting,"
            "learner;trainer,Nurse",
        ]
    )
    preview = upload(client, data.encode())
    html = preview.get_data(as_text=True)
    assert "Update: name, team, job title, roles" in html
    assert "1 added" not in confirm(client, payload_of(preview)).get_data(as_text=True)
    db.session.refresh(existing)
    assert (existing.name, existing.team.name, existing.job_title) == (
        "Eve Existing-Smith",
        "Health Visiting",
        "Nurse",
    )
    assert existing.roles == {Role.LEARNER, Role.TRAINER}
    assert smtp.messages == []  # existing people already have an account


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "This is not a text file"),
        (b"PK\x03\x04" + b"\x14\x00" * 50, "This is a spreadsheet workbook, not a CSV file"),
        (HEADER.encode("utf-16"), "The file is saved as UTF-16"),
        (b"", "The file is empty"),
        (b"   \n\n", "The file is empty"),
        (b"name,email\nA,a@example.org\n", "the agency column is missing"),
        (HEADER.encode() + b"\n", "The file has a header row but no people in it"),
        (
            (HEADER + '\nAnn,ann@example.org,County Health,"unclosed,,\n').encode(),
            "the file is not valid CSV",
        ),
    ],
)
def test_unreadable_files_get_a_clear_message_and_change_nothing(
    client, auth, world, data, message
):
    auth.login(admin())
    before = users()
    response = upload(client, data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert users() == before


def test_submitting_without_a_file_asks_for_one(client, auth, world):
    auth.login(admin())
    response = client.submit("/admin/people/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert ("#file", "Choose a CSV file to upload") in Page(response).error_summary()


def test_windows_1252_files_are_read_with_a_warning_and_a_bom_is_ignored(client, auth, world):
    auth.login(admin())
    text = HEADER + "\nZoë Brontë,zoe@example.org,County Health,,,Café manager\n"
    html = upload(client, text.encode("cp1252")).get_data(as_text=True)
    assert "read as Windows-1252" in html and "Zoë Brontë" in html and "Café manager" in html
    response = upload(client, text.encode("utf-8-sig"))
    assert "Windows-1252" not in response.get_data(as_text=True)
    assert summary(response)["New people"] == "1"
    response = upload(client, text.replace(",", ";").encode())
    assert summary(response)["New people"] == "1"  # semicolon-separated, as some locales save


def test_oversized_files_are_refused(client, auth, world):
    auth.login(admin())
    big = (HEADER + "\n" + "x" * 1000 + "\n").encode() * (user_import.MAX_BYTES // 1000 + 10)
    html = upload(client, big).get_data(as_text=True)
    assert "the largest file accepted is 5 MB" in html
    rows = [HEADER] + [f"P{i},p{i}@example.org,County Health,,," for i in range(20_001)]
    html = upload(client, "\n".join(rows).encode()).get_data(as_text=True)
    assert "The file has more than 20,000 people" in html


def test_a_lead_imports_into_their_own_agency_only(client, auth, world, smtp):
    police, health = world["police"], world["health"]
    UserFactory(email="officer@example.org", agency=police, name="Their Officer")
    auth.login(lead_of(health))
    data = "\n".join(
        [
            HEADER,
            "Mine,mine@example.org,County Health,,learner,",
            "Theirs,theirs@example.org,County Police,,learner,",
            "Grab,officer@example.org,County Health,,learner,",
            "Boss,boss@example.org,County Health,,admin,",
            "Leader,leader@example.org,County Health,,agency lead,",
        ]
    )
    preview = upload(client, data.encode())
    html = preview.get_data(as_text=True)
    assert "You can only import people into your own agency" in html
    # A lead is told the address cannot be added, never that it belongs to someone elsewhere.
    assert "This address can&#39;t be added here; ask an admin." in html
    assert "belongs to someone in another agency" not in html and "Their Officer" not in html
    assert "Only an administrator can give the administrator role" in html
    assert "Only an administrator can give the agency lead role" in html
    assert summary(preview)["New people"] == "1"
    confirm(client, payload_of(preview))
    assert db.session.scalar(select(User).where(User.email == "mine@example.org")).agency_id == (
        health.id
    )
    for email in ("theirs@example.org", "boss@example.org", "leader@example.org"):
        assert db.session.scalar(select(User).where(User.email == email)) is None
    officer = db.session.scalar(select(User).where(User.email == "officer@example.org"))
    assert (officer.name, officer.agency_id) == ("Their Officer", police.id)


def test_a_forged_or_borrowed_preview_is_refused(client, auth, world):
    me, lead = admin(), lead_of(world["health"])
    auth.login(me)
    payload = payload_of(upload(client, REALISTIC.encode()))
    before = users()
    response = confirm(client, payload[:-3] + "AAA")
    assert response.status_code == 302
    assert "expired or was changed" in client.get("/admin/people/import").get_data(as_text=True)
    # A lead cannot replay an admin's signed preview to import into other agencies.
    auth.logout()
    auth.login(lead)
    confirm(client, payload)
    assert "made by someone else" in client.get("/admin/people/import").get_data(as_text=True)
    assert users() == before


def test_a_large_file_survives_the_round_trip_through_the_browser(client, auth, world, monkeypatch):
    sent = []
    monkeypatch.setattr("blueprints.people.import_routes.send_all", lambda c: sent.extend(c) or 0)
    monkeypatch.setattr(assigning, "apply_rules_to_user", lambda user: [])
    auth.login(admin())
    rows = [HEADER] + [
        f"Person {secrets.token_hex(6)},{secrets.token_hex(8)}@example.org,County Police,"
        f"Public Protection Unit,learner,Officer {secrets.token_hex(50)}"
        for _ in range(6000)
    ]
    preview = upload(client, "\n".join(rows).encode())
    payload = payload_of(preview)
    assert len(payload) > 500_000  # more than Flask's default limit for one form field
    assert "6000 added" in confirm(client, payload).get_data(as_text=True)
    assert len(sent) == 6000


def test_the_people_list_export_reimports_as_unchanged(client, auth, world):
    auth.login(admin(agency=world["health"]))
    exported = client.get("/admin/people.csv?status=all").data
    response = upload(client, exported)
    assert "These columns were ignored: status, last sign-in" in response.get_data(as_text=True)
    counts = summary(response)
    assert (counts["New people"], counts["Rows with problems"]) == ("0", "0 (not imported)")
