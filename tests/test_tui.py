"""The playground driven with Textual's Pilot: every key, every panel, as a user would try them."""
from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from textual import events
from textual.geometry import Region, Size
from textual.widgets import Input
from textual.widgets.input import Selection

from core.chapters import CHAPTERS, get
from core.run import Run, RunConfig
from core.session import SavedSession
from tui.app import SLOW_STEPS_PER_SECOND, PlaygroundApp, PlaygroundCommands
from tui.trainer import PlaygroundRun, Session, TrainingLoop
from tui.widgets.chapter_list import ChapterList
from tui.widgets.code_view import CodeScreen
from tui.widgets.file_prompt import FilePrompt
from tui.widgets.generate_panel import GeneratePanel
from tui.widgets.help_screen import HelpScreen
from tui.widgets.lines import Lines
from tui.widgets.loss_panel import LossPanel
from tui.widgets.name_box import NameBox
from tui.widgets.probs_panel import ProbsPanel
from tui.widgets.status_bar import StatusBar
from tui.widgets.too_small import TooSmallScreen
from tui.widgets.weights_panel import WeightsPanel

WIDE, SMALL = (120, 40), (80, 24)


def text_of(app, selector: str) -> str:
    widget = app.query_one(selector)
    return str(widget.text if hasattr(widget, "set_lines") else widget.content)


async def settle(pilot, app, timeout: float = 10.0) -> None:
    """Wait until the trainer thread has stopped and its last snapshot is drawn."""
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        if not any(s.training for s in app.sessions.values()):
            break
    else:
        pytest.fail(f"the trainer was still training after {timeout:g} s")
    await pilot.pause()


async def wait_until(pilot, ready, what: str, timeout: float = 10.0) -> None:
    """Wait until ready() is true (the app draws, and the trainer answers, in their own time); fail on timeout."""
    for _ in range(int(timeout / 0.02)):
        if ready():
            return
        await pilot.pause(0.02)
    pytest.fail(f"{what}: not after {timeout:g} s")


async def type_name(pilot, app, name: str) -> None:
    await pilot.press("slash")
    app.query_one("#name").value = ""
    await pilot.press(*name)
    await pilot.press("escape")
    await pilot.pause()


async def test_chapter_4_probabilities_and_loss_of_ann():
    app = PlaygroundApp(chapter=4)
    async with app.run_test(size=WIDE) as pilot:
        await type_name(pilot, app, "ann")
        snap = app.snap
        assert snap.name == "ann" and snap.targets == [0, 4, 4, 5]
        expected = [0.1884498480243161, 0.13677811550151975, 0.25835866261398177, 0.20364741641337386,
                    0.05167173252279635, 0.16109422492401215]
        assert snap.probs[0] == pytest.approx(expected, abs=1e-15)
        shown = text_of(app, "#probs-body")
        assert "loss 0.8868" in shown
        header, first = next((line, shown.splitlines()[i + 1]) for i, line in enumerate(shown.splitlines())
                             if "context" in line)
        assert header.split() == ["context", "→", "next", "a", "i", "l", "e", "n", ".", "loss"]
        # each token's percent under its own column, the target framed, then 1 - p(a)
        assert first.split() == [".", "→", "a", "[19]", "14", "26", "20", "5", "16", "0.812"]
        assert "0.8868" in text_of(app, "#status")
        assert app.sub_title == "4/12 loss"


async def test_a_loss_of_ten_or_more_keeps_its_column_on_the_smallest_wide_screen():
    """Chapter 8's try drives the log loss past 10: it was cut to "26.4…" at 110 columns."""
    app = PlaygroundApp(chapter=8)
    async with app.run_test(size=(110, 30)) as pilot:
        await type_name(pilot, app, "nnnn")
        app.session.model.set_weight("weights", (0,), 30.0)  # a: every other token's p near 0
        app.request_snapshot()
        await wait_until(pilot, lambda: app.snap.loss > 20, "a huge loss")
        rows = [line for line in text_of(app, "#probs-body").splitlines() if "→" in line and "next" not in line]
        assert [row.split()[-1] for row in rows] == [f"{loss:.2f}" for loss in app.snap.losses]
        assert len({len(row.rstrip()) for row in rows}) == 1  # every row's loss ends in one column


async def test_unknown_character_is_marked_not_a_crash():
    app = PlaygroundApp(chapter=4)
    async with app.run_test(size=WIDE) as pilot:
        await type_name(pilot, app, "an!x")
        assert app.snap.unknown == [2, 3]
        shown = text_of(app, "#probs-body")
        assert "'!' (position 3) and 'x' (position 4) are not in the vocabulary 'ailen'" in " ".join(shown.split())
        assert "showing the name up to the first: 'an'" in shown
        assert app.snap.ids == [0, 4]
        first_line = shown.splitlines()[0]
        assert first_line.strip() == "an!x" and "loss" not in first_line  # the loss is of 'an', said there
        assert "showing the name up to the first: 'an'  loss " in shown
        await type_name(pilot, app, "Elaine")  # nothing before the unknown 'E': the end token alone, as elsewhere
        shown = text_of(app, "#probs-body")
        assert "'E' (position 1) is not in the vocabulary 'ailen' (it has 'e')" in " ".join(shown.split())
        assert f"showing the end token alone  loss {app.snap.loss:.4f}" in shown
        assert "loss of '' (the end token alone)" in text_of(app, "#status")  # the status bar spoke of it, unseen here
        assert "→ ." in shown  # its one row: the end token, then the end
        await type_name(pilot, app, "ann")  # and it recovers
        assert app.snap.unknown == [] and app.snap.loss == pytest.approx(0.8867781155015197)
        assert "Most surprised by 'n' after '.a': the model gave it only" in " ".join(text_of(app, "#probs-body").split())


async def test_panels_fit_their_new_width_after_a_resize_while_idle():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        wide = text_of(app, "#probs-body")
        await pilot.resize_terminal(*SMALL)
        await pilot.press("3")  # the probabilities alone, drawn at the small screen's width
        await wait_until(pilot, lambda: app.narrow and text_of(app, "#probs-body") != wide, "the small layout")
        await pilot.resize_terminal(*WIDE)
        # drawn again at its width, not left at the small one
        await wait_until(pilot, lambda: text_of(app, "#probs-body") == wide, "the probabilities at their width")
        assert "…" not in wide


async def test_a_chapter_switch_right_after_a_resize_leaves_no_panel_at_an_old_size():
    """In a real terminal the resize and the key can arrive in one burst: the panels' layout for the size in between
    came after their final lines, and the Probabilities showed 14 of their 44 columns."""
    app = PlaygroundApp(chapter=9, name="emma")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")  # the Probabilities panel
        await wait_until(pilot, lambda: app.active_panel == "probs" and text_of(app, "#probs-body"), "the panel")
        app._driver._size = Size(110, 30)
        app.post_message(events.Resize(Size(110, 30), Size(110, 30)))  # no pause before the key
        await pilot.press("n")
        await wait_until(pilot, lambda: app.chapter_number == 10 and not app.narrow, "chapter 10, wide")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = [lines for lines in app.query(Lines) if lines.display and lines.parent.display and lines._strips]
        assert shown, "no panel's lines were drawn"
        for lines in shown:
            assert lines.size.width == min(lines._width, lines.parent.content_region.width), lines.id


@pytest.mark.parametrize("cover", ["question_mark", "too small"])
async def test_a_resize_under_a_covering_screen_lays_out_the_playground(cover):
    """The help (or the too-small notice) covers the playground while the terminal shrinks: back on it, the small
    layout, as if it had started at that size."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        if cover == "question_mark":
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        else:
            await pilot.resize_terminal(60, 18)
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen")
        await pilot.resize_terminal(*SMALL)
        if cover == "question_mark":
            await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0] and app.screen.has_class("-narrow")
                         and app.query_one("#chapters").outer_size.width == 16, "the small layout")
        main = app.screen
        assert main.has_class("-narrow") and app.query_one("#panelbar").display
        assert app.query_one("#chapters").outer_size.width == 16  # the small screen's chapter column (the wide one is 18)
        assert [p for p in ("about", "weights", "probs", "loss") if app.query_one(f"#{p}").display] == [app.active_panel]


@pytest.mark.parametrize("through", [None, (40, 12)])
async def test_a_name_being_typed_stays_in_sight_when_the_panels_start_taking_turns(through):
    # at 120x40 / then "em", the terminal made 80x24: the weights came up, the box closed, "ma" ran as commands
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", "e", "m")
        if through:
            await pilot.resize_terminal(*through)
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen")
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0] and app.narrow, "the small layout")
        await pilot.press("m", "a")
        await wait_until(pilot, lambda: app.typed == "emma", "the name typed on")
        assert app.active_panel == "probs" and app.query_one("#probs").display


@pytest.mark.parametrize("start, through, end", [(WIDE, None, SMALL), (SMALL, None, WIDE), (WIDE, (40, 12), SMALL)])
async def test_a_resize_under_a_dialog_lays_out_the_playground_it_shows_through(start, through, end):
    # the dialogs are see-through: the wide layout stayed squeezed into 80 columns behind one until it closed
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=start) as pilot:
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePrompt), "the save prompt")
        if through:  # by way of the too-small screen, which hides the playground meanwhile
            await pilot.resize_terminal(*through)
            await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen")
        await pilot.resize_terminal(*end)
        await wait_until(pilot, lambda: isinstance(app.screen, FilePrompt), "the save prompt again")
        main = app.screen_stack[0]
        await wait_until(pilot, lambda: main.has_class("-narrow") == (end == SMALL), "the new layout")
        assert app.query_one("#panelbar").display == (end == SMALL) and isinstance(app.screen, FilePrompt)
        shown = [p for p in ("about", "weights", "probs", "loss") if app.query_one(f"#{p}").display]
        assert shown == ([app.active_panel] if end == SMALL else ["weights", "probs", "loss"])


async def test_chapters_5_to_7_keep_their_weights_in_sight_at_the_smallest_wide_size():
    """Weights, Grads and Loss share the left column: at 110x30 the Grads table scrolls so the weights keep rows."""
    app = PlaygroundApp(chapter=7)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        assert not app.narrow and app.query_one("#gradients").display
        assert app.query_one("#weights-scroll").size.height >= 3  # it had none
        await pilot.resize_terminal(*WIDE)
        await pilot.pause()
        # room for both again: the six weights, and the table with its note (13 rows)
        assert app.query_one("#weights-scroll").size.height >= 6 and app.query_one("#gradients").outer_size.height == 13
        await pilot.resize_terminal(*SMALL)
        await pilot.press("6")  # alone on a small screen: the panel's whole height
        await pilot.pause()
        assert app.query_one("#gradients").outer_size.height >= 15


async def test_the_grads_table_keeps_its_columns_beside_a_scrollbar():
    """27 weights on the names data: a scrollbar takes two columns, and the gap column was cut to '2e-…'."""
    app = PlaygroundApp(saved=SavedSession(PlaygroundRun(RunConfig(6, data="names"))))  # as `--data names` does
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("full_stop")
        await settle(pilot, app)
        body = app.query_one("#gradients-body")
        shown = body.render_lines(Region(0, 0, body.size.width, body.size.height))  # as drawn, at its width
        text = "\n".join(strip.text for strip in shown)
        assert len(app.snap.grad_check) == 27 and "…" not in text and text.count("e-0") >= 5, text


async def test_panels_that_need_the_typed_name_get_it_after_a_resize():
    """Small: the Grads panel is not shown, so its numbers are not computed. Wide: it is shown, with them."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: app.snap.grad_check and "Type a name" not in text_of(app, "#gradients-body"),
                         "the gradient check")


async def test_the_heatmap_follows_the_cursor_across_a_matrix_wider_than_the_panel():
    app = PlaygroundApp(chapter=11)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2")
        await pilot.pause()
        while app.session.matrix != "mlp_fc2":  # 16 x 64: more columns than an 80-column screen shows
            await pilot.press("w")
        app.query_one(WeightsPanel).focus()
        await pilot.press(*["right"] * 63)
        await pilot.pause()
        assert app.session.cursor == (0, 63)
        header, rows = text_of(app, "#weights-info").splitlines()[-1], text_of(app, "#weights-body").splitlines()
        assert header.startswith("   ‹") and "56" in header  # the columns shown end at the last one
        assert "▪" in rows[0]  # the cursor's cell is on screen


@pytest.mark.parametrize("cursor, width", [(0, 30), (17, 30), (29, 30), (63, 30), (40, 60), (5, 200)])
def test_every_column_label_of_the_heatmap_sits_above_its_column(cursor, width):
    import re

    from tui.widgets.weights_panel import render_matrix

    values = np.random.default_rng(0).standard_normal((2, 64))
    header, row = (line.plain for line in render_matrix(values, ["a", "b"], [], (0, cursor), width)[:2])
    cell = 2 if "[]" in row else 1
    first = cursor - (row.index("[]" if cell == 2 else "▪") - 4) // cell  # the window's first column
    labels = [(int(m.group()), m.start()) for m in re.finditer(r"\d+", header)]
    assert labels and all(number == first + (at - 4) // cell and (at - 4) % cell == 0 for number, at in labels)


async def test_on_a_small_screen_the_attention_tab_shows_the_maps_at_once():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("6")
        await wait_until(pilot, lambda: app.snap.attention is not None, "the attention maps")
        assert app.active_panel == "attention"
        assert app.snap.attention is not None and len(app.snap.attention) == 4  # four heads' maps, no key needed
        assert "Type a name" not in str(app.query_one("#attention-body").content)


async def test_a_closes_the_attention_tab_at_the_first_press():
    app = PlaygroundApp(chapter=11)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("6")  # the tab, picked by its number: its border says "a: close"
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert app.active_panel == "about"  # the tab it was opened from
        await pilot.press("a")
        assert app.active_panel == "attention"
        await pilot.press("4", "a", "a")  # from the Loss tab, and back to it
        assert app.active_panel == "loss"


@pytest.mark.parametrize("hide", ["a", "l"])
async def test_a_nudge_brings_back_the_weights_the_maps_or_the_chart_hid(hide):
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        weights, before = app.query_one(WeightsPanel), app.session.model.weights()["wte"][0][0]
        await pilot.press(hide)
        await pilot.pause()
        assert not weights.display
        await pilot.press("plus")  # moves the weight the panel's cursor is on: the panel shows again
        await wait_until(pilot, lambda: weights.display, "the weights panel")
        assert weights.display and not app.attention_on and not app.loss_expanded
        assert app.session.model.weights()["wte"][0][0] == pytest.approx(before + 0.02, abs=1e-12)


async def test_a_name_cut_at_16_characters_says_so_under_the_name():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await type_name(pilot, app, "annaleianinaelaine")  # 18 typed: the box takes 16
        assert app.query_one("#name").value == "annaleianinaelai"
        assert text_of(app, "#probs-body").splitlines()[1].startswith("16 characters at most")


async def test_keys_typed_into_the_name_box_stay_there():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        app.query_one("#name").value = ""
        await pilot.press("n", "i", "n", "a", "g", "q")
        assert app.query_one("#name").value == "ninagq"
        assert app.chapter_number == 6 and app.is_running and not app.query_one(GeneratePanel).steps
        assert app.snap.unknown == [4, 5]
        await pilot.press("escape")
        assert not isinstance(app.focused, type(app.query_one("#name")))
        await pilot.press("n")
        assert app.chapter_number == 7


async def test_a_nudge_shows_the_loss_it_moves_on_the_weights_panel_of_a_small_screen():
    """From chapter 6 the status bar's loss is the last training step's: the typed name's is on the Weights panel,
    the only panel a small screen shows while nudging."""
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "tab")
        await pilot.pause()
        before = app.snap.loss
        assert f"loss of 'ann' {before:.4f}" in text_of(app, "#weights-info")
        for _ in range(4):
            await pilot.press("plus")
        await pilot.pause()
        assert app.snap.loss != before and f"loss of 'ann' {app.snap.loss:.4f}" in text_of(app, "#weights-info")
        app.query_one("#name", Input).value = ""  # no name: what the loss is of, said
        await pilot.pause()
        assert f"loss of '' (the end token alone) {app.snap.loss:.4f}" in text_of(app, "#weights-info")


async def test_the_loss_chart_never_shows_another_chapters_curve():
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        for _ in range(3):
            await pilot.press("full_stop")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        plot = app.query_one("#loss-plot")
        assert "chapter 9 loss" in plot.plt.build()
        await pilot.press("l", "n")
        await pilot.pause()
        drawn, render = [], plot.render
        plot.render = lambda: drawn.append(plot.plt.build()) or render()  # every frame the chart paints
        await pilot.press("l")  # chapter 10 has not trained: its chart, empty, from the first frame
        await pilot.pause()
        assert drawn and not any("chapter 9 loss" in frame for frame in drawn)
        assert "chapter 10 loss" in drawn[-1]


async def test_r_in_a_chapter_without_weights_says_what_it_did():
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "Chapter 1 started again: it has no weights; its random draws restart from seed 42."]


async def test_an_open_loss_chart_closes_in_a_chapter_with_nothing_to_chart():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("l")
        assert app.loss_expanded
        await pilot.press("p")  # chapter 5 does not train: the chart would hide its every panel
        await pilot.pause()
        assert not app.loss_expanded and app.query_one("#weights").display and app.query_one("#probs").display


async def test_r_while_training_says_training_paused():
    app = PlaygroundApp(chapter=9, engine="scalar")  # 2000 slow steps: still training when r comes
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await wait_until(pilot, lambda: app.session.run.step > 0, "the first step")
        await pilot.press("r")
        await settle(pilot, app)
        assert app.toast.startswith(f"Training paused at step {app.session.run.step} (space goes on). r again resets")


async def test_every_chapters_text_fits_the_header_of_the_smallest_wide_screen():
    """At 110x30 the header holds 5 lines: a longer "try" text was cut mid-sentence, with no ellipsis."""
    from textual.geometry import Size

    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=(110, 30)) as pilot:
        info = app.query_one("#info")
        for chapter in CHAPTERS:
            app.show_chapter(chapter.number)
            await pilot.pause()
            width = info.content_region.width
            assert info.get_content_height(Size(width, 99), Size(width, 99), width) <= 5, chapter.number


async def test_weight_nudge_changes_the_loss_at_once():
    app = PlaygroundApp(chapter=4)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        before = app.snap.loss
        await pilot.press("plus")  # weights[a] up: "ann" starts with a, so its loss falls
        up = app.snap
        assert up.weights["weights"][0] == pytest.approx(0.72)
        assert up.loss < before
        await pilot.press("minus", "minus")
        assert app.snap.weights["weights"][0] == pytest.approx(0.52)
        assert app.snap.loss > before
        assert "+0.5200" in text_of(app, "#weights-body") and "= +0.5200" in text_of(app, "#weights-info")
        await pilot.press("r")  # nudged weights are work too: r asks first
        await pilot.pause()
        assert app.toast.startswith("r again resets chapter 4 to its first weights: nudged weights not saved")
        await pilot.press("r")
        assert app.snap.loss == pytest.approx(before)


async def test_nudges_down_to_zero_land_on_zero():
    app = PlaygroundApp(chapter=5)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.session.cursor = (4,)  # n, 0.17: seventeen steps of 0.01 came to -3.5e-18, refused as below 0
        for _ in range(17):
            await pilot.press("minus")
        await pilot.pause()
        assert app.snap.weights["weights"][4] == 0.0 and not app._notifications


async def test_chapter_5_nudges_by_its_epsilon_and_gives_the_posts_nudged_loss():
    app = PlaygroundApp(chapter=5)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "+/- 0.01" in text_of(app, "#weights-info")
        await pilot.press("plus")
        await pilot.pause()
        assert app.snap.weights["weights"][0] == pytest.approx(0.63)
        assert app.snap.loss == pytest.approx(0.8863636363636364, rel=1e-12)  # chapters.md: weights[0] += 0.01


async def test_a_nudge_that_would_make_a_probability_negative_is_refused():
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press(*["minus"] * 15)  # weights[a] = 0.62 goes down 0.05 a press, and must stay >= 0
        await pilot.pause()
        assert app.snap.weights["weights"][0] == pytest.approx(0.02)
        assert all(p >= 0 for p in app.snap.probs[0])
        assert any(n.message.startswith("Nudge taken back: the weight of 'a' went below 0") for n in app._notifications)


async def test_arrows_move_the_weight_cursor_and_w_cycles_matrices():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.session.matrix == "wte" and app.session.cursor == (0, 0)
        app.query_one(WeightsPanel).focus()
        await pilot.press("down", "down", "right")
        assert app.session.cursor == (2, 1)
        assert "wte[c][1]" in text_of(app, "#weights-info")
        await pilot.press("up", "left", "left")
        assert app.session.cursor == (1, 0)
        burst(app, ["right"] * 5)  # a held arrow: all five queued before the first moves (each moved from (1, 0))
        await wait_until(pilot, lambda: app.session.cursor == (1, 5), "five moves right")
        await pilot.press("w")
        assert app.session.matrix == "wpe" and app.session.cursor == (0, 0)
        assert "wpe 16×16" in app.query_one(WeightsPanel).border_title
        names = list(app.snap.weights)
        for _ in range(len(names) - 1):
            await pilot.press("w")
        assert app.session.matrix == "wte"
        before = app.snap.loss
        await pilot.press("plus")
        assert app.snap.loss != before
        assert "Adam" in text_of(app, "#weights-info")


async def test_chapter_list_arrows_and_enter_and_n_p():
    app = PlaygroundApp()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.sub_title == "1/12 tokens"
        app.query_one("#chapters").focus()
        await pilot.press("down", "down", "enter")
        assert app.chapter_number == 3 and app.sub_title == "3/12 weights"
        await pilot.press("n")
        assert app.chapter_number == 4
        await pilot.press("p", "p")
        assert app.chapter_number == 2
        await pilot.press("p", "p")
        assert app.chapter_number == 1


async def test_training_chapter_6_moves_the_weights_and_lowers_the_loss():
    app = PlaygroundApp(chapter=6, step_budget=75)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        session = app.session
        docs = session.run.encoded
        before_weights = app.snap.weights["weights"].copy()
        before_loss = np.mean([session.model.loss(ids) for ids in docs])
        await pilot.press("space")
        await settle(pilot, app)
        assert session.run.step == 75
        after = app.snap
        assert after.step == 75 and len(after.history) == 75
        assert np.abs(after.weights["weights"] - before_weights).max() > 0.05
        after_loss = np.mean([session.model.loss(ids) for ids in docs])
        assert after_loss < before_loss
        assert "step 75" in text_of(app, "#status")
        assert app.query_one("#loss-sparkline").data == after.history
        mean = np.mean(after.history[-50:])  # the summary's mean says over how many steps it is
        assert f"loss {after.last_loss:.4f} · 50-step mean {mean:.4f}" in text_of(app, "#loss-summary")


async def test_r_twice_in_one_burst_resets_and_asks_nothing_after():
    """The first r's question was queued for after a redraw: it came once the chapter was reset, about 0 steps."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("full_stop")
        await wait_until(pilot, lambda: app.session.run.step == 1, "a step")
        app.simulate_key("r")
        app.simulate_key("r")
        await wait_until(pilot, lambda: app.toast.startswith("Chapter 6 reset to its first weights"), "the reset")
        await pilot.pause(0.3)
        assert app.session.run.step == 0 and app.toast.startswith("Chapter 6 reset to its first weights")


async def test_step_reset_learning_rate_and_kept_state_across_chapters():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("full_stop", "full_stop", "full_stop")
        assert app.snap.step == 3
        await pilot.press("right_square_bracket")
        assert app.session.run.config.lr == pytest.approx(0.2)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.session.run.config.lr == pytest.approx(0.05)
        assert "lr 0.05" in text_of(app, "#status")
        await pilot.press("n", "p")  # chapter 7 and back: chapter 6 kept its steps
        assert app.chapter_number == 6 and app.snap.step == 3
        await pilot.press("r")  # trained steps are not lost to one key: r asks first
        await pilot.pause()
        assert app.snap.step == 3 and app.toast.startswith("r again resets chapter 6 to its first weights: 3 trained steps")
        await pilot.press("full_stop", "r")  # the run moved on since: r asks again, with the new count
        await settle(pilot, app)
        assert app.snap.step == 4 and app.toast.startswith("r again resets chapter 6 to its first weights: 4 trained")
        await pilot.press("r")
        await pilot.pause()
        assert app.snap.step == 0 and app.snap.history == []
        assert app.toast == "Chapter 6 reset to its first weights. The learning rate stays 0.05 ([ and ] set it)."
        assert app.session.run.config.lr == pytest.approx(0.05)


async def test_l_before_chapter_4_says_there_is_no_loss_yet():
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        assert not app.loss_expanded and app.toast == "No loss to chart yet: it arrives in chapter 4."


async def test_chapters_that_do_not_train_draw_no_empty_chart():
    app = PlaygroundApp(chapter=5)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("4")  # the Loss tab: on a small screen a tab is its chart, but chapter 5 has no curve
        await pilot.pause()
        assert not app.query_one("#loss-plot").display and app.query_one("#loss").border_subtitle == ""
        await pilot.press("l")
        assert app.active_panel == "loss" and app.toast.startswith("Chapter 5 does not train")


async def test_on_a_small_screen_a_new_chapter_opens_on_about_and_a_visited_one_keeps_the_tab():
    """A chapter's story and "try" come first (n from a tab hid them); back in a chapter seen before, the tab stays,
    for comparing chapters, unless the chapter has nothing in it yet."""
    app = PlaygroundApp(chapter=4)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("4", "n")
        await pilot.pause()
        assert app.chapter_number == 5 and app.active_panel == "about" and app.query_one("#about").display
        await pilot.press("4", "p")  # back in chapter 4, seen before: its Loss tab
        await pilot.pause()
        assert app.chapter_number == 4 and app.active_panel == "loss"
        await pilot.press("p")  # chapter 3, new: its About
        await pilot.pause()
        assert app.chapter_number == 3 and app.active_panel == "about"
        await pilot.press("n", "4", "p")  # chapter 3 again, seen, but with no loss yet: About, not "No loss yet"
        await pilot.pause()
        assert app.chapter_number == 3 and app.active_panel == "about"
        await pilot.press("n", "3", "p")  # its Probs tab, kept
        await pilot.pause()
        assert app.chapter_number == 3 and app.active_panel == "probs"


async def test_l_back_from_the_loss_tab_shows_the_tab_before_with_its_numbers():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("6", "4", "l")  # Grads, Loss, then l closes the chart back to Grads
        await pilot.pause()
        assert app.active_panel == "gradients"
        assert app.snap.grad_check  # the placeholder "Type a name (/) to see its gradients" showed, though ann was typed


async def test_untrainable_chapters_say_so():
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space", "full_stop", "left_square_bracket")
        await pilot.pause()
        assert app.session.run.step == 0
        assert any("training starts in chapter 6" in n.message for n in app._notifications)
        await pilot.press("space", "space", "space")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == len(set(messages))  # pressed again, the same message is not stacked


async def test_generate_finishes_a_name_in_every_chapter():
    app = PlaygroundApp(chapter=1, speed="instant")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        panel = app.query_one(GeneratePanel)
        for chapter in CHAPTERS:
            assert app.chapter_number == chapter.number
            await pilot.press("g")
            assert panel.steps, f"chapter {chapter.number}: g starts an animation"
            for _ in range(200):
                if not panel.animating:
                    break
                await pilot.pause(0.02)
            name = panel.finished_name
            assert name is not None, f"chapter {chapter.number}: the name was not finished"
            vocab = app.session.run.vocab
            assert panel.steps[-1].token == vocab.end_symbol or len(panel.steps) == 16
            assert all(s.token in vocab.tokens for s in panel.steps)
            assert "name  " + name in text_of(app, "#generate-body")
            await pilot.press("n")


async def test_s_switches_training_between_the_slow_pace_and_full_speed(monkeypatch):
    import tui.app

    beats = []

    class Recorded(TrainingLoop):  # the loop as the app sets it up, asked for its beat before each step
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            asked = self.beat
            self.beat = lambda: beats.append(asked()) or beats[-1]

    monkeypatch.setattr(tui.app, "TrainingLoop", Recorded)
    app = PlaygroundApp(chapter=9, speed="slow")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await wait_until(pilot, lambda: app.session.run.step >= 2, "slow steps")
        await pilot.press("s")  # normal, while it trains: as fast as it goes
        assert app.toast == "Speed normal: names are written at normal speed, and training goes at full speed again."
        steps = app.session.run.step
        await wait_until(pilot, lambda: app.session.run.step > steps + 50, "steps at full speed")
        await pilot.press("space")
        await settle(pilot, app)
    assert beats[0] == 1 / SLOW_STEPS_PER_SECOND and beats[-1] == 0.0
    assert beats == sorted(beats, reverse=True)  # slow until s, full speed from then on


@pytest.mark.parametrize("presses, trains_on", [(2, True), (3, False)])
async def test_space_again_while_a_pause_takes_effect_takes_the_pause_back(presses, trains_on):
    # a double tap (pause, then resume at once) ended paused, as if the second press had not been made
    app = PlaygroundApp(chapter=12, engine="scalar")  # steps of ~10 ms: the pause takes a moment
    async with app.run_test(size=WIDE) as pilot:
        session = app.session
        await pilot.press("space")
        await wait_until(pilot, lambda: session.run.step > 0, "training")
        burst(app, ["space"] * presses)
        await wait_until(pilot, lambda: session.stop_requested or not session.training, "the pause")
        if trains_on:
            await wait_until(pilot, lambda: session.training and not session.stop_requested, "training again")
            step = session.run.step
            await wait_until(pilot, lambda: session.run.step > step + 2, "steps after the pause")
            await pilot.press("space")
        await settle(pilot, app)
        assert not session.training and session.run.step < session.run.steps


@pytest.mark.parametrize("speed, drawn", [("normal", {"LossPanel": 8, "WeightsPanel": 4, "ProbsPanel": 4}),
                                           ("slow", {"LossPanel": 16, "WeightsPanel": 16, "ProbsPanel": 16})])
async def test_while_training_the_panels_redraw_at_their_own_pace(monkeypatch, speed, drawn):
    # every panel redrew with each of the trainer's 20 snapshots a second: ~280 KB/s to send over ssh at 120x40
    import tui.app

    app = PlaygroundApp(chapter=9, speed=speed)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        shows = []
        for panel in (tui.app.LossPanel, tui.app.WeightsPanel, tui.app.ProbsPanel):
            monkeypatch.setattr(panel, "show", lambda self, *a, name=panel.__name__: shows.append(name))
        now = [float(int(tui.app.time.monotonic()) + 10)]  # past every draw before; sixteenths add up exactly
        monkeypatch.setattr(tui.app, "time", SimpleNamespace(monotonic=lambda: now[0]))  # the app's clock alone
        app.session.training = True  # as the trainer thread says it (none runs here)
        for _ in range(16):  # one second of snapshots
            app.render_panels()
            now[0] += 1 / 16
        app.session.training = False
    assert {name: shows.count(name) for name in drawn} == drawn


async def test_r_then_space_while_training_trains_on_and_asks_nothing():
    # space took r's pause back, and r's question then said "Training paused ... r again resets" as training went on
    app = PlaygroundApp(chapter=12, engine="scalar")
    async with app.run_test(size=WIDE) as pilot:
        session = app.session
        await pilot.press("space")
        await wait_until(pilot, lambda: session.run.step > 0, "training")
        burst(app, ["r", "space"])
        await wait_until(pilot, lambda: session.training and not session.stop_requested, "training again")
        step = session.run.step
        await wait_until(pilot, lambda: session.run.step > step + 5, "steps after the pause")
        assert "r again resets" not in app.toast
        await pilot.press("space")
        await settle(pilot, app)
        assert "r again resets" not in app.toast and "r" not in app.questions


def fake_clock_loop(session, beat, budget, tick=0.0):
    """A TrainingLoop on a fake clock, which its naps move and each reading moves by `tick`; returns the seconds it
    took and the snapshots it sent (stopped or not)."""
    now, sent = [0.0], []

    def nap(seconds):
        now[0] += seconds

    def clock():
        now[0] += tick
        return now[0]

    loop = TrainingLoop(session, budget, job_done=None, trained=lambda snap, stopped, note: sent.append(stopped),
                        beat=lambda: beat, ui_busy=lambda: False, cancelled=lambda: False, clock=clock, sleep=nap)
    session.start_training()
    loop.run()
    return now[0], sent


def test_the_slow_speed_takes_a_step_a_beat_and_shows_each_one():
    # chapter 9 trains ~2000 steps a second here: its whole run went by in one second
    beat = 1 / SLOW_STEPS_PER_SECOND
    seconds, sent = fake_clock_loop(Session(get(9)), beat, budget=10)
    assert 9 * beat <= seconds <= 10 * beat  # a beat between two steps
    assert sent == [False] * 10 + [True]  # every step on screen, then the one that says training stopped


def test_at_full_speed_training_never_waits_nor_floods_the_screen():
    session = Session(get(9))
    seconds, sent = fake_clock_loop(session, 0.0, budget=50)
    assert seconds == 0.0 and session.run.step == 50
    assert sent == [True]  # 50 steps in no time (this clock's): no snapshot but the last
    seconds, sent = fake_clock_loop(session, 0.0, budget=1500, tick=0.0005)  # ~1,000 steps a second of its time
    assert session.run.step == 1550 and sent[-1] and sent.count(False) >= 10  # the screen hears of it as it goes...
    assert sent.count(False) <= seconds * 20 + 1  # ...at 20 snapshots a second at most


def test_the_slow_pace_keeps_the_clocks_beat():
    from tui.trainer import next_beat

    beat = 1 / SLOW_STEPS_PER_SECOND
    assert next_beat(0.0, 100.0, beat) == 100.0 + beat  # the first step starts the beat
    # a step that started late (its frame took long to draw) keeps the beat: the next is due one beat after the last
    assert next_beat(100.05, 100.07, beat) == 100.05 + beat
    assert next_beat(100.05, 103.0, beat) == 103.0 + beat  # after a pause: no rush of steps to catch up


async def test_generate_skip_ten_names_temperature_and_speed():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        panel = app.query_one(GeneratePanel)
        await pilot.press("g")
        await pilot.press("g")  # again: straight to the end
        assert not panel.animating and panel.finished_name is not None
        await pilot.press("G")
        assert len(panel.names) == 10 and all(isinstance(n, str) for n in panel.names)
        await pilot.press("g", "G")  # G while a name is being written: the ten take its place, all in sight
        await pilot.pause()
        assert not panel.animating and panel.steps == [] and len(panel.names) == 10
        shown = str(panel.body.content)
        assert "the model says" not in shown and "  ".join(panel.names[-2:]) in shown
        assert app.session.temperature == 0.5
        await pilot.press("T")
        assert app.session.temperature == 0.7 and "T 0.7" in text_of(app, "#status")
        await pilot.press("t", "t")
        assert app.session.temperature == 0.3
        await pilot.press("s")
        assert app.speed == "fast"
        await pilot.click("#generate-ten")
        assert len(panel.names) == 10


async def test_the_temperature_of_a_fair_die_does_not_move():
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("t")
        assert app.session.temperature == 1.0 and app.toast.startswith("A fair die stays fair at every temperature")
        await pilot.press("n", "t")  # chapter 2's scores do sharpen
        assert app.session.temperature == 0.7


async def test_code_help_chart_and_attention_views():
    app = PlaygroundApp(chapter=8)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CodeScreen)
        code = str(app.screen.query_one("#code").text)  # the scalar engine's, the one the story reads
        assert "def token_loss" in code and "+ " in code and "core/chapters/c08_softmax.py" in code
        assert app.screen.query_one("#code-scroll").border_title.endswith("· scalar engine · running here: fast (e)")
        await pilot.press("e")  # the fast engine's, which the playground runs
        code = str(app.screen.query_one("#code").text)
        assert "core/fast/c08_softmax.py" in code and "def log_loss(logits, targets, shares):" in code
        assert app.screen.query_one("#code-scroll").border_title.endswith("· fast engine")
        await pilot.press("e")
        assert "core/chapters/c08_softmax.py" in str(app.screen.query_one("#code").text)
        await pilot.press("question_mark")  # over the code too, and back to it
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help over the code")
        await pilot.press("escape")
        assert isinstance(app.screen, CodeScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, CodeScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("l")
        assert app.loss_expanded and app.query_one("#loss-plot").display
        await pilot.press("l")
        assert not app.loss_expanded
        await pilot.press("a")
        assert not app.attention_on  # chapter 8 has no attention
        for _ in range(4):
            await pilot.press("n")
        assert app.chapter_number == 12
        await pilot.press("a")
        assert app.attention_on and app.query_one("#attention").display
        heads = app.snap.attention
        assert len(heads) == 4 and len(heads[0]) == len("ann") + 1
        assert all(abs(sum(row) - 1) < 1e-12 for row in heads[0])
        assert app.query_one("#attention").border_title == "Attention of the typed name"
        await pilot.press("a", "l", "a")  # with the big chart open, a shows the maps (it toggled them unseen)
        assert app.attention_on and not app.loss_expanded and app.query_one("#attention").display


async def test_the_code_view_names_no_other_engine_when_the_chapter_runs_the_one_shown():
    app = PlaygroundApp(chapter=8, engine="scalar")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("c")
        assert app.screen.query_one("#code-scroll").border_title.endswith("· scalar engine")
        await pilot.press("e")
        assert app.screen.query_one("#code-scroll").border_title.endswith("· fast engine · running here: scalar (e)")


async def test_code_view_marks_what_is_new_and_what_is_replaced():
    from tui.widgets.code_view import code_view

    lines = code_view(8)  # chapter 8: softmax replaces chapter 4's 1 - p
    text = "\n".join(line.plain for line in lines)
    assert "+ def softmax(logits):" in text
    assert "core/chapters/c08_softmax.py" in text
    assert "replaces token_loss() from chapter 4 (loss)" in text
    assert "return 1 - p" in text
    assert "inherited from chapter 7 (backprop)" in text
    # what runs: chapter 3's weights() is shadowed by the autograd's, which the view shows instead
    assert "inherited from core/value.py, class ValueWeights:" in text
    assert 'return {"weights": np.array(self.w)}' not in text
    assert "def gpt(self, context)" not in text and "def numerical_gradients" not in text  # chapter 7 retired them


def test_code_view_shows_the_code_that_runs():
    from tui.widgets.code_view import code_view

    text = "\n".join(line.plain for line in code_view(12))
    # chapter 12's __init__ calls chapter 7's through super(): kept, not marked as replaced
    assert "extends __init__() from chapter 7 (backprop), which it still runs:" in text
    assert "replaces __init__()" not in text
    # the functions inherited code calls: the attention math, from chapter 11's module
    assert "called from above, in chapter 11 (attention):" in text and "def attend(q, keys, values):" in text
    assert "def next_probs" not in text  # chapter 8 retired it: its sampler turns the logits into probabilities
    fast = "\n".join(line.plain for line in code_view(12, "fast"))
    assert "core/fast/c12_gpt.py" in fast and "called from above, in core/fast/ops.py:" in fast
    assert "def attention_backward(dout, q, k, v, att):" in fast
    # up the chain of __init__s that super() runs, to the one that lays out the parameters
    assert "extends __init__() from core/fast/ops.py, which it still runs:" in fast
    # chapter 10 calls chapter 9's init_weights by name: extended, not replaced
    ten = "\n".join(line.plain for line in code_view(10))
    assert "extends init_weights() from chapter 9 (embeddings), which it still runs:" in ten
    assert "replaces init_weights()" not in ten


def test_code_view_shows_what_backprop_retires():
    from tui.widgets.code_view import code_view

    text = "\n".join(line.plain for line in code_view(7))
    assert "retires gpt() from chapter 3 (weights):" in text
    assert "retires numerical_gradients() from chapter 5 (gradients):" in text
    assert "inherited from chapter 5" not in text  # nothing of chapter 5 runs in chapter 7
    assert "inherited from chapter 4 (loss), class Loss:" in text  # 1 - p still does


def test_code_view_shows_the_classes_the_code_builds_on():
    from tui.widgets.code_view import code_view

    text = "\n".join(line.plain for line in code_view(7))
    # chapter 7 is backprop: the Value class it builds on, whole, with the function its backward() calls (new here)
    assert "new in this chapter, in core/value.py:" in text
    assert "+ class Value:" in text and "+     def backward(self):" in text
    assert "+ def topological_order(root: Value) -> list[Value]:" in text
    assert "+ class Parameters(dict):" in text
    # a method reached through its class by name: that method alone, under its class line
    model = text.index("called from above, in core/model.py:")
    assert text[model:].split("\n")[1:4] == ["  class Model:", "      def __init__(self, vocab: Vocab, rng: random.Random):",
                                             "          self.vocab = vocab"]
    assert "    def probs(self, ids" not in text[model:]  # not the rest of the contract
    # the sampler's cache, a class of the fast engine's pieces
    assert "  class KVCache:" in "\n".join(line.plain for line in code_view(12, "fast"))


@pytest.mark.parametrize("engine", ["fast", "scalar"])
async def test_gradients_panel_compares_finite_difference_and_backprop(engine):
    app = PlaygroundApp(chapter=7, engine=engine)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        rows = app.snap.grad_check
        assert len(rows) == 6 and app.snap.grad_note == "h 1e-6 | backprop"
        for _, numerical, backprop in rows:
            assert numerical == pytest.approx(backprop, rel=1e-6, abs=1e-9)
        await pilot.press("p", "p")  # chapter 5: the post's forward difference beside the exact slope
        rows = app.snap.grad_check
        assert rows[0][1] == pytest.approx(-0.04144791378833945)
        assert abs(rows[0][1] - rows[0][2]) > 1e-5
        assert app.snap.grad_note.startswith("EPSILON 0.01")


async def test_small_screen_panels_take_turns():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert app.narrow
        assert app.query_one("#panelbar").display
        await pilot.press("2")
        assert app.active_panel == "weights" and app.query_one("#weights").display
        assert not app.query_one("#probs").display
        await pilot.press("slash")
        assert app.active_panel == "probs" and app.query_one("#probs").display
        await pilot.press("escape", "g")
        assert app.active_panel == "generate" and app.query_one("#generate").display
        await pilot.press("l")
        assert app.active_panel == "loss" and app.query_one("#loss-plot").display
        await pilot.press("l")  # "l: close chart": back to the tab before
        assert app.active_panel == "generate" and not app.query_one("#loss").display
        await pilot.press("l", "1")
        assert app.active_panel == "about" and "6/12 training" in str(app.query_one("#about").content)
        await pilot.click("#panelbar", offset=(15, 0))  # " 1 About  2 Weights ": a click on Weights
        assert app.active_panel == "weights"


async def test_command_palette_lists_the_actions():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.press(*"one training step")
        from textual.command import CommandList

        await wait_until(pilot, lambda: (found := app.screen.query(CommandList)) and found.first().option_count  # the
                         and "One training step" in str(found.first().get_option_at_index(0).prompt),  # search runs
                         "the palette's hit")  # in the background
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.session.run.step == 1, "the palette's training step")


async def test_the_palette_runs_its_commands_from_the_name_box_too():
    app = PlaygroundApp(chapter=6, name="")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"ann")
        assert isinstance(app.focused, NameBox)
        await pilot.press("ctrl+p")
        await pilot.press(*"next chapter")
        from textual.command import CommandList

        await wait_until(pilot, lambda: (found := app.screen.query(CommandList)) and found.first().option_count
                         and "Next chapter" in str(found.first().get_option_at_index(0).prompt), "the palette's hit")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chapter_number == 7, "the palette's next chapter")
        assert app.typed == "ann"


async def test_the_palette_screenshot_saves_in_the_current_folder_or_says_why_not(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # Textual's own went to ~/Downloads: a machine reached over ssh rarely has one
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        screenshot = next(c for c in app.get_system_commands(app.screen) if c.title == "Screenshot")
        screenshot.callback()
        await wait_until(pilot, lambda: app.toast.startswith("Saved a picture"), "the screenshot")
        pictures = list(tmp_path.glob("*.svg"))
        assert len(pictures) == 1 and "<svg" in pictures[0].read_text()
        assert app.toast == f"Saved a picture of the screen to {pictures[0]}"
        gone = tmp_path / "gone"
        gone.mkdir()
        monkeypatch.chdir(gone)
        gone.rmdir()  # a folder no one can write in, root included
        screenshot.callback()
        await wait_until(pilot, lambda: app.toast.startswith("Cannot save"), "the screenshot's error")
        assert app.toast == "Cannot save the picture here: No such file or directory"


async def test_textuals_own_messages_keep_their_markup():
    """Ours are plain text (a path may hold [ and ]); Textual's own come with a title, written in markup (a
    screenshot delivered to a browser)."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        app.notify("Saved [b]screen.svg[/b]", title="Screenshot saved")
        app.notify("[/] is a fine name for a file")
        await pilot.pause()
        shown = {n.message: n for n in app._notifications}
        hint = next(n for n in shown.values() if n.title == "Screenshot saved")
        assert hint.markup and "[b]" in hint.message
        assert not shown["[/] is a fine name for a file"].markup


async def test_the_palette_maximize_says_how_to_leave_and_esc_leaves():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        app.query_one(WeightsPanel).focus()
        await pilot.pause()
        maximize = next(c for c in app.get_system_commands(app.screen) if c.title == "Maximize")
        assert "Esc" in maximize.help
        maximize.callback()
        await pilot.pause()
        assert app.screen.maximized is not None and app.toast == "Esc brings back the other panels."
        await pilot.press("escape")
        assert app.screen.maximized is None
        app.query_one(ChapterList).focus()  # where the playground starts: the list alone would show nothing more
        await pilot.pause()
        assert "Maximize" not in [c.title for c in app.get_system_commands(app.screen)]


async def test_the_palette_jumps_to_a_chapter_and_the_old_chapters_toasts_go():
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        commands = {description: action for description, action, *_ in PlaygroundCommands(app.screen).commands()}
        assert commands["Chapter 11: Attention"] == "chapter(11)"
        assert len([c for c in commands if c.startswith("Chapter ")]) == 12
        app.notify("Nudge taken back: the weight of 'i' went below 0")
        await pilot.pause()
        await app.run_action(commands["Chapter 11: Attention"])
        await pilot.pause()
        assert app.chapter_number == 11 and not app._notifications


async def test_the_palette_lists_quit_once_with_its_key():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" not in titles and "Screenshot" in titles  # Textual's own Quit would repeat the playground's
        assert "Theme" not in titles  # the panels keep their 256 colours: a theme would change only the frame
        assert "Keys" not in titles  # ? is the one list of keys
        commands = {c[0]: c[2] for c in PlaygroundCommands(app.screen).commands()}
        assert commands["Quit"] == "key: q"
        assert commands["One training step"] == "key: ." and commands["Lower the learning rate"] == "key: ["  # as the footer
        assert commands["Save the session to a file"] == "key: ctrl+s"  # as the help writes it
        assert "Show the Weights panel" not in commands  # every panel is on a wide screen


async def test_the_palette_of_a_small_screen_lists_its_panels():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        commands = {c[0]: c[1:3] for c in PlaygroundCommands(app.screen).commands()}
        assert commands["Show the Attention panel"] == ("panel(6)", "key: 6")
        assert commands["Show the Weights panel"] == ("panel(2)", "key: 2")
        await app.run_action(commands["Show the Attention panel"][0])
        assert app.active_panel == "attention"


async def test_q_quits():
    app = PlaygroundApp()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_q_asks_first_while_training_is_not_saved(tmp_path):
    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.toast.startswith("q again quits; not saved: chapter 6 (2 steps)")
        await pilot.press("ctrl+s")
        field = app.screen.query_one("#path")
        field.value = str(tmp_path / "six.json")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.session.unsaved_steps == 0
        await pilot.press("full_stop")  # one step since the save: that is what would be lost
        for _ in range(100):
            await pilot.pause(0.05)
            if app.session.run.step == 3 and not app.session.training:
                break
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.toast.startswith("q again quits; not saved: chapter 6 (1 step).")
        await pilot.press("ctrl+s")
        await pilot.press("enter")  # the same file again
        await settle(pilot, app)
        await pilot.press("q")  # saved: q quits at once
        await pilot.pause()
        assert not app.is_running


async def test_q_says_where_ctrl_s_saves_an_unsaved_chapter(monkeypatch):
    import tui.app

    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("p", "q")  # chapter 5 has nothing to save: ctrl+s there would not save chapter 6
        await pilot.pause()
        assert app.toast == "q again quits; not saved: chapter 6 (2 steps). ctrl+s saves a chapter on its own screen."
        monkeypatch.setattr(tui.app, "CONFIRM_SECONDS", 1.0)
        app.NOTIFICATION_TIMEOUT = 1.0
        await pilot.resize_terminal(60, 20)  # ctrl+s does nothing here: the note says where it does
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen")
        app.questions.clear()  # q's first question is over
        await pilot.press("q")
        note = app.screen.query_one("#too-small-note")
        assert "At 80x24 or more, ctrl+s saves a chapter" in str(note.content)  # said at once, however busy
        await wait_until(pilot, lambda: str(note.content) == "", "the note gone with q's question")
        await pilot.press("q")  # the question is over, as the note said: it asks again
        await pilot.pause()
        assert app.is_running


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's log(0): the test checks what the playground says
async def test_one_step_that_breaks_the_numbers_is_undone_and_said():
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.session.set_lr(1e100)  # past the [ ] ladder: logits near 1e200 after the update
        weights = app.session.run.model.weights()
        await pilot.press("full_stop")
        await wait_until(pilot, lambda: app.toast.startswith("training stopped"), "the runaway's message")
        assert app.session.run.step == 0 and app.toast.startswith("training stopped at step 1: the loss after its update")
        assert all(np.array_equal(w, weights[k]) for k, w in app.session.run.model.weights().items())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
async def test_a_huge_chapter_8_weight_keeps_its_row_and_the_grads_say_why_there_is_no_slope():
    app = PlaygroundApp(chapter=8, name="ann")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.session.model.set_weight("weights", (5,), 5166.5717)  # 80 presses of + on '.'
        app.request_snapshot()
        # was cut: "+5166.571"
        await wait_until(pilot, lambda: text_of(app, "#weights-body").splitlines()[-1].endswith(" +5166.6"), "+5166.6")
        app.session.model.set_weight("weights", (5,), 176666666.62)
        app.request_snapshot()
        # was "+1.7667e+0"
        await wait_until(pilot, lambda: text_of(app, "#weights-body").splitlines()[-1].endswith(" +1.77e+08"), "+1.77e+08")
        grads = str(app.query_one("#gradients-body").render())
        assert "The loss of 'ann' is inf: a probability came out exactly 0" in grads and "nan" not in grads


async def test_at_a_toy_models_limit_the_message_says_r_starts_again():
    # chapter 6 at rate 5 reaches a weight below 0; back at 0.1 it went one step and stopped again: only r helps
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.session.set_lr(5.0)
        await pilot.press("space")
        await settle(pilot, app)
        assert "training stopped at step" in app.toast
        assert app.toast.endswith("; r twice starts the run again: at this chapter's default rate, 0.1, it goes further")


def test_a_held_out_loss_that_is_not_a_number_makes_no_point_on_the_chart(monkeypatch):

    session = Session(get(9))
    monkeypatch.setattr(session.run.model, "loss", lambda ids: float("inf"))
    assert session.validate() == float("inf") and session.val == []


async def test_one_step_or_a_nudge_shows_the_held_out_loss_of_the_weights_on_screen():
    """The held-out loss stayed the one training stopped at: after . or + the panel showed other weights' number."""
    app = PlaygroundApp(chapter=9, step_budget=30)
    async with app.run_test(size=WIDE) as pilot:
        run = app.session.run

        def own() -> float:
            return math.fsum(map(run.model.loss, run.heldout[:100])) / 100

        def shown() -> str:
            return str(app.query_one(LossPanel).summary.content)

        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("full_stop", "full_stop")
        await wait_until(pilot, lambda: run.step == 32 and app.session.val[-1] == (32, own()), "two steps")
        await wait_until(pilot, lambda: f"held-out {own():.4f}" in shown(), "their held-out loss")
        app.query_one(WeightsPanel).focus()
        await pilot.press(*["plus"] * 20)
        await wait_until(pilot, lambda: f"held-out {own():.4f}" in shown(), "the nudged weights' held-out loss")
        assert app.session.val[-1] == (32, own())
        nine = app.session
        await pilot.press("minus", "n", "full_stop")  # a step in chapter 10 at once: chapter 9's pass still comes
        await wait_until(pilot, lambda: app.session.val and app.session.val[-1][0] == 1, "chapter 10's step")
        assert nine.val[-1] == (32, own())
    app.validate_now(app.session)  # a pass whose wait ends as the playground quits (CI caught one): no error


async def test_the_probabilities_say_they_are_at_t_1_when_generate_draws_at_another_temperature():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        panel = app.query_one(ProbsPanel)
        await wait_until(pilot, lambda: panel.border_title == "Probabilities, % · at T 1 (g draws at T 0.5)", "T 0.5")
        await pilot.press("T", "T")
        await wait_until(pilot, lambda: panel.border_title == "Probabilities, %", "T 1: nothing to tell apart")


async def test_a_chapter_switch_says_the_step_its_training_paused_at():
    """The step under way when p came still counted: the message said one step fewer than the chapter showed."""
    import threading

    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        run = app.session.run
        real, started, go = run.train_step, threading.Event(), threading.Event()

        def held_step():  # the third step is under way when p comes, and ends after it
            if run.step == 2:
                started.set()
                go.wait(10)
            return real()

        run.train_step = held_step
        await pilot.press("space")
        await wait_until(pilot, started.is_set, "a third step under way")
        await pilot.press("p")
        go.set()
        await wait_until(pilot, lambda: app.toast.startswith("Chapter 9 paused at step "), "the pause")
        assert run.step == 3 and app.toast == "Chapter 9 paused at step 3; its training is kept."


async def test_random_keys_never_raise():
    """A monkey at the keyboard: random keys across chapters on a small screen; every error would be reported."""
    import random

    rng = random.Random(7)
    keys = list("npgGtTwcla?/+-.r123456xE!") + ["space", "left_square_bracket", "right_square_bracket", "up",
                                                  "down", "left", "right", "escape", "tab", "enter"]
    app = PlaygroundApp(chapter=5, step_budget=20, speed="instant")
    errors = []
    app.report = errors.append
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for _ in range(60):
            await pilot.press(rng.choice(keys))
        await settle(pilot, app)
        assert app.is_running
    assert errors == []


async def test_chapter_12_in_the_playground_is_microgpt():
    """1000 steps with space, then G: microgpt's first ten names (the held-out tenth is never reached by then)."""
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:  # the About panel: training runs at full speed
        await pilot.pause()
        await pilot.press("space")
        await settle(pilot, app, timeout=60)
        assert app.session.run.step == 1000
        steps = [step for step, _ in app.session.val]
        assert len(steps) >= 3 and steps == sorted(steps), "the held-out loss is measured again as training goes"
        run = app.session.run  # where training stopped, the held-out loss is the final weights' own, every time
        assert app.session.val[-1] == (1000, math.fsum(map(run.model.loss, run.heldout[:100])) / 100)
        await pilot.press("G")
        names = app.query_one(GeneratePanel).names
        assert names == ["anir", "lanen", "mamian", "sharia", "anelin", "enikey", "mara", "alela", "amuset", "carie"]


async def test_keys_at_a_limit_say_so():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.press(*["right_square_bracket"] * 20, *["t"] * 12)
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "Chapter 12 is the last: the whole GPT." in messages
        assert "The learning rate is at its highest here: 5." in messages
        assert "The temperature is at its lowest here: 0.1." in messages
        assert app.chapter_number == 12 and app.session.run.config.lr == 5.0 and app.session.temperature == 0.1


async def test_the_learning_rate_keys_come_back_to_the_chapters_own_rate():
    """Chapter 11's 0.3 was not on the ladder: [ then ] gave 0.2, then 0.5 (where its loss blows up)."""
    app = PlaygroundApp(chapter=11)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: app.session.run.config.lr == 0.2, "one down")
        await pilot.press("right_square_bracket")
        await wait_until(pilot, lambda: app.session.run.config.lr == 0.3, "the chapter's own again")
    session = Session(get(11), run=PlaygroundRun(RunConfig(11, lr=0.03)))  # --lr 0.03, or a session saved with it
    assert [session.lr_step(-1), session.lr_step(1)] == [0.02, 0.03]


async def test_a_burst_of_rate_keys_leaves_one_message_not_a_stack():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        app.session.run.step = app.session.run.steps  # the schedule has decayed the rate to 0: each key says so
        await pilot.press(*["right_square_bracket"] * 6)
        await wait_until(pilot, lambda: app.toast.startswith("Learning rate 1, but"), "the last")
        await pilot.pause()
        assert [n.message for n in app._notifications if "rate" in n.message] == [app.toast]


async def test_a_click_on_the_title_takes_no_rows_from_the_panels():
    from textual.widgets import Header

    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.click(Header, offset=(40, 0))  # Textual's header grows to three rows on a click
        await pilot.pause()
        assert app.query_one(Header).has_class("-tall") and app.query_one(Header).size.height == 1


async def test_without_colour_the_heatmap_marks_its_negative_weights(monkeypatch):
    """NO_COLOR turns the scale grey: a blue and a red of one brightness came out the same, the sign lost."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        wte = app.snap.weights["wte"]
        row = app.query_one(WeightsPanel).body.text.plain.splitlines()[1]  # b's row, after its label
        assert [mark == "-" for mark in row[4::2][:16]] == [bool(w < 0) for w in wte[1, :16]]
    monkeypatch.delenv("NO_COLOR")
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:  # in colour, the colours say it
        await pilot.pause()
        assert "-" not in app.query_one(WeightsPanel).body.text.plain.splitlines()[1]


async def test_the_chart_or_the_maps_stay_open_across_the_small_screens_edge():
    """The chart open at the switch was left behind (the small screen showed Weights) and Esc then opened its tab."""
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("l")
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.narrow and app.active_panel == "loss", "the chart as the Loss tab")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.active_panel != "loss" and not app.loss_expanded, "closed")
        await pilot.press("escape")
        await pilot.pause()
        assert app.active_panel != "loss"  # Esc again: nothing opens
        await pilot.resize_terminal(*WIDE)
        await pilot.press("a")
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.narrow and app.active_panel == "attention", "the maps as their tab")
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: not app.narrow and app.query_one("#attention").display, "the maps, wide")
        await pilot.resize_terminal(*SMALL)
        await pilot.press("4")  # the Loss tab, its chart: wide, the big chart
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: not app.narrow and app.loss_expanded, "the big chart")
        await pilot.press("l", "a")  # closed there, and the maps opened: small, the maps' tab, and Esc goes back
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.narrow and app.active_panel == "attention", "the maps' tab")
        await pilot.press("escape")  # to a tab, not to the Loss tab left from before
        await wait_until(pilot, lambda: app.active_panel == "weights", "the weights")
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: not app.narrow and not app.loss_expanded and not app.attention_on, "wide")
        await pilot.press("a", "escape")  # opened and closed wide: not back on the next small screen
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.narrow, "small")
        assert app.active_panel == "weights"
        await pilot.resize_terminal(*WIDE)
        await pilot.press("a", "slash", "b")  # the maps open while a name is typed: a small screen shows the name,
        await pilot.resize_terminal(*SMALL)   # and wide again the maps are back
        await wait_until(pilot, lambda: app.narrow and app.active_panel == "probs", "the name")
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: not app.narrow and app.query_one("#attention").display, "the maps again")


async def test_a_tall_screen_gives_the_loss_panel_rows_too():
    """The weights and the probabilities took every row past 120x40's, mostly blank; the loss's sparkline kept 4."""
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        loss = app.query_one("#loss")
        await wait_until(pilot, lambda: loss.outer_size.height == 8, "8 rows at 120x40")
        await pilot.resize_terminal(160, 60)
        await wait_until(pilot, lambda: loss.outer_size.height >= 8 + 20 // 2 - 1, "half the 20 rows more")
        tall = loss.outer_size.height
        await pilot.press("l")  # the big chart still takes the whole column
        await wait_until(pilot, lambda: loss.outer_size.height > 40, "the big chart")
        await pilot.press("l")
        await wait_until(pilot, lambda: loss.outer_size.height == tall, "back")
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=(160, 60)) as pilot:  # the attention maps fill their rows: the loss keeps 8
        loss = app.query_one("#loss")
        await wait_until(pilot, lambda: loss.outer_size.height > 12, "a tall loss panel")
        await pilot.press("a")
        await wait_until(pilot, lambda: loss.outer_size.height == 8, "8 rows beside the maps")


async def test_a_click_on_a_weight_selects_it_even_scrolled():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2")
        panel = app.query_one(WeightsPanel)
        await pilot.click(panel.body, offset=(4 + 2 * 3, 5))  # a row's label is 4 wide, then a cell is 2
        await wait_until(pilot, lambda: app.session.cursor == (5, 3) and app.focused is panel, "row 5, column 3")
        await pilot.press(*["down"] * 26)  # to the last row: the rows scroll up
        await wait_until(pilot, lambda: panel.scroll.scroll_y > 0, "scrolled")
        top = round(panel.scroll.scroll_y)
        await pilot.click(panel.scroll, offset=(4, 0))
        await wait_until(pilot, lambda: app.session.cursor == (top, 0), "the row at the top of the view")
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.click(app.query_one(WeightsPanel).body, offset=(8, 4))
        await wait_until(pilot, lambda: app.session.cursor == (4,), "the fifth weight")


async def test_before_any_step_no_gradient_is_shown_as_a_number():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        text = app.query_one("#weights-info").text.plain
        assert "gradient: none until a step" in text and "+0.0000" not in text
        await pilot.press("full_stop")
        await wait_until(pilot, lambda: "(last step)" in app.query_one("#weights-info").text.plain, "the step's gradient")


async def test_the_status_bar_scores_the_name_up_to_a_character_outside_the_vocabulary():
    app = PlaygroundApp(chapter=4, name="isabella")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        status = str(app.query_one("#status").content)
        assert "loss of 'i' " in status and "'isabella'" not in status


async def test_below_80x24_a_screen_says_so_until_the_terminal_grows():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "at least 80x24; this one is 60x20" in str(app.screen.query_one("#too-small").content)
        await pilot.press("ctrl+p")  # the palette would run actions out of sight
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen) and app.narrow
        await pilot.resize_terminal(79, 30)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


@pytest.mark.parametrize("small", [(40, 12), (60, 20)])
async def test_a_wide_terminal_shrunk_below_80x24_lays_out_nothing_until_it_grows(small, monkeypatch):
    """Under the too-small screen the wide layout, squeezed to a few columns, laid itself out for ever: the Generate
    panel's scrollbar came and went 60 times a second (a quarter of a core, 50-100 KB/s over ssh)."""
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.query_one(WeightsPanel).focus()
        await pilot.resize_terminal(*small)
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen")
        await pilot.pause(0.3)
        resizes = []
        real = events.Resize.__init__
        monkeypatch.setattr(events.Resize, "__init__", lambda self, *a, **kw: resizes.append(1) or real(self, *a, **kw))
        await pilot.pause(0.5)
        assert resizes == []
        monkeypatch.undo()
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: not isinstance(app.screen, TooSmallScreen) and app.query_one("#probs").display,
                         "the playground again")
        await wait_until(pilot, lambda: "ann" in text_of(app, "#probs-body"), "the probabilities drawn again")
        assert isinstance(app.screen.focused, WeightsPanel)  # hidden meanwhile, it had lost the focus to the list
        await pilot.resize_terminal(*small)
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen again")
        await pilot.resize_terminal(*SMALL)  # back at a size where the panels take turns
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0] and app.narrow, "the small layout")
        focused = app.screen.focused
        assert focused is not None and all(node.display for node in focused.ancestors_with_self if node is not app.screen)
        await pilot.press("3", "slash")  # typing a name when the terminal shrinks: the box is still open after
        await pilot.resize_terminal(*small)
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen), "the too-small screen, typing")
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0], "the playground, typing")
        await pilot.press("x")
        await wait_until(pilot, lambda: app.typed == "annx", "the x in the box")


async def test_dialogs_opened_and_closed_leave_nothing_behind():
    """Each close recomposed the footer, whose old keys stayed bound to it: ~0.5 MB a dialog, without end."""
    import gc

    from textual.widgets._footer import FooterKey

    def footer_keys() -> int:
        gc.collect()
        return sum(isinstance(o, FooterKey) for o in gc.get_objects())

    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        for round in range(6):
            for key in ("question_mark", "c", "ctrl+s", "d"):
                await pilot.press(key)
                await wait_until(pilot, lambda: app.screen is not app.screen_stack[0], f"{key}'s screen")
                await pilot.press("escape")
                await wait_until(pilot, lambda: app.screen is app.screen_stack[0], f"{key}'s screen closed")
            await pilot.pause()
            if round == 1:
                settled = footer_keys()
        assert footer_keys() == settled  # four rounds of four dialogs later


async def test_below_80x24_keys_do_nothing_out_of_sight_and_q_asks_on_the_screen_itself():
    app = PlaygroundApp(chapter=6, step_budget=3)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        app.notify("Saved chapter 6 at step 3 to a/rather/long/path.json")  # a toast, then the terminal shrinks
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert not app._notifications
        await pilot.pause()
        await pilot.press("s", "s", "n", "space")  # speed, next chapter, train: none of it runs out of sight
        await pilot.pause()
        assert app.speed == "normal" and app.chapter_number == 6 and app.session.run.step == 3
        assert not app._notifications
        await pilot.press("q")  # 3 steps not saved: the question is on the screen, in lines that fit
        await pilot.pause()
        note = str(app.screen.query_one("#too-small-note").content)
        assert isinstance(app.screen, TooSmallScreen) and "q again quits; not saved: chapter 6 (3 steps)" in note
        assert not app._notifications
        await pilot.press("ctrl+c")  # as q
        await pilot.pause()
    assert not app.is_running


async def test_help_opens_clear_of_toasts():
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")  # "Chapter 1 does not train..."
        assert app._notifications
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app._notifications


def test_help_underlines_its_headings_not_the_blank_beside_them():
    from rich.console import Console

    from tui.widgets.help_screen import KEYS, help_table

    console = Console(width=80)
    underlined = [seg.text for seg in console.render(help_table()) if seg.style and seg.style.underline]
    assert underlined == [group for group, _ in KEYS]  # a trailing run of underlined spaces reached the scrollbar


def test_help_lists_every_key_of_the_playground():
    # two lists, the bindings and the help's groups: a key added to one only was a key no one could find
    from tui.app import KEYS as BINDINGS, PANEL_KEYS
    from tui.widgets.help_screen import KEYS

    shown = {"full_stop": ".", "left_square_bracket": "[", "right_square_bracket": "]", "plus": "+", "minus": "-",
             "slash": "/", "question_mark": "?", "escape": "Esc"}
    cells = [key for _, keys in KEYS for key, _ in keys]
    words = {word for cell in cells for word in cell.split()}  # "n / p": n, /, p
    for key, *_ in BINDINGS:
        first = key.split(",")[0]
        assert shown.get(first, first) in words, f"{key} is not in the help"
    assert "1-6" in cells and len(PANEL_KEYS) == 6


def burst(app, keys: list[str]) -> None:
    """Keys that arrive in one read from the terminal (a paste, a quick typist over ssh): all queued before any runs.
    Textual reads Esc and a letter in one read as alt+letter ("alt+shift+p" for P)."""
    for key in keys:
        plain = key.removeprefix("alt+").removeprefix("shift+")
        character = {"slash": "/", "escape": "\x1b"}.get(key, plain if len(plain) == 1 else None)
        app.post_message(events.Key(key, character.upper() if "shift+" in key else character))


@pytest.mark.parametrize("size", [WIDE, SMALL])
async def test_a_name_typed_in_the_same_burst_as_slash_goes_into_the_box(size):
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=size) as pilot:
        burst(app, ["slash", *"nina"])  # n alone would open chapter 7
        await pilot.pause()
        await pilot.pause()
        assert app.query_one("#name").value == "nina"  # it replaced "ann", as typing after / does
        assert app.chapter_number == 6


@pytest.mark.parametrize("keys, name", [
    (["slash", *"nina", "backspace"], "nin"),  # Backspace ran first, on the selected "ann": "nina"
    (["slash", *"xy", "ctrl+u", *"bo", "left", "b"], "bbo"),
    # in the box already: its bindings ran from the app, behind the letters typed after them ("" here)
    (["x", "y", "ctrl+u", "b", "backspace", "c"], "c"),
])
async def test_editing_keys_in_one_burst_run_in_order(keys, name):
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        if keys[0] != "slash":
            await pilot.press("slash")
        burst(app, keys)
        for _ in range(3):
            await pilot.pause()
        assert app.query_one("#name").value == name


@pytest.mark.parametrize("leave", ["enter", "escape"])
async def test_a_key_right_behind_enter_in_the_name_box_is_a_command_again(leave):
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        burst(app, ["slash", *"nina", leave, "n"])  # the n once went into the box: "ninan"
        for _ in range(3):
            await pilot.pause()
        assert app.query_one("#name").value == "nina"
        assert app.chapter_number == 7


@pytest.mark.parametrize("keys", [["escape", "n"], ["alt+n"]])
async def test_a_key_queued_behind_esc_in_the_name_box_is_a_command(keys):
    """Over a slow link Esc and the key behind it arrive together: as two keys, or read by Textual as alt+key."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"bob")
        burst(app, keys)  # out of the box, then chapter 7
        await pilot.pause()
        assert app.query_one("#name").value == "bob" and app.chapter_number == 7


async def test_esc_and_the_next_key_in_one_read_are_two_keys_not_alt():
    app = PlaygroundApp(chapter=7)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # Esc, then P: no binding, nothing typed anywhere; Esc (nothing to close), then p: the previous chapter
        burst(app, ["alt+shift+p", "alt+p"])
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and app.chapter_number == 6


async def test_the_footer_in_the_name_box_offers_the_way_out_not_keys_that_type_letters():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        async def footer() -> list[str]:
            await pilot.pause()  # the footer composes its keys again after a change of focus
            return [str(key.render()) for key in app.screen.query("FooterKey")]

        assert {"n Next", "/ Name"} <= set(await footer())
        await pilot.press("slash")
        keys = await footer()
        assert keys[0] == "esc Leave the box" and not any(k in " ".join(keys) for k in ("Next", "Name")), keys
        await pilot.click("FooterKey")  # its key works from the footer too
        assert not isinstance(app.focused, Input) and "n Next" in await footer()


@pytest.mark.parametrize("leave", ["enter", "escape"])
async def test_enter_or_esc_leaves_the_name_box(leave):
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"bob", leave)
        assert not isinstance(app.focused, Input)
        await pilot.press("n")
        assert app.query_one("#name").value == "bob" and app.chapter_number == 7


async def test_a_path_typed_in_the_same_burst_as_ctrl_s_goes_into_the_prompt():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        burst(app, ["ctrl+s", *"abc"])  # from the name box: the keys once went into the name
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, FilePrompt)
        assert app.screen.query_one("#path").value == "abc"  # it replaced the proposed path
        assert app.query_one("#name").value == "ann"
        await pilot.press("escape")
        burst(app, ["ctrl+o", *"xyz", "backspace", "ctrl+u", *"ab", "backspace"])  # the editing keys in order too
        for _ in range(3):
            await pilot.pause()
        assert isinstance(app.screen, FilePrompt) and app.screen.query_one("#path").value == "a"
        await pilot.press("ctrl+s", "ctrl+o")  # they run before any box sees them, but not over a dialog
        assert len(app.screen_stack) == 2


async def test_a_long_name_keeps_whole_rows_beside_the_scrollbar():
    """At 80x24 a 16-letter name scrolls: its rows were drawn as wide as the panel, and the scrollbar cut "other 81"
    to "other 8", a wrong number that looked right."""
    app = PlaygroundApp(chapter=9, name="christopherjames")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        scroll = app.query_one("#probs-scroll")
        assert scroll.max_scroll_y > 0  # it does scroll
        rows = [line for line in text_of(app, "#probs-body").splitlines() if " other " in line]
        assert len(rows) == 16
        assert max(len(row.rstrip()) for row in rows) <= scroll.scrollable_content_region.width


async def test_the_small_loss_chart_names_its_lines_held_out_too():
    app = PlaygroundApp(chapter=9, step_budget=40)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("4")
        await pilot.pause()
        assert app.session.val  # a held-out line is drawn: the label is longest, and was dropped as too wide
        assert "gray each · orange mean · • held-out · blue fair die" in app.query_one("#loss-plot").plt.build()


async def test_the_small_loss_chart_says_when_a_point_stands_for_several_steps():
    from core.run import LossHistory

    app = PlaygroundApp(chapter=9, step_budget=20)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        merged = LossHistory(capacity=8)  # as 2,048 points merge in a long run: here 20 steps, 4 a point
        for loss in app.session.run.history.values():
            merged.append(loss)
        app.session.run.history = merged
        await pilot.press("4")
        await pilot.pause()
        assert "gray per 4 steps, orange mean" in app.query_one("#loss-plot").plt.build()


@pytest.mark.parametrize("step, shown", [(5864, "step 5864 "), (20830, "step 20830 ")])
async def test_the_status_bar_keeps_the_speed_and_the_running_mark_past_the_plan(step, shown):
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        session = app.session
        session.run.step, session.steps_per_second = step, 343.0  # trained on far past the planned 2000
        session.run.history.append(2.147)
        bar = app.query_one(StatusBar)
        session.training = True  # as the trainer thread says it (none runs here)
        bar.show(session, session.snapshot())
        session.training = False
        text = str(bar.content)  # 5 digits: "... │ lr 0.5 │ 18" was cut in the speed, the one place it is shown
        assert shown in text and "343 steps/s" in text and text.rstrip().endswith("●")
        assert len(text) <= SMALL[0]


async def test_the_status_bar_past_the_plan_fits_80_columns_when_paused_too():
    # paused, nothing gave way: "step 2016 (2000 planned) │ step loss 114.2944 │ lr 0.1 │ T 1 │" was cut mid-field
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        session = app.session
        session.run.step = 2016
        session.run.history.append(114.2944)
        bar = app.query_one(StatusBar)
        bar.show(session, session.snapshot())
        text = str(bar.content)
        assert len(text) <= SMALL[0] and "step loss 114.2944" in text and "lr 0.5" in text
        assert text.rstrip().endswith(("T 1", "fast")) and "step 2016 (" in text  # whole fields only


async def test_a_chapter_switch_forgets_r_s_question_with_its_toast():
    app = PlaygroundApp(chapter=8)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("plus", "r")
        await pilot.pause()
        assert app.toast.startswith("r again resets chapter 8")
        await pilot.press("n", "p", "r")  # the question went with its toast: r asks again
        await pilot.pause()
        assert app.session.nudged and app.toast.startswith("r again resets chapter 8")


async def test_the_status_bar_fits_each_new_width():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        bar = app.query_one(StatusBar)
        assert "[ ]" in str(bar.content) and str(bar.content).rstrip().endswith("scalar engine")  # roomy: key hints
        await pilot.resize_terminal(*SMALL)
        await wait_until(pilot, lambda: "[ ]" not in str(bar.content), "the small screen's status")
        assert str(bar.content).rstrip().endswith("scalar engine")
        await pilot.resize_terminal(*WIDE)
        # the hints again, not the small screen's short line
        await wait_until(pilot, lambda: "[ ]" in str(bar.content), "the roomy status")


@pytest.mark.parametrize("name", ["ann", "leia"])
async def test_chapter2_names_do_not_depend_on_the_typed_name(name):
    """Chapter 2's model rolls its scores from the run's generator: the probabilities panel must not use up the
    draws G samples with, or the names would change with what is typed (and differ from the CLI's)."""
    app = PlaygroundApp(chapter=2, seed=1, name=name)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert len(app.snap.probs) == len(name) + 1  # the panel did roll its own numbers
        expected_run = Run(RunConfig(2, seed=1))
        expected = [expected_run.sample(app.session.temperature) for _ in range(10)]
        await pilot.press("G")
        await pilot.pause()
        assert app.query_one(GeneratePanel).names == expected


async def test_chapter2_panels_do_not_show_the_die_g_rolls_next():
    """"Another call, other scores": the scores on the panels are not the ones g's first token is drawn from."""
    app = PlaygroundApp(chapter=2, seed=1, name="")
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.snap.logits, "the scores")
        shown = app.snap.probs[0]
        first_die = Run(RunConfig(2, seed=1)).model.next_probs([])
        assert len(shown) == len(first_die) == 6 and shown != first_die


async def test_r_pressed_again_after_the_window_asks_again(monkeypatch):
    import tui.app

    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        monkeypatch.setattr(tui.app, "CONFIRM_SECONDS", 0)  # every question is over before the next key
        await pilot.press("r", "r")
        await settle(pilot, app)
        assert app.session.run.step == 2 and "2 trained steps not saved would be lost" in app.toast
        monkeypatch.setattr(tui.app, "CONFIRM_SECONDS", 60)
        await pilot.press("r", "r")
        await settle(pilot, app)
        assert app.session.run.step == 0


async def test_names_drawn_after_a_nudge_say_the_weights_were_nudged():
    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        panel = app.query_one(GeneratePanel)
        app.query_one(WeightsPanel).focus()
        await pilot.press("plus", "G", "g", "g")  # the model is step 2's no longer: it says so
        await wait_until(pilot, lambda: "by the model at step 2, nudged by hand" in str(panel.body.content), "G")
        assert "the model says (T 1, step 2, nudged by hand)" in str(panel.body.content)
        await pilot.press("full_stop", "G")  # a step since: the model is step 3's
        await wait_until(pilot, lambda: "by the model at step 3" in str(panel.body.content), "G after a step")
        assert "step 3, nudged" not in str(panel.body.content)


def test_a_nudge_taken_back_leaves_the_weights_not_set_by_hand():
    session = Session(get(6))
    with pytest.raises(Exception, match="Nudge taken back"):
        session.nudge("weights", (4,), -1.0)  # n below 0
    assert session.model_at() == "step 0" and not session.nudged


async def test_r_says_whether_the_steps_are_saved_and_clears_the_names(tmp_path):
    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("G")
        await pilot.pause()
        panel = app.query_one(GeneratePanel)
        assert len(panel.names) == 10
        assert "ten names at T 1, by the model at step 2" in str(panel.body.content)  # training on leaves them
        await pilot.press("g", "g")  # one name says its model's step too
        await pilot.pause()
        assert "the model says (T 1, step 2)" in str(panel.body.content)
        await pilot.press("r")
        await settle(pilot, app)
        assert "2 trained steps not saved would be lost" in app.toast
        await pilot.press("ctrl+s")
        path = tmp_path / "six.json"
        app.screen.query_one("#path").value = str(path)
        await pilot.press("enter")
        await settle(pilot, app)
        app.questions.clear()  # else the next r answers the first r's question (it resets without asking again)
        await pilot.press("r")
        await settle(pilot, app)
        assert f"its 2 steps are saved in {path} (ctrl+o opens them again)" in app.toast
        await pilot.press("r")
        await settle(pilot, app)
        assert app.session.run.step == 0 and panel.names == [] and "ten names" not in str(panel.body.content)
        assert [n.message for n in app._notifications] == ["Chapter 6 reset to its first weights."]  # no stale question
        await pilot.press("ctrl+s")
        assert list(app._notifications) == []  # nothing covers the path box
        await pilot.press("escape", "r")
        # the same message again is shown again (clearing forgot it)
        assert [n.message for n in app._notifications] == ["Chapter 6 reset to its first weights."]
        await pilot.press("plus", "r")
        await settle(pilot, app)
        assert "nudged weights not saved would be lost" in app.toast  # not only steps count as work


async def test_generate_panel_redraws_to_its_width_after_a_resize():
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("g", "g")
        await pilot.pause()
        panel = app.query_one(GeneratePanel)
        before = str(panel.body.content)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.resize_terminal(*WIDE)
        for _ in range(3):
            await pilot.pause()
        assert str(panel.body.content) == before
        assert "(T 1)" in before  # the temperature the name was drawn at


async def test_weights_panel_says_tab_until_the_arrows_work():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        panel = app.query_one(WeightsPanel)
        assert not panel.has_focus and panel.border_subtitle == "w 1/9 · tab, arrows · +/- nudge"
        panel.focus()
        await pilot.pause()
        assert panel.border_subtitle == "w 1/9 · arrows · +/- nudge"
        await pilot.press("down")
        assert app.session.cursor == (1, 0)


def test_probability_rows_keep_their_columns_for_any_loss():
    """After a divergence a loss can pass 100 and a probability reach 1: the rows' columns must not move."""
    from rich.console import Console

    from tui.widgets.probs_panel import render_probs

    session = Session(get(12))
    snap = session.snapshot()
    v = len(session.run.vocab)
    certain = [1.0 if i == 0 else 0.0 for i in range(v)]  # all on "a"
    snap.probs = [certain, certain, certain, certain]
    snap.losses = [0.0, 108.84, 12345.6, math.inf]
    rows = [line.plain for line in render_probs(session, snap, 80, Console(width=80))][2:6]
    assert len({len(row) for row in rows}) == 1, rows
    assert len({row.index(" a99 ") for row in rows}) == 1  # 99 means 99 or more, as in the small tables
    # the shown ones sum past 1 by a rounding: no minus sign on the zero left
    snap.probs = [[1.0 + 1e-15 if i == 0 else 1e-17 for i in range(v)]] * 4
    rows = [line.plain for line in render_probs(session, snap, 80, Console(width=80))][2:6]
    assert all("-0" not in row and "other 0" in row for row in rows), rows
    # near-certain, not certain: never "100%" beside its own "99"
    snap.probs = [[0.9996 if i == 0 else 0.0004 / (v - 1) for i in range(v)]] * 4
    rows = [line.plain for line in render_probs(session, snap, 80, Console(width=80))][2:6]
    assert "→ a 99.9% " in rows[0] and all(" a99 " in row for row in rows), rows
    assert len({len(row) for row in rows}) == 1


@pytest.mark.parametrize("engine", ["fast", "scalar"])
def test_a_certain_prediction_has_a_loss_of_0_not_minus_0(engine):
    from tui.trainer import Session, View

    session = Session(get(8), engine=engine)
    session.model.set_weight("weights", (5,), 800.0)  # '.' all but certain: p = 1 exactly, -log p = -0.0
    snap = session.snapshot(View("."))
    assert snap.losses[0] == 0.0 and math.copysign(1.0, snap.losses[0]) == 1.0
    assert math.copysign(1.0, snap.loss) == 1.0


async def open_name_box(pilot, app, value: str) -> Input:
    """/ opens the name box; it holds `value`, the cursor at its end."""
    await pilot.press("slash")
    box = app.query_one("#name", Input)
    box.value = value
    box.cursor_position = len(value)
    return box


async def test_the_name_box_takes_no_control_characters():
    """A tab pasted into the name was saved with the session, which a loader then refused."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        box = await open_name_box(pilot, app, "")
        app.post_message(events.Paste("an\tn"))  # refused whole, as Textual refuses what its restrict does not match
        app.post_message(events.Paste("an\u202en"))  # nor what data files refuse: U+202E turns the line around
        app.post_message(events.Paste("a\u200bb"))
        await pilot.press("b", "o", "b")
        assert box.value == "bob" and app.typed == "bob"
        assert app.toast == "Not taken: a name cannot hold the format character U+200B."  # not a bell alone
        app.post_message(events.Paste("ann\nleia\n"))
        await pilot.pause()
        assert box.value == "bobann" and app.toast == "Only the first line was pasted: this box takes one line."


async def test_a_paste_past_16_characters_is_cut_to_fit_not_dropped():
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        box = await open_name_box(pilot, app, "an")
        app.post_message(events.Paste("abcdefghijklmnopq"))
        await pilot.pause()
        assert box.value == "anabcdefghijklmn" and app.typed == "anabcdefghijklmn"
        box.value = "ann"
        box.selection = Selection(3, 0)  # all of it, selected leftwards
        app.post_message(events.Paste("abcdefghijklmnopqrstuvwxyz"))
        await pilot.pause()
        assert box.value == "abcdefghijklmnop"


async def test_tab_never_lands_in_the_name_box():
    """Tab once stopped in the name box with the name selected, and the next panel key (5) replaced "ann"."""
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        for _ in range(6):
            await pilot.press("tab")
            assert not isinstance(app.focused, Input)
        await pilot.press("5")
        assert app.query_one("#name", Input).value == "ann" and app.typed == "ann"
        await pilot.press("slash", *"lee", "enter")  # / still opens it, Enter leaves it
        assert app.typed == "lee" and not isinstance(app.focused, Input)
        await pilot.click("#name")  # and so does a click
        assert app.focused is app.query_one("#name")


def test_a_small_probability_in_a_sentence_is_never_a_false_zero():
    from tui.widgets.palette import percent

    assert [percent(q) for q in (0.1234, 0.0005, 0.00049, 3.2e-6, 0.0)] == ["12.3%", "0.1%", "0.049%", "0.00032%", "0.0%"]
    assert percent(1.1e-68) == "under 0.0001%"  # not 1.1e-66%


async def test_the_toy_probability_table_names_its_unit():
    app = PlaygroundApp(chapter=3)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.query_one("#probs").border_title == "Probabilities, %"


async def test_a_tab_that_hides_the_focused_panel_hands_the_focus_to_one_in_sight():
    """At 80x24, 2 then Tab focused the weights; 3 hid them and nothing had the focus: the arrows moved nothing."""
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "tab")
        await pilot.pause()
        assert isinstance(app.focused, WeightsPanel)
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.focused, ChapterList) and app.focused.display
        await pilot.press("2")
        await pilot.pause()
        assert app.focused is not None and app.focused.display


async def test_esc_on_the_small_loss_tab_of_a_chapter_that_does_not_train_goes_back_quietly():
    app = PlaygroundApp(chapter=4)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "4")
        await pilot.pause()
        assert app.active_panel == "loss"
        await pilot.press("escape")  # it said "Chapter 4 does not train", and stayed
        await pilot.pause()
        assert app.active_panel == "weights" and not app._notifications


@pytest.mark.parametrize("size", [WIDE, SMALL])
async def test_esc_closes_the_loss_chart_and_the_attention_maps(size):
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=size) as pilot:
        await pilot.press("1" if size == SMALL else "c", "escape")  # the about tab, or the code view and back
        await pilot.press("l")
        await pilot.pause()
        assert app.active_panel == "loss" if size == SMALL else app.loss_expanded
        await pilot.press("escape")
        await pilot.pause()
        assert app.active_panel == "about" if size == SMALL else not app.loss_expanded
        await pilot.press("a")
        await pilot.pause()
        assert app.query_one("#attention").display
        await pilot.press("escape")
        await pilot.pause()
        assert not app.query_one("#attention").display and not app.attention_on


async def test_the_palette_over_help_offers_no_playground_action_to_run_behind_it():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        # help's own, run on help: Close (its three keys once)
        assert list(PlaygroundCommands(app.screen).commands()) == [("Close", "dismiss", "key: esc", app.screen)]
        assert list(PlaygroundCommands(app.screen_stack[0]).commands())  # on the playground itself: all of them


async def test_the_palette_over_the_code_view_or_a_dialog_offers_their_own_keys():
    app = PlaygroundApp(chapter=8, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")  # steps not saved: ctrl+q asks first
        await settle(pilot, app)
        await pilot.press("c")
        commands = {c[0]: c for c in PlaygroundCommands(app.screen).commands()}
        assert set(commands) == {"Close", "The other engine's code", "Long lines folded, or one line each",
                                 "Help: every key"}
        _, action, key, screen = commands["The other engine's code"]
        assert key == "key: e" and screen is app.screen
        await app.run_action(action, screen)
        assert app.screen.engine == "fast"
        await pilot.press("escape", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePrompt), "the save prompt")
        assert [c[0] for c in PlaygroundCommands(app.screen).commands()] == ["Cancel"]
        assert "Maximize" not in [c.title for c in app.get_system_commands(app.screen)]  # it hatched the playground
        await pilot.press("ctrl+q")  # in a dialog q types: the question says ctrl+q
        await wait_until(pilot, lambda: app.toast.startswith("ctrl+q again quits"), "the quit question")


async def test_the_footer_says_pause_while_the_chapter_trains():
    app = PlaygroundApp(chapter=9, engine="scalar")
    async with app.run_test(size=SMALL) as pilot:
        run = app.session.run
        run.config = replace(run.config, steps=10**6)  # still training when space comes again

        def label() -> str:
            return next((key.description for key in app.query("FooterKey") if key.action == "train"), "")

        await wait_until(pilot, lambda: label() == "Train", "the footer")
        await pilot.press("space")
        await wait_until(pilot, lambda: app.session.training and label() == "Pause", "Pause")
        await pilot.press("space")
        await wait_until(pilot, lambda: not app.session.training and label() == "Train", "Train again")


async def test_the_footer_dims_the_keys_a_chapter_has_nothing_for_and_they_still_say_why():
    app = PlaygroundApp(chapter=5)
    async with app.run_test(size=SMALL) as pilot:

        def dimmed() -> set[str]:
            return {key.action for key in app.query("FooterKey") if key.has_class("-disabled")}

        await wait_until(pilot, lambda: dimmed() == {"train", "loss_chart"}, "no training in chapter 5")
        await pilot.press("space")
        await wait_until(pilot, lambda: app.toast.startswith("Chapter 5 does not train"), "why")
        await pilot.press("n")
        await wait_until(pilot, lambda: dimmed() == set(), "chapter 6 trains")
        app.show_chapter(12)
        await wait_until(pilot, lambda: dimmed() == {"next_chapter"}, "the last chapter")


async def test_the_footer_offers_a_for_the_attention_maps_where_there_are_some_and_room():
    app = PlaygroundApp(chapter=10)
    async with app.run_test(size=WIDE) as pilot:

        def shown() -> set[str]:
            return {key.action for key in app.query("FooterKey") if key.display}

        await wait_until(pilot, lambda: "train" in shown() and "attention" not in shown(), "no attention yet")
        await pilot.press("n")
        await wait_until(pilot, lambda: "attention" in shown(), "chapter 11's maps")
        await pilot.resize_terminal(*SMALL)  # no room: the panel bar has them
        await wait_until(pilot, lambda: "attention" not in shown(), "a small screen")
        await pilot.resize_terminal(*WIDE)
        await wait_until(pilot, lambda: "attention" in shown(), "wide again")
        await pilot.press("a")
        await wait_until(pilot, lambda: app.query_one("#attention").display, "the maps")


async def test_a_panel_key_on_the_wide_layout_says_why_it_does_nothing():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: app.toast.startswith("Every panel is in sight at this size: 1-6 pick one "
                                                             "below 110x30"), "why")
        await pilot.press("l", "2")  # the big chart hides every panel: not "every panel is in sight"
        await wait_until(pilot, lambda: app.toast == "The loss chart covers the panels: l or Esc closes it.", "why")


async def test_ctrl_q_quits_from_the_name_box_too():
    app = PlaygroundApp(chapter=6, step_budget=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("slash", "b", "ctrl+q")  # q would type a letter here
        await wait_until(pilot, lambda: app.toast.startswith("ctrl+q again quits; not saved: chapter 6"), "the question")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, "quit")


async def test_the_palettes_close_says_when_there_is_nothing_to_close():
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        commands = {c[0]: c[1] for c in PlaygroundCommands(app.screen).commands()}
        await app.run_command(commands["Close the loss chart or the attention maps"])
        await wait_until(pilot, lambda: app.toast.startswith("Nothing to close"), "why")
        app.toast = ""
        await pilot.press("escape")  # a bare Esc stays quiet
        await pilot.pause()
        assert app.toast == ""


async def test_a_panel_key_after_maximize_shows_that_panel_not_a_hatch():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("2", "tab")
        await pilot.pause()
        app.screen.maximize(app.query_one(WeightsPanel))
        await pilot.press("3")
        await pilot.pause()
        assert app.screen.maximized is None and app.query_one("#probs").display


async def test_ten_names_of_a_chapter_that_does_not_train_name_no_step():
    app = PlaygroundApp(chapter=2)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G")
        await wait_until(pilot, lambda: "ten names at T 1:" in text_of(app, "#generate-body"), "ten names")
        assert "step" not in text_of(app, "#generate-body")


async def test_a_full_stop_while_training_says_it_paused():
    app = PlaygroundApp(chapter=9, engine="scalar")  # 2000 slow steps: still training when . comes
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("space")
        for _ in range(100):  # a busy machine builds the chapter and starts its trainer later
            if app.session.training:
                break
            await pilot.pause(0.05)
        assert app.session.training
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert not app.session.training
        assert any(n.message.startswith("Chapter 9 paused: space trains on") for n in app._notifications)


async def test_chapter_8_checks_its_softmax_gradients_as_chapter_7_does():
    app = PlaygroundApp(chapter=8)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.snap.grad_check, "the gradient check")
        assert "gradients" in app.panels() and app.query_one("#gradients").display
        rows = app.snap.grad_check
        assert len(rows) == 6 and all(abs(numerical - backprop) < 1e-8 for _, numerical, backprop in rows)
        assert app.snap.grad_check[4][2] < 0  # n: ann's most frequent next token, whose weight should grow


@pytest.mark.parametrize("key", ["d", "ctrl+s", "ctrl+o", "question_mark", "c"])
async def test_every_dialog_shows_its_own_keys_not_the_playgrounds(key):
    """The playground's footer stayed under a dialog, offering n, space, g... which did nothing there."""
    from textual.widgets import Footer

    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(key)
        await pilot.pause(0.2)
        assert app.screen is not app.screen_stack[0] and app.screen.query_one(Footer).display
        shown = [b.binding.key for b in app.screen.active_bindings.values() if b.binding.show]
        assert "escape" in shown and "n" not in shown


async def test_t_and_lr_keys_never_go_backwards_from_a_sessions_own_value():
    """A session saved at T 0.05 (or lr 1e-5), below the keys' ladder: "lower" raised it to the ladder's first step."""
    app = PlaygroundApp(chapter=6)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        session = app.session
        session.run.config = replace(session.run.config, temperature=0.05)  # as a session file may hold
        session.set_lr(1e-5)
        await pilot.press("t", "left_square_bracket")
        await pilot.pause()
        assert session.temperature == 0.05 and session.run.config.lr == 1e-5
        assert any("temperature is at its lowest here: 0.05" in n.message for n in app._notifications)
        await pilot.press("T", "right_square_bracket")
        assert session.temperature == 0.1 and session.run.config.lr == 0.0001


async def test_d_opens_its_dialog_when_names_txt_cannot_be_read(monkeypatch, tmp_path):
    """Reading names.txt for the typed choice's letters crashed d, the key that picks a file instead."""
    from core.data import DataError
    from tui import session_keys
    from tui.widgets.data_picker import DataPicker

    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()

        def unreadable(source):
            raise DataError("names.txt: no such file")

        monkeypatch.setattr(session_keys, "shared_dataset", unreadable)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DataPicker)
        choices = app.screen.query_one("#choices")
        assert str(choices.get_option_at_index(2).prompt) == "names typed here, separated by commas…"


async def test_wide_characters_in_the_data_keep_the_columns_in_place(tmp_path):
    """A data file of Japanese names: 日 takes two cells, and padding by len() shifted every row holding it."""
    from rich.cells import cell_len

    from core.run import RunConfig
    from core.session import SavedSession
    from tui.trainer import PlaygroundRun

    words = tmp_path / "kanji.txt"
    words.write_text("日奈\n奈々\n日向\n")
    app = PlaygroundApp(saved=SavedSession(PlaygroundRun(RunConfig(9, data=str(words)))))  # minigpt-tui --data
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.query_one("#name", Input).value = "日向"
        await wait_until(pilot, lambda: "日向" in text_of(app, "#probs-body"), "the typed name's rows")
        rows = [line for line in text_of(app, "#probs-body").splitlines() if " → " in line and "context" not in line]
        assert len(rows) == 3 and len({cell_len(row.split(" → ")[0]) for row in rows}) == 1
        weights = [line for line in text_of(app, "#weights-body").splitlines() if line.strip().startswith(("日", "奈", "々"))]
        assert len(weights) == 3 and len({cell_len(line) for line in weights}) == 1


async def test_only_a_parameters_token_rows_are_labelled_with_tokens(tmp_path):
    """With 16 tokens, as many as positions and as wte's columns: wpe's rows are still positions, wte's columns
    still numbers (the panel once labelled every axis of 16 with tokens)."""
    words = tmp_path / "sixteen.txt"
    words.write_text("abcdefg\nhijklmno\n")  # 15 letters and the end token
    app = PlaygroundApp(saved=SavedSession(PlaygroundRun(RunConfig(9, data=str(words)))))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert len(app.session.run.vocab) == 16
        app.query_one(WeightsPanel).focus()
        await pilot.press("down", "right")
        assert "wte[b][1] =" in text_of(app, "#weights-info")
        await pilot.press("w", "down", "right")
        assert "wpe[1][1] =" in text_of(app, "#weights-info")
        rows = [line.split()[0] for line in text_of(app, "#weights-body").splitlines()]
        assert rows == [str(i) for i in range(16)]


async def test_the_loss_summary_keeps_one_line_when_losses_reach_tens():
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        session = app.session
        for loss in [23.3125] * 49 + [17.6559]:  # a run that went wrong, as at lr 5
            session.run.history.append(loss)
        app.apply_snapshot(session, session.snapshot())
        await pilot.pause()
        summary = text_of(app, "#loss-summary").splitlines()
        assert summary[0].startswith("step loss 17.6559 · ") and summary[0].endswith(" 23.1994")
        assert len(summary[0]) <= app.query_one("#loss-summary").content_region.width  # not wrapped
        assert summary[1].startswith("fair die") or summary[1].startswith("ln 27")


async def test_the_chart_before_any_step_shows_the_line_to_beat_and_how_to_start():
    app = PlaygroundApp(chapter=12)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("l")  # an empty frame, with "step" under it
        await wait_until(pilot, lambda: app.loss_expanded, "the chart")
        await pilot.pause()
        import re

        chart = re.sub(r"\x1b\[[0-9;]*m", "", app.query_one("#loss-plot").plt.build())  # the text, not its colours
        assert "ln 27: a fair die · space trains" in chart


async def test_the_chart_says_how_many_documents_the_held_out_loss_reads():
    app = PlaygroundApp(saved=SavedSession(PlaygroundRun(RunConfig(9, steps=30))))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("l")
        await pilot.pause()
        assert app.snap.val  # the held-out loss of the 100 first held-out names, not of all 3,218 (10% of the data)
        chart = app.query_one("#loss-plot").plt.build()
        assert "held-out (100 docs it never trains on)" in chart
        assert chart.count("•") > 4  # a line of dots, not just its legend: no colour needed to tell it apart


async def test_an_empty_name_says_what_its_loss_is_of():
    app = PlaygroundApp(chapter=9)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.query_one("#name", Input).value = ""
        await wait_until(pilot, lambda: text_of(app, "#probs-body").startswith("(no name"), "the empty name's line")
        first = text_of(app, "#probs-body").splitlines()[0]
        assert first.startswith("(no name: the end token alone; / types one)  loss "), first


async def test_a_generated_name_cut_at_the_block_size_is_marked_and_long_contexts_fit(monkeypatch):
    app = PlaygroundApp(chapter=1)
    async with app.run_test(size=SMALL) as pilot:
        panel = app.query_one(GeneratePanel)
        panel.set_names(["ann", "alaieaieeienannl"], None, 1.0, 16)  # chapter 1's dice: 16 tokens without a '.'
        await pilot.pause()
        text = text_of(app, "#generate-body")
        assert "ten names at T 1 (… cut at 16 tokens):" in text and "alaieaieeienannl…" in text and "ann…" not in text
        await pilot.press("5", "G")  # and the real thing: G's names, marked where cut
        await wait_until(pilot, lambda: len(panel.names) == 10, "G's ten names")
        assert all(n.endswith("…") == (len(n) > 16) for n in panel.names)


async def test_a_nudge_on_a_small_screen_keeps_the_grads_panel_in_sight():
    """Chapter 5's hint: nudge a weight and compare the two slopes in Grads; at 80x24 + jumped to Weights."""
    app = PlaygroundApp(chapter=5)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("6")
        await pilot.pause()
        before = text_of(app, "#gradients-body")
        await pilot.press("plus")
        await wait_until(pilot, lambda: text_of(app, "#gradients-body") != before, "the nudged gradients")
        assert app.active_panel == "gradients"


def test_the_status_bar_names_the_data_in_a_few_characters(tmp_path):
    from core.data import TOY_VOCAB, load
    from core.data import from_docs as typed
    from tui.trainer import data_label

    def data_word(dataset):
        return data_label(dataset, short=True)

    def from_docs(docs):
        return typed(docs, TOY_VOCAB)

    words = tmp_path / "my-names.txt"
    words.write_text("ann\nbob\n")
    assert data_word(load("names")) == "names" and data_word(load("toy")) == "toy"
    assert data_word(load(str(words))) == "my-names.txt"
    assert data_word(from_docs(["ann"])) == "ann" and data_word(from_docs(["ann", "leia"])) == "ann,leia"
    assert data_word(from_docs(["annalena", "leia", "nina", "elaine"])) == "4 typed names"


async def test_chapter_2_shows_the_scores_behind_the_last_positions_probabilities():
    app = PlaygroundApp(chapter=2)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.snap.logits, "the scores")
        scores, probs = app.snap.logits, app.snap.probs[-1]
        assert len(scores) == 6 and probs == pytest.approx([x / sum(scores) for x in scores])
        shown = " ".join(text_of(app, "#weights-body").split())
        assert "The scores drawn for the last position of 'ann': a " + f"{scores[0]:.2f}" in shown
        assert f"sum {sum(scores):.2f}; each over the sum is a probability" in shown


@pytest.mark.parametrize("size", [SMALL, WIDE])
async def test_the_code_view_folds_long_lines_and_w_shows_them_whole(size):
    app = PlaygroundApp(chapter=10)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "e")  # the scalar engine's chapter 10: its docstring's lines are 115 characters
        await pilot.pause()
        view = app.screen.query_one("#code")
        width = app.screen.query_one("#code-scroll").scrollable_content_region.width
        lines = str(view.text).splitlines()
        assert max(map(len, lines)) <= width and any("↪ " in line[:4] for line in lines)
        whole = []
        for line in lines:  # a folded line's pieces put back together: nothing lost
            if line[:2] in ("+ ", "- ", "  ") and line[2:].startswith("↪ "):
                whole[-1] += line[4:]
            elif line.startswith("↪ "):  # a line with no mark (the title's)
                whole[-1] += line[2:]
            else:
                whole.append(line)
        assert whole == [line.plain for line in app.screen.lines]
        await pilot.press("w")
        lines = str(view.text).splitlines()
        assert max(map(len, lines)) > width and not any("↪ " in line[:4] for line in lines)
        assert "w fold long lines" in app.screen.query_one("#code-scroll").border_subtitle


def test_a_message_before_the_app_runs_or_after_it_ends_is_no_crash():
    app = PlaygroundApp(chapter=1)
    app.notify("a note with no screen to show it on")  # (the screenshots script's exit did this)
    assert app.toast == "a note with no screen to show it on"


def test_the_nudge_step_does_not_grow_with_the_weight_it_nudges():
    from tui.widgets.weights_panel import nudge_step

    values = np.array([[0.3, -0.2], [0.1, 0.25]])
    assert nudge_step(values, 9, (0, 0)) == nudge_step(values, 9, (1, 1)) == 0.02  # a tenth of 0.25, then of 0.3
    values[0, 0] = 296.7  # fifty presses of + on the largest weight: the step stays the others' tenth
    assert nudge_step(values, 9, (0, 0)) == 0.02 and nudge_step(values, 9, (1, 1)) == 20
    assert nudge_step(values, 5, (0, 0)) == 0.01  # chapter 5: EPSILON


def test_folding_breaks_after_a_space_and_leaves_lines_without_a_mark_unmarked():
    from rich.text import Text

    from tui.widgets.code_view import folded

    code = Text('+ """Chapter 12, fast engine: microgpt in numpy. Four attention heads, RMSNorm, residual connections"""')
    title = Text("scalar engine: one Python float at a time (numpy only hands the weights over) and more words here")
    assert [line.plain for line in folded([code, title], 60)] == [
        '+ """Chapter 12, fast engine: microgpt in numpy. Four ',
        '+ ↪ attention heads, RMSNorm, residual connections"""',
        "scalar engine: one Python float at a time (numpy only hands ",
        "↪ the weights over) and more words here"]


@pytest.mark.parametrize("engine, said", [(None, "Engine: fast (numpy); --engine scalar runs the Values in c."),
                                          ("scalar", "Engine: scalar, the Values in c")])
async def test_about_says_which_engine_runs_a_chapter_that_has_two(engine, said):
    app = PlaygroundApp(chapter=7, engine=engine)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: said in str(app.query_one("#about").content), "the engine said")
        await pilot.press("p")  # chapter 6 has the scalar engine alone: nothing to choose, nothing said
        await wait_until(pilot, lambda: "6/12" in str(app.query_one("#about").content), "chapter 6")
        assert "Engine:" not in str(app.query_one("#about").content)
