"""A monkey at the keyboard: a few hundred random keys in every chapter, dialogs included; nothing may break."""
from __future__ import annotations

import os
import random

from core.chapters import CHAPTERS
from tests.test_tui import settle
from tui.app import KEYS, PANEL_KEYS, PlaygroundApp

NAVIGATION = ["up", "down", "left", "right", "tab", "shift+tab", "enter", "escape", "backspace", "home", "end"]
TYPING = list("aeilnxz.Z0 ")  # what lands in the name box, a path prompt or the data picker's path (no q: it quits)
DIALOGS = ["ctrl+s", "ctrl+o", "d", "question_mark", "c"]  # not ctrl+p: its "Quit" command is one Enter away
KEYS_PER_CHAPTER = 60 if os.environ.get("MINIGPT_SLOW") == "1" else 17  # 204 keys in all; 720 in a slow run


def keys_of_the_app() -> list[str]:
    keys = [key.split(",")[0] for key, *_ in KEYS + PANEL_KEYS]
    return [k for k in keys if k != "q"]  # quitting would end the test early, not fail it


async def test_random_keys_in_every_chapter_raise_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # ctrl+s then Enter saves in the current folder
    rng = random.Random(2026)
    keys = keys_of_the_app() + NAVIGATION + TYPING + DIALOGS
    app = PlaygroundApp(chapter=1, step_budget=15, speed="instant")  # conftest fails it on any bug shown as a toast
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for chapter in CHAPTERS:
            while len(app.screen_stack) > 1:  # leave any dialog before jumping to the next chapter
                await pilot.press("escape")
            app.show_chapter(chapter.number)
            for _ in range(KEYS_PER_CHAPTER):
                await pilot.press(rng.choice(keys))
            assert app.is_running, f"the app stopped in chapter {chapter.number}"
        await settle(pilot, app)
    assert any(s.run is not None and s.run.step > 0 for s in app.sessions.values())  # the keys did train something
