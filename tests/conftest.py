import os
import threading

import pytest

TEST_SECONDS = 3600  # "at once" for a test, however loaded the machine that runs it


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run only with MINIGPT_SLOW=1 (CI stays fast)."""
    if os.environ.get("MINIGPT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set MINIGPT_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def wall_clock_windows_outlast_a_slow_machine(monkeypatch):
    """Toasts (Textual drops them from app._notifications after 5 s) and the window in which r or q is pressed again
    (5 s) run on the wall clock: on a loaded machine a test's keys took longer, and its toast or question was gone
    before its assert. Tests of the windows themselves set them short again."""
    from textual.app import App

    import tui.app

    notify = App.notify
    monkeypatch.setattr(App, "notify", lambda self, message, **kw: notify(self, message, **kw | {"timeout": TEST_SECONDS}))
    monkeypatch.setattr(tui.app, "CONFIRM_SECONDS", TEST_SECONDS)


@pytest.fixture
def kill_after():
    """kill_after(child, seconds): a child process still running then is killed, so a test reading its output to
    the end fails instead of hanging the whole run."""
    timers = []

    def start(child, seconds: float = 60):
        timers.append(threading.Timer(seconds, child.kill))
        timers[-1].start()

    yield start
    for timer in timers:
        timer.cancel()


@pytest.fixture(autouse=True)
def no_bug_shown_as_a_toast(monkeypatch):
    """The playground turns any exception into a one-line toast (tui.app.guarded), so a TUI test passed though a
    traceback was caught, unless its own asserts noticed. Any error but the one-line kinds users are meant to read
    fails the test. A test that means to show another kind takes this fixture and empties the list."""
    from core.chapters import ChapterError
    from core.data import DataError
    from core.run import RunError
    from core.session import SessionError
    from core.vocab import UnknownCharacter
    from tui.app import PlaygroundApp
    from tui.trainer import Refused

    user_messages = (Refused, ChapterError, DataError, RunError, SessionError, UnknownCharacter)
    shown, report = [], PlaygroundApp.report

    def reporting(self, error):
        if not isinstance(error, user_messages):
            shown.append(error)
        report(self, error)

    monkeypatch.setattr(PlaygroundApp, "report", reporting)
    yield shown
    assert shown == [], f"the playground showed a bug as a toast: {shown!r}"
