"""Headless Chromium for the layout tests, driven over the DevTools protocol on a pipe (no driver, no download).

``chromium --remote-debugging-pipe`` reads commands on fd 3 and writes replies on fd 4, NUL-terminated JSON: the
standard library is enough. A page is measured under device emulation (a 375 px phone really is 375 px wide;
headless Chromium's own window never goes below about 500 px), axe-core is the npm package's ``axe.min.js`` read
from disk and evaluated in the page. Every browser gets a fresh profile folder, a deadline on every reply, and is
killed (and its profile removed) when the ``with`` block ends, however it ends.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-pipe",
)


def chromium() -> str | None:
    """The Chromium to drive: ``$REPORTKIT_CHROMIUM``, else ``chromium`` on the PATH."""
    return os.environ.get("REPORTKIT_CHROMIUM") or shutil.which("chromium")


def axe_script() -> Path | None:
    """axe-core's ``axe.min.js``: ``$REPORTKIT_AXE``, else where .ci/run installs it (the npm cache folder)."""
    if os.environ.get("REPORTKIT_AXE"):
        path = Path(os.environ["REPORTKIT_AXE"])
        return path if path.is_file() else None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "reportkit" / "node" / "node_modules" / "axe-core" / "axe.min.js"
    return path if path.is_file() else None


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium; ``with Browser() as b: tab = b.open(path, width=375)``."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0):
        self.executable = executable or chromium()
        if not self.executable:
            raise BrowserError("no chromium to run")
        self.timeout = timeout
        self._buffer = b""
        self._id = 0
        self.profile = tempfile.mkdtemp(prefix="reportkit-chromium-")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()
        # Above 9, so the child's dup2 onto 3 and 4 never overwrites its own source.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child, from_child)]
        os.close(to_child)
        os.close(from_child)

        def pipes_on_3_and_4() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        try:
            self.process = subprocess.Popen(
                [self.executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                preexec_fn=pipes_on_3_and_4,
                close_fds=False,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            for fd in high:
                os.close(fd)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        ident = self._id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise BrowserError(f"chromium exited before {method}") from None
        reply = self.wait(lambda m: m.get("id") == ident, method)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait(self, match, what: str = "an event") -> dict:
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if match(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"chromium did not answer {what} within {self.timeout:g} s")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise BrowserError(f"chromium closed its pipe while waiting for {what}")
                self._buffer += chunk

    def open(self, path: Path | str, *, width: int, height: int = 800, scale: float = 1.0) -> Tab:
        """A new tab emulating a screen ``width`` CSS px wide (a phone below 600 px) with ``path`` loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session)
        tab.send("Page.enable")
        tab.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": width < 600},
        )
        tab.send("Page.navigate", {"url": Path(path).resolve().as_uri()})
        self.wait(
            lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session, "load"
        )
        tab.evaluate("document.fonts.ready.then(() => true)")
        return tab

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.process.poll() is None:
                self.send("Browser.close")
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, 9)
            self.process.wait(10)
        # The zygote and renderers share the session: none of them outlives the browser.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, 9)
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited, result as JSON)."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, top: float = 0, height: float | None = None) -> Path:
        """A PNG of the page from ``top`` (CSS px) over ``height`` px (default: to the end of the page)."""
        width, full = self.evaluate(
            "[document.documentElement.clientWidth, document.documentElement.scrollHeight]"
        )
        height = full - top if height is None else min(height, full - top)
        clip = {"x": 0, "y": top, "width": width, "height": height, "scale": 1}
        shot = self.send(
            "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
        )
        Path(path).write_bytes(base64.b64decode(shot["data"]))
        return Path(path)

    def axe(self, script: Path) -> list[dict]:
        """axe-core's violations on the page: [{id, impact, help, nodes: [target …]}]."""
        self.evaluate(script.read_text(encoding="utf-8") + "\n;true")
        found = self.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, "
            "impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))"
        )
        return found
