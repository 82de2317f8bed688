"""Key-to-screen latency of the playground in a real terminal (tmux), idle and while training.

    /work/venv/bin/python bench/bench_latency.py [--chapter 12] [--presses 40] [--size 120x40]

The playground runs in a private tmux server. For each key press (T and t in turn: the temperature shown in
the status line goes 0.5 -> 0.7 -> 0.5) the bench sends the key and polls the pane until the new value is on the
screen; the time between the two is the key's latency as a user would see it (it includes tmux's own delay and
a few ms of polling). It does so with the app idle, then with training running in its worker thread, and
prints medians and 90th percentiles, the screen updates per second the trainer delivered, and training steps
per second. Figures depend on the machine and on its load: compare the idle and training rows of one run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_app(chapter: int, stats_path: str) -> None:
    """The inner side: the playground, with a schedule long enough to keep training, counting its updates."""
    sys.path.insert(0, str(ROOT))
    from textual import on

    from tui.app import PlaygroundApp, Trained

    class CountingApp(PlaygroundApp):
        def on_mount(self) -> None:
            super().on_mount()
            run = self.session.run
            run.config = replace(run.config, steps=10**7)  # keep the learning rate (almost) constant, never finish

        updates: list = []

        @on(Trained)
        def count(self, message: Trained) -> None:
            if not message.stopped:
                self.updates.append((time.monotonic(), message.snap.step))

        def on_unmount(self) -> None:
            super().on_unmount()
            Path(stats_path).write_text(json.dumps({"updates": self.updates,
                                                    "engine": self.session.run.config.engine}))

    CountingApp(chapter=chapter).run()


class Pane:
    def __init__(self, command: str, width: int, height: int):
        self.socket = f"minigpt-bench-{os.getpid()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        env["TERM"] = "xterm-256color"
        self.env = env
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def status(self) -> str:
        lines = self.screen().splitlines()
        return lines[-2] if len(lines) >= 2 else ""

    def wait(self, ready, timeout: float = 30.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if ready():
                return time.perf_counter() - start
            time.sleep(0.002)
        raise TimeoutError("the screen did not change")

    def close(self) -> None:
        self.tmux("kill-server")


def measure(pane: Pane, presses: int) -> list[float]:
    latencies = []
    for i in range(presses):
        key, shown = ("T", "T 0.7 ") if i % 2 == 0 else ("t", "T 0.5 ")
        start = time.perf_counter()
        pane.tmux("send-keys", key)
        pane.wait(lambda: shown in pane.status())
        latencies.append(time.perf_counter() - start)
        time.sleep(0.05)  # a person's keys come tens of ms apart at the fastest
    return latencies


def tmux_floor(presses: int) -> list[float]:
    """The same measurement against `cat`, which echoes at once: what tmux and the polling cost by themselves."""
    pane = Pane("cat", 80, 24)
    try:
        pane.wait(lambda: True)
        latencies = []
        for i in range(presses):
            mark = "xyz"[i % 3] * (i + 1)  # a new, longer line each time
            start = time.perf_counter()
            pane.tmux("send-keys", "-l", mark)
            pane.wait(lambda: mark in pane.screen())
            latencies.append(time.perf_counter() - start)
            pane.tmux("send-keys", "Enter")
            time.sleep(0.05)
        return latencies
    finally:
        pane.close()


def summary(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p90 = ms[int(len(ms) * 0.9) - 1]
    return f"median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   max {ms[-1]:6.1f} ms   ({len(ms)} keys)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, default=12)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--app", help=argparse.SUPPRESS)  # inner mode: the stats file
    args = parser.parse_args()
    if args.app:
        run_app(args.chapter, args.app)
        return
    width, height = (int(x) for x in args.size.split("x"))
    floor = tmux_floor(min(args.presses, 20))
    print(f"tmux alone {summary(floor)}  (a key echoed by cat: the measuring's own cost)")
    stats_path = Path(tempfile.mkdtemp()) / "stats.json"
    command = f"{shlex.quote(sys.executable)} {shlex.quote(__file__)} --chapter {args.chapter} --app {stats_path}"
    pane = Pane(command, width, height)
    try:
        startup = pane.wait(lambda: f"{args.chapter}/12" in pane.screen() and "T 0.5 " in pane.status())
        print(f"chapter {args.chapter}, {args.size}: first screen after {startup:.2f} s")
        pane.wait(lambda: True)
        time.sleep(0.5)
        idle = measure(pane, args.presses)
        print(f"idle      {summary(idle)}")
        pane.tmux("send-keys", "Space")
        pane.wait(lambda: re.search(r"step [1-9]", pane.status()))
        time.sleep(1.0)
        training = measure(pane, args.presses)
        print(f"training  {summary(training)}")
        quiet = (time.monotonic(), time.monotonic() + 3.0)  # no keys: the trainer at full speed
        time.sleep(3.2)
        pane.tmux("send-keys", "Space")
        time.sleep(0.5)
        pane.tmux("send-keys", "q")
        pane.wait(lambda: stats_path.exists(), timeout=10)
        stats = json.loads(stats_path.read_text())
        window = [(t, step) for t, step in stats["updates"] if quiet[0] <= t <= quiet[1]]
        if len(window) > 1:
            seconds = window[-1][0] - window[0][0]
            print(f"training, no keys for 3 s: {(len(window) - 1) / seconds:.1f} screen updates/s (cap 20), "
                  f"{(window[-1][1] - window[0][1]) / seconds:.0f} steps/s ({stats['engine']} engine)")
        print(f"ratio training/idle median latency: {statistics.median(training) / statistics.median(idle):.2f}")
    finally:
        pane.close()


if __name__ == "__main__":
    main()
