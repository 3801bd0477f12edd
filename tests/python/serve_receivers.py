"""Local servers for the serve tests: a webhook and an SMTP receiver, and the API server.

Both run in a thread on a free port and keep what they received. The HTTP receiver can be told
to fail (answer 500) or to be slow (sleep before answering); the SMTP one speaks just enough
of RFC 5321 for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import kpi_trust

# The server runs the same kpi_trust package as the tests (the worktree's, via PYTHONPATH).
SCRIPTS = Path(kpi_trust.__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def api_server(db: Path, work: Path, token: str | None = None):
    """`python -m kpi_trust serve` (uvicorn, as a user starts it) on a free port; yields its URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    env.pop("KPI_TRUST_API_TOKEN", None)
    if token:
        env["KPI_TRUST_API_TOKEN"] = token
    log_path = work / f"server-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kpi_trust", "serve", "--port", str(port), "--db", str(db)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if httpx.get(base + "/health", timeout=2).status_code in (200, 503):
                        break
                except httpx.HTTPError:
                    if time.time() > deadline or process.poll() is not None:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


class WebhookReceiver:
    """POSTs received as parsed JSON; ``fail`` answers 500, ``delay`` seconds before answering."""

    def __init__(self, fail: bool = False, delay: float = 0.0) -> None:
        self.posts: list[dict] = []
        self.requests = 0
        self.fail = fail
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests += 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """A tiny SMTP server; ``messages`` holds each received e-mail (email.message.Message)."""

    def __init__(self) -> None:
        self.messages: list = []
        receiver = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            def handle(self) -> None:
                self.reply("220 localhost test SMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 localhost")
                    elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        data = b""
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b".\n", b""):
                                break
                            data += chunk[1:] if chunk.startswith(b"..") else chunk
                        receiver.messages.append(message_from_bytes(data))
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
