"""Drive headless Chromium over the DevTools protocol: open a page, wait for it, screenshot it.

Why not `chromium --dump-dom --virtual-time-budget`: that stops when *virtual* time runs out,
and virtual time does not wait for a WebSocket. A Streamlit page draws from messages its
server sends over one, so the dump races the app (measured: the same page came back half drawn
in one run of two). Here the test waits in real time for what it asserts, with a deadline.
Flags as FACTS.md; the resolver rule keeps every host but 127.0.0.1 unreachable, and the net
log lists what the page asked for. Needs `websockets` (a Streamlit dependency).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1400,1600",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]


class Page:
    """One DevTools session on a page target: call methods, evaluate JavaScript."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    def call(self, method: str, timeout: float = 30, **params) -> dict:
        """Send a command and wait for its answer (events in between are dropped)."""
        call_id = next(self.ids)
        self.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.time() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.time())))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        """A JavaScript expression's value (JSON-serialisable)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60):
        """Poll `expression` until it is truthy; its last value if the deadline passes."""
        deadline = time.time() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.time() > deadline:
                return value
            time.sleep(0.25)

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path


@contextlib.contextmanager
def browser(work: Path) -> Iterator[Page]:
    """Headless Chromium with a fresh profile under `work`; yields its first page's session.

    The net log is written to ``work / "net.json"`` when the browser exits.
    """
    from websockets.sync.client import connect

    profile = work / "profile"
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={work / 'net.json'}"],
        stdout=subprocess.DEVNULL,
        stderr=(work / "chromium.log").open("w"),
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.time() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError((work / "chromium.log").read_text()[-3000:])
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port_file.read_text().split()[0]}"
        targets = httpx.get(f"{base}/json/list", timeout=10).json()
        target = next(t for t in targets if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            yield Page(socket)
        # Closed through the protocol, Chromium ends cleanly and finishes the net log.
        version = httpx.get(f"{base}/json/version", timeout=10).json()
        with connect(version["webSocketDebuggerUrl"]) as socket, contextlib.suppress(Exception):
            Page(socket).call("Browser.close", timeout=10)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def off_machine_requests(net_log: Path) -> list[str]:
    """URLs pages asked for on any host but 127.0.0.1.

    A page's requests carry its origin as initiator; the browser's own background requests
    (update checks, sign-in probes: blocked by the resolver rule anyway) carry "not an origin".
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = [
        event["params"].get("url", "")
        for event in log["events"]
        if event["type"] == start_job
        and event.get("params", {}).get("initiator", "not an origin") != "not an origin"
    ]
    return [url for url in urls if urlparse(url).hostname != "127.0.0.1"]
