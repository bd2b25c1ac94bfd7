"""`flask reminders send`: the reminder emails, for cron."""

import datetime as dt
import logging
from collections.abc import Callable

import click
from flask import Flask, current_app, render_template, url_for

from signpost import assigning, audit, mail, reminders
from signpost.models import utcnow
from signpost.unit_of_work import unit_of_work

log = logging.getLogger("signpost.reminders")

SUBJECTS = {
    "due_soon": "Due by {due}: {course}",
    "overdue": "Overdue: {course}",
    "expiring": "Your {course} certificate expires on {expires}",
    "lead_summary": "Weekly training summary for {agency}",
}


def _date(value) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _links(reminder: reminders.Reminder) -> dict:
    data = reminder.data
    links = {"learning_url": url_for("learn.index", _external=True)}
    if "course_slug" in data:
        links["course_url"] = url_for("learn.course", slug=data["course_slug"], _external=True)
    if reminder.kind == "expiring":
        links["certificates_url"] = url_for("certificates.mine", _external=True)
    if reminder.kind == "lead_summary":
        token = reminders.unsubscribe_token(current_app.config["SECRET_KEY"], reminder.user_id)
        links["unsubscribe_url"] = url_for("reminders.unsubscribe", token=token, _external=True)
        links["assignments_url"] = url_for("assignments.index", _external=True)
    return links


def deliver(reminder: reminders.Reminder) -> None:
    """Render one reminder (text and HTML) and send it over SMTP."""
    data = reminder.data
    subject = SUBJECTS[reminder.kind].format(
        course=data.get("course_title", ""),
        due=_date(data.get("due_at")),
        expires=_date(data.get("expires_at")),
        agency=data.get("agency_name", ""),
    )
    context = {
        "reminder": reminder,
        "name": reminder.name,
        "date": _date,
        **data,
        **_links(reminder),
    }
    mail.send(
        current_app.config,
        reminder.email,
        subject,
        render_template(f"reminders/email/{reminder.kind}.txt", **context),
        render_template(f"reminders/email/{reminder.kind}.html", **context),
    )


def deliver_once(
    reminder: reminders.Reminder,
    send: Callable[[reminders.Reminder], None],
    now: dt.datetime,
    report: reminders.Report,
) -> None:
    """Claim, send and mark one reminder; a failed send gives the claim back."""
    # Each step is a unit of its own: the claim is stored before the email leaves, and no
    # transaction stays open while mail is sent.
    with unit_of_work():
        claim_id = reminders.claim(reminder)
        if claim_id is not None and reminder.kind == "lead_summary":
            reminder.data.update(reminders.agency_summary(reminder.data["agency_id"], now))
    if claim_id is None:
        report.skipped += 1
        return
    try:
        send(reminder)
    except Exception as error:  # any failure at all: give the claim back and go on
        log.warning(
            "reminder not sent",
            extra={"kind": reminder.kind, "user_id": reminder.user_id, "error": repr(error)},
        )
        with unit_of_work():
            reminders.release(claim_id)
        report.failed.append((reminder.kind, reminder.email, repr(error)))
        return
    with unit_of_work():
        reminders.mark_sent(claim_id)
    report.sent[reminder.kind] += 1


def run_all(
    send: Callable[[reminders.Reminder], None],
    now: dt.datetime | None = None,
    due_soon_days: int = reminders.DUE_SOON_DAYS,
) -> reminders.Report:
    """Refresh renewals, then send every reminder that is due and not yet sent."""
    now = now or utcnow()
    report = reminders.Report()
    with unit_of_work():
        report.renewals = assigning.refresh_renewals(now)
        pending = (
            reminders.learner_reminders(now, due_soon_days)
            + reminders.expiring_reminders(now)
            + reminders.lead_reminders(now)
        )
    for reminder in pending:
        deliver_once(reminder, send, now, report)
    if report.sent or report.failed:
        with unit_of_work():
            audit.record(
                "reminders_sent",
                sent=dict(report.sent),
                failed=len(report.failed),
                renewals=report.renewals,
            )
    return report


def send_reminders(now=None, send=None) -> reminders.Report:
    """Send every reminder now due (inside an app context); links start with BASE_URL."""
    app = current_app._get_current_object()
    # A request context for url_for; its address is the public one, for links in emails.
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        return run_all(send or deliver, now=now)


def register(app: Flask) -> None:
    """Add `flask reminders send`."""

    @app.cli.group("reminders")
    def group():
        """Reminder emails to learners and agency leads."""

    @group.command("send")
    def send_command():
        """Email what is due soon, overdue or expiring, and leads' weekly summaries.

        Safe to run as often as you like, and on several servers at once: each reminder
        is sent once per rule and period."""
        report = send_reminders()
        sent = ", ".join(f"{kind} {count}" for kind, count in sorted(report.sent.items()))
        click.echo(
            f"Sent {sum(report.sent.values())} reminder(s){f' ({sent})' if sent else ''}; "
            f"{report.skipped} already sent; {report.renewals} renewal(s) made due."
        )
        for kind, email, error in report.failed:
            click.echo(f"failed: {kind} to {email}: {error}", err=True)
        if report.failed:
            raise SystemExit(1)  # cron mails the output; the next run retries these
