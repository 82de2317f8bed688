"""`minigpt-tui serve`: the command it runs per browser tab, its one-line refusals, the page it serves, and one
playground process per websocket (browser tab), driven over textual-serve's own websocket protocol."""
from __future__ import annotations

import asyncio
import codecs
import contextlib
import dataclasses
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest

from tui.cli import build_parser, main
from tui.serve import playground_command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=30)


@dataclasses.dataclass
class Served:
    url: str
    log: Path  # what the server printed
    process: subprocess.Popen

    def printed(self) -> str:
        return self.log.read_text()

    def playgrounds(self) -> list[int]:
        """The playground processes the server started that still run (textual-serve starts each through a shell)."""
        rows = [line.split(None, 2) for line in
                subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout.splitlines()]
        children = {pid for pid, ppid, _ in rows if ppid == str(self.process.pid)}
        return [int(pid) for pid, ppid, args in rows if ppid in children and "-m tui.cli --" in args]


def stop(process: subprocess.Popen) -> None:
    """Ask a child to end, then make it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def served(*args: str, timeout: float = 20.0):
    """`minigpt-tui serve --port P ARGS` in a subprocess, once it listens."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        with log.open("w") as out:  # a file, not a pipe: nobody has to drain it
            server = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--port", str(port), *args],
                                      stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if server.poll() is not None:
                    pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
                if time.monotonic() > deadline:
                    pytest.fail("the server did not start listening in time")
                time.sleep(0.05)
            yield Served(f"http://127.0.0.1:{port}", log, server)
        finally:
            stop(server)


# -- the command and its refusals ------------------------------------------------------------------------------------

def test_each_tab_runs_this_python_with_the_module_not_whatever_is_on_path(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/opt/my venv/bin/python3")
    command = playground_command(chapter=6, seed=7)
    assert shlex.split(command) == ["/opt/my venv/bin/python3", "-P", "-m", "tui.cli", "--chapter", "6", "--seed", "7"]


def test_a_tab_runs_the_installed_playground_even_from_a_folder_with_its_own_core_package(tmp_path):
    # -m alone put the server's folder first on the path: a project's own core/ there was imported, and every
    # tab stayed blank
    for package in ("core", "tui"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("raise ImportError('the folder\'s own package')\n")
    python, *flags = shlex.split(playground_command())[:4]
    done = subprocess.run([python, *flags, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("minigpt-tui "), done.stderr


def test_an_engine_is_passed_to_every_tab():
    assert shlex.split(playground_command(7, 42, engine="scalar"))[-2:] == ["--engine", "scalar"]
    assert "--engine" not in playground_command(7, 42)


def test_a_saved_session_is_passed_to_every_tab():
    command = shlex.split(playground_command(6, 42, load="/tmp/my run.json"))
    assert command[-2:] == ["--load", "/tmp/my run.json"] and "--seed" not in command and "--chapter" not in command


def test_serve_defaults_to_loopback_port_8000_and_takes_chapter_and_seed_after_the_subcommand():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.chapter, args.seed) == ("127.0.0.1", 8000, "1", None)  # 42 when serving
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9001", "--chapter", "6", "--seed", "3"])
    assert (args.host, args.port, args.chapter, args.seed) == ("0.0.0.0", 9001, "6", 3)


def test_a_taken_port_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == f"minigpt-tui: port {port} on 127.0.0.1 is already in use; try another one, " \
                            f"e.g. --port {port + 1}\n"
    assert result.stdout == ""


def test_what_a_tab_says_on_stderr_reaches_the_servers_stderr(monkeypatch, capsys):
    """textual-serve writes a tab's stderr (its "stopped by SIGINT; ... saved to" line) to the server's stdout."""
    import tui.serve

    class Server:
        def serve(self):
            sys.stdout.write("minigpt-tui: stopped by SIGINT; work not saved before: chapter 3 saved to f\n")

    monkeypatch.setattr(tui.serve, "check_port_free", lambda host, port: None)
    monkeypatch.setattr(tui.serve, "make_server", lambda *args: Server())
    tui.serve.serve()
    out, err = capsys.readouterr()
    assert out == "" and err == "minigpt-tui: stopped by SIGINT; work not saved before: chapter 3 saved to f\n"


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "port 70000 is out of range"),
    (["--host", "no-such-host.invalid"], "cannot serve on host 'no-such-host.invalid'"),
    (["--chapter", "99"], "unknown chapter '99'"),
    (["--load", "no-such-session.json"], "no-such-session.json: no such file"),
])
def test_bad_serve_arguments_are_one_line_and_exit_2(args, message):
    result = run_cli("serve", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"minigpt-tui: {message}") and result.stderr.count("\n") == 1, result.stderr


# -- the page ------------------------------------------------------------------------------------------------------

async def test_the_page_points_at_the_address_the_browser_used_even_when_bound_to_all_interfaces():
    with served("--host", "0.0.0.0") as server:
        async with aiohttp.ClientSession() as http:
            # as a browser that reached the server through a tunnel, ssh -L 9000:localhost:PORT, would ask
            async with http.get(server.url + "/", headers={"Host": "localhost:9000"}) as page:
                html = await page.text()
            async with http.get(server.url + "/static/js/textual.js") as script:
                assert script.status == 200
        printed = server.printed()
    assert 'data-session-websocket-url="ws://localhost:9000/ws"' in html
    assert 'src="http://localhost:9000/static/js/textual.js"' in html
    assert "0.0.0.0" not in html
    assert "<div>minigpt-tui</div>" in html
    assert "warning: no password protects it" in printed


def test_on_loopback_it_says_where_and_warns_of_nothing():
    with served() as server:
        port = server.url.rsplit(":", 1)[1]
        printed = server.printed()
    assert printed.startswith(f"minigpt-tui: the playground is at http://localhost:{port} "), printed
    assert "warning" not in printed


# -- one playground per tab ----------------------------------------------------------------------------------------

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b.", re.S)
CHAPTER_LABEL = re.compile(r"\b(\d{1,2})/12\b")


class Tab:
    """A browser tab as textual-serve sees it: a websocket that sends keys and receives the app's terminal output."""

    def __init__(self, websocket):
        self.websocket, self.raw = websocket, ""
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    @property
    def text(self) -> str:
        """Everything the app drew so far, escape sequences removed."""
        return ESCAPES.sub("", self.raw)

    def chapter(self) -> int | None:
        """The chapter label the app drew last (N of `N/12`)."""
        labels = CHAPTER_LABEL.findall(self.text)
        return int(labels[-1]) if labels else None

    async def press(self, key: str) -> None:
        await self.websocket.send_json(["stdin", key])

    async def read(self, timeout: float) -> bool:
        """Reads one message of output; False when none came within `timeout` seconds."""
        try:
            message = await self.websocket.receive(timeout=timeout)
        except asyncio.TimeoutError:
            return False
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            pytest.fail(f"the session closed; it showed:\n{self.text[-2000:]}")
        if message.type == aiohttp.WSMsgType.BINARY:
            self.raw += self.decoder.decode(message.data)
        return True

    async def wait_for_chapter(self, number: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.chapter() != number:
            if time.monotonic() > deadline:
                pytest.fail(f"chapter {number} never showed (last: {self.chapter()}):\n{self.text[-2000:]}")
            await self.read(timeout=0.5)

    async def wait_for(self, *texts: str, timeout: float = 20.0) -> None:
        """Reads until everything in `texts` has been drawn."""
        deadline = time.monotonic() + timeout
        while not all(text in self.text for text in texts):
            if time.monotonic() > deadline:
                pytest.fail(f"{texts} never showed:\n{self.text[-2000:]}")
            await self.read(timeout=0.5)

    async def read_for(self, seconds: float) -> None:
        """Reads whatever the app draws during the next `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await self.read(timeout=left)


async def test_a_tab_whose_session_file_went_away_says_so_and_opens_a_chapter(tmp_path):
    # the file was there when the server started; its tab stayed blank, the error only in the server's log
    saved = tmp_path / "served.json"
    assert main(["train", "-c", "6", "--steps", "3", "--samples", "0", "--save", str(saved)]) == 0
    with served("--load", str(saved)) as server:
        saved.unlink()
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(server.url.replace("http", "ws") + "/ws?width=120&height=40") as ws:
                tab = Tab(ws)
                await tab.wait_for_chapter(1)
                await tab.wait_for("no such file", "this tab opened")


async def test_each_tab_gets_its_own_playground():
    with served() as server:
        async with aiohttp.ClientSession() as http:
            ws_url = server.url.replace("http", "ws") + "/ws?width=100&height=30"
            async with http.ws_connect(ws_url) as first_ws, http.ws_connect(ws_url) as second_ws:
                first, second = Tab(first_ws), Tab(second_ws)
                await asyncio.gather(first.wait_for_chapter(1), second.wait_for_chapter(1))
                await first.press("n")
                await first.wait_for_chapter(2)
                # one app shared by both tabs would show the first tab's move in the second as well
                await second.read_for(1.0)
                assert second.chapter() == 1
                await second.press("n")
                await second.wait_for_chapter(2)
                await first.read_for(1.0)
                assert first.chapter() == 2


async def test_with_load_every_tab_opens_the_saved_session(tmp_path):
    saved = tmp_path / "chapter6.json"
    trained = run_cli("train", "--chapter", "6", "--data", "toy", "--steps", "5", "--samples", "0", "--save", str(saved))
    assert trained.returncode == 0, trained.stderr
    with served("--load", str(saved)) as server:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(server.url.replace("http", "ws") + "/ws?width=120&height=40") as ws:
                tab = Tab(ws)
                await tab.wait_for_chapter(6)
                await tab.wait_for("step 5/5", "loss 0.8296")  # the saved run, as it was



async def test_a_tab_closed_as_it_opens_leaves_no_playground_running():
    """A browser tab that resized its terminal and closed within a quarter of a second (a quick reload) left its
    playground in a busy loop after it had quit, a whole core each, deaf to SIGTERM."""
    with served() as server:
        async with aiohttp.ClientSession() as http:
            for _ in range(2):
                async with http.ws_connect(server.url.replace("http", "ws") + "/ws?width=142&height=45") as ws:
                    await asyncio.sleep(0.09)
                    await ws.send_json(["resize", {"width": 142, "height": 50}])
                    await asyncio.sleep(0.16)
                    await ws.close(code=1001)
        deadline = time.monotonic() + 15
        while (running := server.playgrounds()) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for pid in running:  # stopping the server would leave them spinning
            os.kill(pid, signal.SIGKILL)
        assert running == [], "a playground went on running after its tab closed"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_the_server_stops_at_once_with_a_tab_open(signum):
    """Ctrl+C took 22 s with a tab open (aiohttp waited for the websocket); its playground quits with it."""
    with served() as server:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(server.url.replace("http", "ws") + "/ws?width=120&height=40") as ws:
                tab = Tab(ws)
                await tab.wait_for_chapter(1)
                playgrounds = server.playgrounds()
                assert len(playgrounds) == 1
                server.process.send_signal(signum)
                started = time.monotonic()
                while (await ws.receive(timeout=10)).type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    pass  # the rest of the screen, then the server's close, which the client answers as a browser does
            while server.process.poll() is None and time.monotonic() - started < 15:
                await asyncio.sleep(0.1)
            assert server.process.returncode == 0, "the server was still waiting for its tab after 15 s"
        assert not os.path.exists(f"/proc/{playgrounds[0]}"), "the tab's playground outlived the server"
