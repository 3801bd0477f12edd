"""Delivering one alert to one channel: Slack-compatible webhook, JSON webhook or SMTP e-mail.

Every delivery is tried ``attempts`` times with exponential backoff (``backoff_seconds`` x 1, 2,
4, ...) and a per-attempt timeout, so a receiver that is down for a moment or slow does not lose
the alert; after the last attempt the result says ``failed`` with the error, and the caller
records it (a later run retries it). Only the standard library is used (urllib, smtplib).
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from kpi_trust.serve.alerts import (
    AlertConfig,
    Channel,
    email_text,
    slack_payload,
    webhook_payload,
)


@dataclass(frozen=True)
class Delivery:
    """What happened to one alert on one channel."""

    status: str  # sent | failed
    attempts: int
    error: str | None
    payload: str


def _post_json(url: str, payload: dict, timeout: float) -> None:
    data = json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (config URL)
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def _send_email(channel: Channel, content: dict, timeout: float) -> None:
    subject, body = email_text(content)
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = channel.sender
    mail["To"] = ", ".join(channel.to)
    mail.set_content(body)
    with smtplib.SMTP(channel.host, channel.port, timeout=timeout) as smtp:
        if channel.starttls:
            smtp.starttls()
        if channel.username_env:
            smtp.login(
                os.environ.get(channel.username_env, ""),
                os.environ.get(channel.password_env or "", ""),
            )
        smtp.send_message(mail)


def payload_for(channel: Channel, content: dict) -> dict:
    if channel.type == "slack":
        return slack_payload(content)
    if channel.type == "webhook":
        return webhook_payload(content)
    subject, body = email_text(content)
    return {"subject": subject, "to": list(channel.to), "body": body}


def _describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, urllib.error.URLError):
        return f"unreachable ({error.reason})"
    return f"{type(error).__name__}: {error}"


def deliver(
    channel: Channel,
    content: dict,
    config: AlertConfig,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send ``content`` on ``channel``, retrying with backoff; never raises for a delivery error."""
    payload = payload_for(channel, content)
    error_text = None
    attempts = max(config.attempts, 1)
    for attempt in range(1, attempts + 1):
        try:
            if channel.type == "smtp":
                _send_email(channel, content, config.timeout_seconds)
            else:
                _post_json(channel.url(), payload, config.timeout_seconds)
            return Delivery("sent", attempt, None, json.dumps(payload))
        except (OSError, smtplib.SMTPException, ValueError) as error:
            error_text = _describe(error)
        if attempt < attempts:
            sleep(config.backoff_seconds * 2 ** (attempt - 1))
    return Delivery("failed", attempts, error_text, json.dumps(payload))
