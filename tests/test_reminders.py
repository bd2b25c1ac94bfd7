"""`flask reminders send`: who is emailed what, exactly once, through a real SMTP server."""

import datetime as dt
import re
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from blueprints.reminders import commands
from signpost import catalogue, progress, reminders
from signpost.extensions import db
from signpost.models import Assignment, AuditEvent, ReminderLog, Role, User, utcnow
from tests.factories import AgencyFactory, UserFactory
from tests.html import Page
from tests.test_assignments import assignment_of, certify

ALL = 5  # emails the scene below gives rise to


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def html_of(message) -> Page:
    """The HTML part of a message, parsed."""
    return Page(message.get_body(preferencelist=("html",)).get_content())


def only(smtp, person):
    """The one email `person` received."""
    got = smtp.to(person.email)
    assert len(got) == 1, [m["Subject"] for m in got]
    return got[0]


@pytest.fixture
def scene(app, course):
    """An agency whose staff are in every state a reminder cares about, and its lead."""
    now = utcnow()
    agency = AgencyFactory(name="Northshire Police")

    def person(name, due_in_days=None, **kw):
        someone = UserFactory(agency=agency, name=name, **kw)
        if due_in_days is not None:
            due = now + dt.timedelta(days=due_in_days)
            db.session.add(Assignment(user_id=someone.id, course_id=course.id, due_at=due))
            db.session.commit()
        return someone

    people = {
        "lead": person("Lena Lead", roles=[Role.AGENCY_LEAD, Role.LEARNER]),
        "soon": person("Sam Soon", 3),
        "overdue": person("Olu Overdue", -2),
        "started": person("Stef Started", 20),
        "done": person("Dana Done", 3),
        "expiring": person("Eve Expiring", -300),
        "lapsed": person("Lou Lapsed", -380),
        "gone": person("Gil Gone", -2, active=False),
        "erased": person("Erin Erased", -2, erased_at=now),
        "gone_lead": person("Gus Gonelead", roles=[Role.AGENCY_LEAD], active=False),
        "quiet_lead": person("Quin Quiet", roles=[Role.AGENCY_LEAD], summary_emails=False),
        # A lead elsewhere whose agency has nothing assigned gets no summary.
        "idle_lead": UserFactory(agency=AgencyFactory(), roles=[Role.AGENCY_LEAD]),
    }
    progress.start_module(people["started"], catalogue.module_by_slug("basics"))
    certify(people["done"], course, now - dt.timedelta(days=5))
    people["expiring_cert"] = certify(people["expiring"], course, now - dt.timedelta(days=345))
    people["lapsed_cert"] = certify(people["lapsed"], course, now - dt.timedelta(days=400))
    certify(people["gone"], course, now - dt.timedelta(days=350))  # expiring, but deactivated
    db.session.commit()
    return people


def send(runner) -> str:
    db.session.commit()  # as a separate process would, the command sees committed rows only
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_rule_sends_the_right_email(runner, smtp, course, scene):
    output = send(runner)
    # Three assigned certificates are expiring or expired: Eve's, Lou's and Gil's.
    assert "Sent 5 reminder(s)" in output and "3 renewal(s)" in output
    assert len(smtp.messages) == ALL

    soon = only(smtp, scene["soon"])
    due = assignment_of(scene["soon"], course).due_at
    assert soon["Subject"] == f"Due by {due.strftime('%-d %B %Y')}: Starter course"
    text = smtp.text(soon)
    assert "Sam Soon" in text and "is due by" in text
    assert "http://localhost/learn/courses/starter" in text
    assert "http://localhost/learn/courses/starter" in html_of(soon).hrefs()
    assert "unsubscribe" not in text.lower()

    overdue = only(smtp, scene["overdue"])
    assert overdue["Subject"] == "Overdue: Starter course"
    assert "now overdue" in smtp.text(overdue) and "overdue" in html_of(overdue).texts("strong")

    expiring = only(smtp, scene["expiring"])
    expires = scene["expiring_cert"].expires_at.strftime("%-d %B %Y")
    assert expiring["Subject"] == f"Your Starter course certificate expires on {expires}"
    assert "http://localhost/certificates/" in smtp.text(expiring)

    # Renewal: the lapsed certificate makes the assigned course due at its expiry: overdue now.
    lapsed = only(smtp, scene["lapsed"])
    assert lapsed["Subject"] == "Overdue: Starter course"
    assert scene["lapsed_cert"].expires_at.strftime("%-d %B %Y") in smtp.text(lapsed)

    for quiet in ("started", "done", "gone", "erased", "gone_lead", "quiet_lead", "idle_lead"):
        assert smtp.to(scene[quiet].email) == [], quiet


def test_the_lead_summary_counts_their_agency_and_names_who_is_overdue(runner, smtp, scene):
    send(runner)
    summary = only(smtp, scene["lead"])
    assert summary["Subject"] == "Weekly training summary for Northshire Police"
    text, html = smtp.text(summary), html_of(summary)
    figures = dict(html.table())
    for label, number in [("Completed", 1), ("In progress", 1), ("Not started", 1),
                          ("Overdue", 2), ("Expiring soon", 1)]:  # fmt: skip
        assert re.search(rf"{label}:\s+{number}\s", text), label
        assert figures[label] == str(number), label
    assert "Olu Overdue: Starter course" in text and "Lou Lapsed: Starter course" in text
    assert "Olu Overdue" in html.text()
    for absent in ("Gil Gone", "Erin Erased", "Sam Soon"):
        assert absent not in text and absent not in html.html
    link = re.search(r"http://localhost/reminders/unsubscribe/\S+", text).group(0)
    assert html.link("Stop these weekly summaries").href == link


def test_running_twice_sends_nothing_more(runner, smtp, scene):
    send(runner)
    assert "Sent 0 reminder(s); 5 already sent" in send(runner)
    assert len(smtp.messages) == ALL
    assert count(ReminderLog, ReminderLog.sent_at.is_not(None)) == ALL


def test_concurrent_runs_send_each_email_exactly_once(app, smtp, scene):
    now = utcnow()
    db.session.commit()
    db.session.close()  # the threads must not wait on this thread's transaction
    barrier = threading.Barrier(4)
    reports, failures = [], []

    def work():
        try:
            with app.app_context():  # its own session and database connection
                barrier.wait(timeout=30)
                reports.append(commands.send_reminders(now))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads) and not failures, failures
    received = Counter((m["To"], m["Subject"]) for m in smtp.messages)
    assert len(received) == ALL and set(received.values()) == {1}, received
    assert sum(sum(r.sent.values()) for r in reports) == ALL
    assert sum(r.skipped for r in reports) == ALL * 3


def test_a_failed_send_gives_the_claim_back_and_the_next_run_retries(
    runner, smtp, scene, monkeypatch
):
    victim = scene["overdue"]
    real = commands.deliver

    def flaky(reminder):
        if reminder.email == victim.email:
            raise ConnectionRefusedError("SMTP server went away")
        real(reminder)

    monkeypatch.setattr(commands, "deliver", flaky)
    db.session.commit()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    assert f"failed: overdue to {victim.email}" in result.output
    assert len(smtp.messages) == ALL - 1 and smtp.to(victim.email) == []
    assert count(ReminderLog, ReminderLog.user_id == victim.id) == 0
    monkeypatch.undo()
    assert "Sent 1 reminder(s) (overdue 1)" in send(runner)
    assert len(only(smtp, victim)["Subject"]) > 0 and len(smtp.messages) == ALL


def test_a_stale_claim_is_taken_over_but_a_fresh_one_is_left_alone(runner, smtp, scene):
    now = utcnow()
    week = reminders.iso_week(now)
    soon_due = db.session.scalar(
        select(Assignment.due_at).where(Assignment.user_id == scene["soon"].id)
    )
    course_id = scene["expiring_cert"].course_id
    db.session.add_all(
        [  # a run that died two hours ago before sending; another sending right now
            ReminderLog(user_id=scene["soon"].id, kind="due_soon", subject=f"course:{course_id}",
                        period=f"due:{soon_due.date()}", claimed_at=now - dt.timedelta(hours=2)),
            ReminderLog(user_id=scene["overdue"].id, kind="overdue",
                        subject=f"course:{course_id}", period=week, claimed_at=now),
        ]
    )  # fmt: skip
    send(runner)
    assert len(smtp.to(scene["soon"].email)) == 1
    assert smtp.to(scene["overdue"].email) == []
    assert len(smtp.messages) == ALL - 1


def test_unsubscribing_from_summaries_needs_no_sign_in(client, runner, smtp, scene):
    send(runner)
    lead = scene["lead"]
    link = re.search(r"http://localhost(/reminders/unsubscribe/\S+)", smtp.text(only(smtp, lead)))
    url = link.group(1)
    page = client.get(url)
    assert page.status_code == 200 and "Stop summary emails" in page.get_data(as_text=True)
    done = client.submit(url)
    assert done.status_code == 200 and "Summary emails stopped" in done.get_data(as_text=True)
    assert db.session.get(User, lead.id).summary_emails is False
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "summary_emails_unsubscribed")
    )
    assert event.actor_id == lead.id and event.target_id == str(lead.id)
    # Next week there is no summary for them.
    smtp.messages.clear()
    db.session.commit()
    commands.send_reminders(utcnow() + dt.timedelta(days=7))
    assert smtp.messages and smtp.to(lead.email) == []


def test_a_tampered_unsubscribe_token_is_refused(client, app, scene):
    lead = scene["lead"]
    token = reminders.unsubscribe_token(app.config["SECRET_KEY"], lead.id)
    forged = reminders.unsubscribe_token("some-other-secret-key-of-enough-length", lead.id)
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense"):
        assert client.get(f"/reminders/unsubscribe/{bad}").status_code == 400
        response = client.submit(
            f"/reminders/unsubscribe/{bad}", page=f"/reminders/unsubscribe/{token}"
        )
        assert response.status_code == 400
    assert db.session.get(User, lead.id).summary_emails is True
    assert client.get(f"/reminders/unsubscribe/{token}").status_code == 200
