"""The playground in a real pseudo-terminal, as over ssh: tmux at 80x24 with TERM=xterm-256color.

A shell runs in the pane; the test types `minigpt-tui` at its prompt, checks the first screen and a key, quits, and
checks that the shell gets its terminal back as it was (main screen, no mouse reporting, cursor shown, same stty).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# CI installs tmux and sets MINIGPT_REQUIRE_E2E=1, so there a missing tmux fails instead of skipping
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None and os.environ.get("MINIGPT_REQUIRE_E2E") != "1",
                                reason="tmux is not installed (apt-get install tmux; CI installs it)")

PROMPT = "shell$"
# what the terminal should look like whenever the shell, not the app, owns it
SHELL_STATE = {"alternate_on": "0", "cursor_flag": "1", "mouse_any_flag": "0", "mouse_button_flag": "0",
               "mouse_standard_flag": "0", "mouse_sgr_flag": "0", "mouse_utf8_flag": "0"}


def playground_command() -> list[str]:
    """The installed console script when there is one (what an ssh user types), else this Python's module."""
    script = Path(sys.executable).with_name("minigpt-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


class Tmux:
    """One private tmux server (its own socket) with one 80x24 pane running a plain bash."""

    def __init__(self, workdir: Path, width: int = 80, height: int = 24):
        if shutil.which("tmux") is None:
            pytest.fail("tmux is not installed, and MINIGPT_REQUIRE_E2E=1 asks for the terminal test")
        self.socket = f"minigpt-test-{os.getpid()}-{time.monotonic_ns()}"
        config = workdir / "tmux.conf"
        # status off: the pane is the whole 80x24; the terminal type is what an ssh client usually sends
        config.write_text("set -g status off\nset -g default-terminal xterm-256color\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "TEXTUAL", "COLORTERM"))}
        env.update(TERM="xterm-256color", HOME=str(workdir))
        self.env = env
        self.tmux("-f", str(config), "new-session", "-d", "-x", str(width), "-y", str(height), "-c", str(workdir),
                  f"env PS1={shlex.quote(PROMPT + ' ')} bash --norc --noprofile")
        self.wait_for(lambda screen: PROMPT in screen, "the shell prompt")

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env,
                                timeout=10)
        assert result.returncode == 0, f"tmux {' '.join(args)}: {result.stderr.strip()}"
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def flags(self) -> dict[str, str]:
        names = list(SHELL_STATE) + ["pane_width", "pane_height"]
        values = self.tmux("display-message", "-p", "|".join(f"#{{{n}}}" for n in names)).strip().split("|")
        return dict(zip(names, values))

    def type_line(self, line: str) -> None:
        self.tmux("send-keys", "-l", line)
        self.tmux("send-keys", "Enter")

    def press(self, key: str) -> None:
        self.tmux("send-keys", key)

    def wait_for(self, ready, what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; the pane shows:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def tmux(tmp_path):
    pane = Tmux(tmp_path)
    yield pane
    pane.close()


def clean_shell(tmux: Tmux, folder: Path) -> None:
    """Records the shell's terminal modes, checks TERM, and clears the screen."""
    assert tmux.flags()["pane_width"] == "80" and tmux.flags()["pane_height"] == "24"
    term = folder / "term"
    tmux.type_line("stty -g > stty.before; echo $TERM > term; clear")
    # the file first: before the line is typed the screen shows just the prompt as well
    tmux.wait_for(lambda s: term.exists() and term.read_text() and s.strip() == PROMPT, "a cleared shell")
    assert term.read_text() == "xterm-256color\n"
    assert tmux.flags() == {**SHELL_STATE, "pane_width": "80", "pane_height": "24"}


def quit_and_check_the_terminal_is_restored(tmux: Tmux, folder: Path, remnant: str) -> None:
    tmux.press("q")
    after = tmux.wait_for(lambda s: re.search(r"^exit=\d+", s, re.M), "the shell after pressing q")
    assert "exit=0" in after, f"the playground should exit 0:\n{after}"
    assert remnant not in after and "Traceback" not in after, f"the app left remnants on the main screen:\n{after}"
    assert after.splitlines()[0].startswith(PROMPT), f"the shell's screen should be back as it was:\n{after}"
    assert {k: v for k, v in tmux.flags().items() if k in SHELL_STATE} == SHELL_STATE, \
        "quitting should leave the alternate screen, stop mouse reporting and show the cursor"

    tmux.type_line("stty -g > stty.after")
    stty_after = folder / "stty.after"
    tmux.wait_for(lambda s: stty_after.exists() and stty_after.read_text().strip(), "stty -g to run")
    assert stty_after.read_text() == (folder / "stty.before").read_text(), "terminal modes differ after quitting"


def test_playground_in_a_real_terminal_draws_answers_keys_and_restores_the_terminal(tmux, tmp_path):
    clean_shell(tmux, tmp_path)
    tmux.type_line(f"{shlex.join(playground_command())} --seed 42; echo exit=$?")
    first = tmux.wait_for(lambda s: "1/12" in s and s.splitlines()[-1].strip(),
                          "the playground's first screen: 1/12 in the header and the keys in the footer")
    assert tmux.flags()["alternate_on"] == "1", "the playground should draw on the alternate screen"
    lines = first.splitlines()
    assert len(lines) == 24 and any("1/12" in line for line in lines[:3]), f"1/12 should be in the header:\n{first}"
    assert "Traceback" not in first

    tmux.press("n")
    tmux.wait_for(lambda s: "2/12" in s and "1/12" not in s, "chapter 2 after pressing n")
    quit_and_check_the_terminal_is_restored(tmux, tmp_path, remnant="2/12")


def test_quitting_in_the_middle_of_training_restores_the_terminal_too(tmux, tmp_path):
    clean_shell(tmux, tmp_path)
    tmux.type_line(f"{shlex.join(playground_command())} --chapter 12 --seed 42; echo exit=$?")
    tmux.wait_for(lambda s: "12/12" in s and s.splitlines()[-1].strip(), "chapter 12's first screen")
    tmux.press("Space")
    tmux.wait_for(lambda s: re.search(r"step [1-9]\d*/1000", s), "chapter 12 to start training")
    tmux.press("q")  # training not saved: q asks first
    tmux.wait_for(lambda s: "q again quits" in s, "the question")
    quit_and_check_the_terminal_is_restored(tmux, tmp_path, remnant="12/12")
