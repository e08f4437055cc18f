"""A real SMTP server (aiosmtpd) on a free port, for the email channel's tests."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Collects every message the server accepts. `delay`: seconds between taking a message and answering
    "250 OK" (a real server's queueing; a client killed meanwhile never hears the answer)."""

    def __init__(self, delay: float = 0.0):
        self.messages = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()
