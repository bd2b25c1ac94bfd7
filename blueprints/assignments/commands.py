"""`flask reminders send`: the reminder emails, for cron."""

import click
from flask import Flask, current_app, render_template, url_for

from signpost import mail, reminders

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
        links["unsubscribe_url"] = url_for("assignments.unsubscribe", token=token, _external=True)
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
        render_template(f"assignments/email/{reminder.kind}.txt", **context),
        render_template(f"assignments/email/{reminder.kind}.html", **context),
    )


def send_reminders(now=None, send=None) -> reminders.Report:
    """Send every reminder now due (inside an app context); links start with BASE_URL."""
    app = current_app._get_current_object()
    # A request context for url_for; its address is the public one, for links in emails.
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        return reminders.run(send or deliver, now=now)


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
