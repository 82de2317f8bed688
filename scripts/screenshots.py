"""Make the README's pictures from the real playground: SVG screenshots of its main screens, written to docs/.

    python scripts/screenshots.py                   # all of them, into docs/
    python scripts/screenshots.py generate          # just one (the names are in SCREENS below)
    python scripts/screenshots.py --out /tmp/shots  # somewhere else

Each picture is the real PlaygroundApp (seed 42) in Textual's headless test driver, driven by the keys a person
would press, so the pictures show what the app really draws. Training runs in the app's own trainer thread; for
the "while training" picture the thread is held at a fixed step so the picture is the same on every run (all but
the steps-per-second figure, which is measured).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import PlaygroundApp

DOCS = Path(__file__).resolve().parent.parent / "docs"
SIZE = (120, 40)
SEED = 42


async def wait_until(pilot, ready, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause()


async def train(pilot, app: PlaygroundApp, steps: int) -> None:
    """Space, then wait for the trainer to stop at the app's step budget."""
    await pilot.press("space")
    session = app.session
    await wait_until(pilot, lambda: not session.training and app.snap.step == steps, f"{steps} training steps")


async def chapter_1(app: PlaygroundApp, pilot) -> None:
    """The first screen: six tokens, no weights yet, every next token a fair die."""


async def chapter_6_training(app: PlaygroundApp, pilot, hold_at: int = 30) -> None:
    """Chapter 6 in the middle of training: the trainer thread is held right after step `hold_at`."""
    session = app.session
    run = session.run
    reached, release = threading.Event(), threading.Event()
    train_step = run.train_step

    def held_train_step():
        result = train_step()
        if run.step == hold_at:
            reached.set()
            release.wait(60)
        return result

    run.train_step = held_train_step
    app.release_trainer = release  # so the app can let it go before it exits
    await pilot.press("space")
    await wait_until(pilot, reached.is_set, f"training step {hold_at}")
    await pilot.pause(0.2)  # the snapshots the trainer posted before it was held arrive first
    # the trainer is parked between steps, so this thread may read the model: draw step `hold_at` exactly
    app.apply_snapshot(session, session.snapshot())
    await pilot.pause()


async def chapter_12_attention(app: PlaygroundApp, pilot) -> None:
    """Chapter 12 after 600 steps: attention of every head as it reads a name."""
    await train(pilot, app, 600)
    await pilot.press("a")
    await wait_until(pilot, lambda: app.snap.attention is not None, "the attention maps")


async def generate(app: PlaygroundApp, pilot, frame: int = 7) -> None:
    """Chapter 12 after 1000 steps writing a name: the animation held at one frame (3 frames per token)."""
    await train(pilot, app, 1000)  # at the normal speed: slow paces training too, 20 steps a second
    panel = app.query_one("#generate")
    app.speed = panel.speed = "slow"  # the picture's animation speed, set without s's toast
    await pilot.press("g")
    await wait_until(pilot, lambda: panel.steps, "the generate animation to start")
    panel.stop()  # from here the frames are advanced by hand, not by a timer
    for _ in range(frame):
        panel.advance()
    await pilot.pause()


# name -> (what it shows, the app's options, the keys that lead there)
SCREENS = {
    "chapter1": ("chapter 1: tokens", dict(chapter=1), chapter_1),
    "chapter6-training": ("chapter 6: training", dict(chapter=6), chapter_6_training),
    "chapter12-attention": ("chapter 12: attention", dict(chapter=12, name="isabella", step_budget=600),
                            chapter_12_attention),
    "generate": ("chapter 12: generating a name", dict(chapter=12, step_budget=1000), generate),
}


async def screenshot(name: str, folder: Path = DOCS) -> Path:
    from tui.app import PlaygroundApp  # here, so a mistyped name is refused without loading the app

    title, options, drive = SCREENS[name]
    app = PlaygroundApp(seed=SEED, **options)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await drive(app, pilot)
        svg = app.export_screenshot(title=f"minigpt-tui — {title}")
        if hasattr(app, "release_trainer"):  # let the held trainer go, and stop it before the app closes
            app.session.stop_requested = True
            app.release_trainer.set()
            await wait_until(pilot, lambda: not app.session.training, "the trainer to stop")
    path = folder / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="SVG screenshots of the playground's main screens")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"screens to make (default all: {', '.join(SCREENS)})")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder to write them to (default docs/)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in SCREENS]
    if unknown:
        print(f"screenshots: unknown screen {unknown[0]!r}; choose from {', '.join(SCREENS)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or SCREENS:
        started = time.monotonic()
        path = asyncio.run(screenshot(name, args.out))
        print(f"{path}  ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
