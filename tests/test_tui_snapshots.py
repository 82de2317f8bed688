"""Pictures of the playground's main screens at 80x24 and 120x40 (pytest-textual-snapshot).

Deterministic: seed 42, no training running (so no steps per second), the cursor never in the name box.
Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`, then look at them.
"""
from __future__ import annotations

import pytest

from tui.app import PlaygroundApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _idle(pilot):
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chapter", [1, 6, 9, 12])
def test_chapter(snap_compare, chapter, size):
    assert snap_compare(PlaygroundApp(chapter=chapter), terminal_size=size, run_before=_idle)


@pytest.mark.parametrize("size", SIZES)
def test_chapter_6_trained(snap_compare, size):
    """Chapter 6 after 16 steps (twice through the toy names): moved weights (at 80x24 its tab), a sparkline."""

    async def train(pilot):
        await pilot.pause()
        for _ in range(16):
            await pilot.press("full_stop")
        await pilot.press("2" if size == (80, 24) else "w")
        await _idle(pilot)

    assert snap_compare(PlaygroundApp(chapter=6), terminal_size=size, run_before=train)


@pytest.mark.parametrize("size", SIZES)
def test_code_view(snap_compare, size):
    assert snap_compare(PlaygroundApp(chapter=8), terminal_size=size, press=["c"], run_before=_idle)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size):
    assert snap_compare(PlaygroundApp(chapter=1), terminal_size=size, press=["question_mark"], run_before=_idle)


@pytest.mark.parametrize("size", SIZES)
def test_generate_finished(snap_compare, size):
    """The last frame of a generate animation in chapter 12 (g twice: start, then jump to the end)."""

    async def generate(pilot):
        await pilot.pause()
        await pilot.press("g", "g")
        await _idle(pilot)

    assert snap_compare(PlaygroundApp(chapter=12), terminal_size=size, run_before=generate)


@pytest.mark.parametrize("size", [pytest.param((120, 40), id="120x40")])
def test_attention_view(snap_compare, size):
    async def attention(pilot):
        await pilot.pause()
        await pilot.press("a")
        await _idle(pilot)

    assert snap_compare(PlaygroundApp(chapter=12, name="emma"), terminal_size=size, run_before=attention)
