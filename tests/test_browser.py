"""The playground in a real browser: headless Chromium opens `minigpt-tui serve`'s page, the playground draws, and a
key press changes the chapter.

Chromium is driven over its DevTools protocol (a websocket, with aiohttp, already a textual-serve dependency). The
page draws the terminal with xterm.js into a canvas, so the screen is read from xterm's own buffer: a script added
before the page's scripts catches the `terminal` that textual-serve's page creates.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest

from test_serve import served, stop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Debian's chromium and sets MINIGPT_REQUIRE_E2E=1, so there a missing browser fails instead of skipping
pytestmark = pytest.mark.skipif(CHROMIUM is None and os.environ.get("MINIGPT_REQUIRE_E2E") != "1",
                                reason="chromium is not installed (apt-get install chromium; CI installs it)")

# Catches textual-serve's xterm.js Terminal as the page's script assigns it (`this.terminal = new Terminal(...)`).
CATCH_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  get() { return undefined; },
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    window.__terminals.push(value);
  },
});
"""
TERMINAL = "(window.__terminals || []).find(t => t && t.buffer && t.buffer.active)"
SCREEN_TEXT = f"""(() => {{
  const t = {TERMINAL};
  if (!t) return null;
  const buffer = t.buffer.active, rows = [];
  for (let y = 0; y < t.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? "");
  return rows.join("\\n");
}})()"""

# headless, as root in CI, and quiet: no background connections to the (closed) network, other hosts never resolve
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1280,800",
    "--remote-debugging-port=0",
]


class Browser:
    """One page of a headless Chromium, driven over the DevTools protocol."""

    def __init__(self, http: aiohttp.ClientSession, websocket):
        self.http, self.websocket, self.ids = http, websocket, itertools.count(1)

    async def call(self, method: str, **params):
        call_id = next(self.ids)
        await self.websocket.send_json({"id": call_id, "method": method, "params": params})
        while True:  # events arrive in between; we only want our answer
            answer = await self.websocket.receive_json()
            if answer.get("id") == call_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screen(self) -> str | None:
        """The terminal's rows as text; None until the page has made its terminal."""
        return await self.evaluate(SCREEN_TEXT)

    async def wait_for(self, ready, what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = await self.screen()
            if screen is not None and ready(screen):
                return screen
            if time.monotonic() > deadline:
                picture = Path(tempfile.gettempdir()) / "minigpt-browser-failure.png"
                await self.save_screenshot(picture)
                shown = "no xterm terminal on the page" if screen is None else f"the terminal shows:\n{screen}"
                pytest.fail(f"timed out waiting for {what} (the page: {picture}); {shown}")
            await asyncio.sleep(0.1)

    async def press(self, key: str) -> None:
        """A real key press in the page, as a person types it into the terminal."""
        await self.evaluate(f"{TERMINAL}.focus()")
        code = f"Key{key.upper()}" if key.isalpha() else ""
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, text=key,
                        windowsVirtualKeyCode=ord(key.upper()))
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=ord(key.upper()))

    async def save_screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@contextlib.asynccontextmanager
async def chromium_page(url: str):
    """A fresh headless Chromium (its own profile) with one page at `url`, the terminal catcher installed first."""
    if CHROMIUM is None:
        pytest.fail("chromium is not installed, and MINIGPT_REQUIRE_E2E=1 asks for the browser test")
    profile = Path(tempfile.mkdtemp(prefix="minigpt-chromium-"))
    process = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"  # Chromium writes its debugging port here once it listens
        deadline = time.monotonic() + 15
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"chromium did not start (exit status {process.poll()})")
            await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as answer:
                page = next(target for target in await answer.json() if target["type"] == "page")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as websocket:
                browser = Browser(http, websocket)
                await browser.call("Page.enable")
                await browser.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                await browser.call("Page.navigate", url=url)
                yield browser
    finally:
        stop(process)
        shutil.rmtree(profile, ignore_errors=True)


async def test_the_playground_draws_in_a_browser_and_answers_keys():
    with served() as server:
        async with chromium_page(server.url + "/") as browser:
            first = await browser.wait_for(lambda s: "1/12" in s and "tokens" in s,
                                           "the playground's first screen (1/12 tokens)")
            assert "Traceback" not in first
            columns, rows = await browser.evaluate(f"[{TERMINAL}.cols, {TERMINAL}.rows]")
            assert columns >= 100 and rows >= 30, f"the terminal should fill the 1280x800 page, not {columns}x{rows}"
            await browser.press("n")
            second = await browser.wait_for(lambda s: "2/12" in s and "1/12" not in s, "chapter 2 after pressing n")
            assert "logits" in second
            if os.environ.get("MINIGPT_BROWSER_SHOT"):  # a picture for a person to look at
                await browser.save_screenshot(Path(os.environ["MINIGPT_BROWSER_SHOT"]))
