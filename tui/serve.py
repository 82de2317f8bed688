"""`minigpt-tui serve`: the playground in a web browser through textual-serve, one app process per browser tab."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import socket
import sys

from core.run import DEFAULT_SEED

LOOPBACK = "127.0.0.1"
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")


class ServeError(Exception):
    """A reason the server cannot start; reported as one line with exit status 2."""


def playground_command(chapter: int | str = 1, seed: int = DEFAULT_SEED, load: str | None = None,
                       engine: str | None = None) -> str:
    """The shell command textual-serve runs for each browser tab.

    This very interpreter with `-m`, so it works in a venv and after `pip install .` without relying on PATH; with
    `-P`, so a `core` or `tui` folder where the server was started is not imported instead of the installed ones
    (the playground must be installed, as `pip install .` or `pip install -e .` does).
    """
    command = [sys.executable, "-P", "-m", "tui.cli"]
    # a session has its own chapter, seed and engine, read when each tab opens
    options = ["--load", load] if load else ["--chapter", str(chapter), "--seed", str(seed)]
    return shlex.join(command + options + (["--engine", engine] if engine and not load else []))


def check_port_free(host: str, port: int) -> None:
    """Bind the address once, as the server will, so a taken port is one clear line instead of a traceback."""
    if not 0 < port < 65536:
        raise ServeError(f"port {port} is out of range (1-65535)")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise ServeError(f"cannot serve on host {host!r}: {e.strerror}") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # the server sets SO_REUSEADDR too: a port in TIME_WAIT is free for it, a listening one is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as e:
                if e.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                    raise ServeError(f"port {port} on {host} is already in use; "
                                     f"try another one, e.g. --port {port + 1}") from None
                raise ServeError(f"cannot serve on {host}:{port}: {e.strerror}") from None


def startup_message(host: str, port: int) -> str:
    if host in LOCAL_HOSTS:
        return (f"minigpt-tui: the playground is at http://localhost:{port} "
                "(each browser tab gets its own session; Ctrl+C stops)")
    where = "<this machine>" if host in ("0.0.0.0", "::", "") else host
    return (f"minigpt-tui: the playground is at http://{where}:{port} (each browser tab gets its own session; "
            f"Ctrl+C stops)\nminigpt-tui: warning: no password protects it: anyone who can reach {host}:{port} "
            "can use it")


def make_server(host: str, port: int, chapter: int | str = 1, seed: int = DEFAULT_SEED, load: str | None = None,
                engine: str | None = None):
    from aiohttp import web
    from rich.console import Console
    from textual_serve.server import Server

    tabs: set[asyncio.Task] = set()  # each open tab's websocket handler, which runs its playground

    class PlaygroundServer(Server):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.console = Console(stderr=True)  # its log, like every message of minigpt-tui, on stderr

        def initialize_logging(self) -> None:
            if self.console.is_terminal:
                super().initialize_logging()
            else:  # to a file: one plain line a request (rich wrapped them at 80 columns and padded them)
                logging.basicConfig(level="INFO", format="%(levelname)s %(message)s", stream=sys.stderr)

        async def handle_index(self, request: web.Request):
            # The page's script and websocket addresses follow the address the browser used, so the page works
            # when bound to 0.0.0.0 and through a tunnel (ssh -L 9000:localhost:8000) as well as on loopback.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app) -> None:
            print(startup_message(host, port), file=sys.stderr, flush=True)

        async def handle_websocket(self, request: web.Request):
            tabs.add(asyncio.current_task())
            try:
                return await super().handle_websocket(request)
            finally:
                tabs.discard(asyncio.current_task())

        async def on_shutdown(self, app) -> None:
            # aiohttp waits for open connections before it stops (22 s with a tab open): each tab's handler is
            # cancelled instead, which closes its websocket and tells its playground to quit
            for tab in list(tabs):
                tab.cancel()
            await asyncio.gather(*tabs, return_exceptions=True)

    return PlaygroundServer(playground_command(chapter, seed, load, engine), host=host, port=port, title="minigpt-tui")


def serve(host: str = LOOPBACK, port: int = 8000, chapter: int | str = 1, seed: int = DEFAULT_SEED,
          load: str | None = None, engine: str | None = None) -> None:
    """Serve the playground until Ctrl+C. Raises ServeError when the address cannot be used."""
    check_port_free(host, port)
    server = make_server(host, port, chapter, seed, load, engine)
    try:  # textual-serve writes what each tab's playground says on stderr to stdout: to stderr, as the rest
        with contextlib.redirect_stdout(sys.stderr):
            server.serve()
    except OSError as e:  # lost a race for the port between the check and the bind
        raise ServeError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None
