"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that answers from a plan and records what it saw."""

import asyncio
import email
import email.policy
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Delivery:
    """One DATA command the sink received, and how it answered."""

    rcpt_tos: list
    content: bytes
    answer: str
    at: float  # time.monotonic() on arrival

    @property
    def message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def message_id(self):
        return self.message["Message-ID"]


class FlakyHandler:
    """Answers each DATA with the next entry of `plan`, then "250 OK" once the plan is used up.

    An entry is an SMTP reply ("451 4.3.0 Try again later", "550 5.1.1 User unknown") or
    ("sleep", seconds): wait that long (a hung server), then accept. Every DATA is recorded
    on arrival, so a message whose sender died before the reply still counts.
    """

    def __init__(self, plan=(), *, delay=0.0):
        self.plan = list(plan)
        self.delay = delay
        self.deliveries = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            step = self.plan.pop(0) if self.plan else "250 OK"
            answer = "250 OK" if isinstance(step, tuple) else step
            self.deliveries.append(Delivery(list(envelope.rcpt_tos), envelope.content, answer, time.monotonic()))
        if isinstance(step, tuple):
            await asyncio.sleep(step[1])
        elif self.delay:
            await asyncio.sleep(self.delay)
        return answer

    @property
    def accepted(self):
        return [d for d in self.deliveries if d.answer.startswith("250")]


@contextmanager
def smtp_sink(plan=(), *, delay=0.0):
    """Run a FlakyHandler on a free loopback port; yields (handler, port)."""
    handler = FlakyHandler(plan, delay=delay)
    port = free_port()
    # server_hostname: without it aiosmtpd calls socket.getfqdn() for every connection, inside its
    # event loop; where the machine's name is not in /etc/hosts that is a DNS lookup, and a slow
    # one (5 s resolver timeout) stalls every conversation in flight past EMAIL_TIMEOUT.
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
