"""The two ways out of the app: email over SMTP and text messages through app/core/sms.py.

Email: MAIL_SERVER (host, or host:port), MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS (STARTTLS),
MAIL_FROM. Without MAIL_SERVER (development) a message is logged, not sent. A send that fails raises (the
delivery records the error and is retried).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from app.core import sms
from app.core.masking import mask_phone

logger = logging.getLogger(__name__)

SMS_TEXT_MAX = 35  # a template variable the provider accepts (the rest is read in the app)


def send_email(address: str, subject: str, body: str, *, message_id: str | None = None) -> str:
    """Send a plain-text email; returns its Message-ID. `message_id` lets a retry carry the same id."""
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
        smtp.send_message(message)
    return message["Message-ID"]


def shorten(text: str, limit: int = SMS_TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send_text(phone: str, template: str, params: dict, *, out_id: str = "") -> str:
    """A text message (SmsFailed, a provider's refusal, is raised as it is: the delivery records it); `out_id`
    is the delivery's key, for the provider's status reports."""
    message_id = sms.send_sms(phone, template, params, out_id=out_id)
    logger.info("notification SMS to %s (%s) sent", mask_phone(phone), template)
    return message_id
