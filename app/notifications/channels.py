"""The two ways out of the app: email over SMTP and text messages through app/core/sms.py.

Email: MAIL_SERVER (host, or host:port), MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS (STARTTLS),
MAIL_FROM. Without MAIL_SERVER (development) a message is logged, not sent. A send that fails raises (the
delivery records the error and is retried).

The SMTP transaction is written out (MAIL, RCPT, DATA) so that a delivery learns the moment the whole
message has reached the server: `handed` is called after the message's text and before the final "." that
asks the server to take it. A worker killed before that point leaves nothing at the server (an unfinished
transaction is dropped); after it, the server has the whole message (app/notifications/delivery.py settles
the two cases differently).
"""

from __future__ import annotations

import io
import logging
import re
import smtplib
from collections.abc import Callable
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from flask import current_app

from app.core import sms
from app.core.masking import mask_phone

logger = logging.getLogger(__name__)

SMS_TEXT_MAX = 35  # a template variable the provider accepts (the rest is read in the app)


def send_email(
    address: str, subject: str, body: str, *, message_id: str | None = None, handed: Callable[[], None] | None = None
) -> str:
    """Send a plain-text email; returns its Message-ID. `message_id` lets a retry carry the same id; `handed`
    is called once the server has the whole message but before it is asked to take it."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = address
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="yishi")
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        logger.info("development email to %s: %s\n%s", address, subject, body)
        return message["Message-ID"]
    timeout = config.get("MAIL_TIMEOUT_SECONDS", 10)
    host, _sep, port = server.partition(":")  # "smtp.example.org:587" sets the port too
    with smtplib.SMTP(host, int(port or config.get("MAIL_PORT") or 25), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        _transaction(smtp, message, address, handed)
    return message["Message-ID"]


def _transaction(smtp: smtplib.SMTP, message: EmailMessage, address: str, handed) -> None:
    """smtplib's send_message, step by step: MAIL, RCPT, DATA, the text, `handed()`, then the final "."."""
    with io.BytesIO() as out:
        BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(message, linesep="\r\n")
        flat = out.getvalue()
    sender = getaddresses([message["From"]])[0][1]
    smtp.ehlo_or_helo_if_needed()
    code, answer = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = smtp.rcpt(address)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({address: (code, answer)})
    code, answer = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, answer)
    text = re.sub(rb"(?m)^\.", b"..", flat)  # dot-stuffing
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    smtp.send(text)
    if handed is not None:
        handed()
    smtp.send(b".\r\n")
    code, answer = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)


def shorten(text: str, limit: int = SMS_TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send_text(phone: str, template: str, params: dict, *, out_id: str = "") -> str:
    """A text message (SmsFailed, a provider's refusal, is raised as it is: the delivery records it); `out_id`
    is the delivery's key, for the provider's status reports."""
    message_id = sms.send_sms(phone, template, params, out_id=out_id)
    logger.info("notification SMS to %s (%s) sent", mask_phone(phone), template)
    return message_id
