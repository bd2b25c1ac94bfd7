"""Sending email over SMTP, with plain-text and HTML parts."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

log = logging.getLogger(__name__)


def build_message(sender: str, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
    """A multipart/alternative message with a text part and an optional HTML part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="signpost")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send(config: dict, to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send one email using the MAIL_* settings; log it instead when no server is set."""
    message = build_message(config["MAIL_SENDER"], to, subject, text, html)
    server = config.get("MAIL_SERVER")
    if not server:
        # Development without a mail server: the message goes to the log so links can be used.
        log.info("email not sent (MAIL_SERVER unset)", extra={"to": to, "body": text})
        return
    with smtplib.SMTP(server, config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
