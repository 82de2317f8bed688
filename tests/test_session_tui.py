"""ctrl+s, ctrl+o and d in the playground: save and open sessions, pick the data; a bad file changes nothing."""
from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from core import session
from core.chapters import get
from core.data import TOY_DOCS
from core.run import Run, RunConfig
from tests.test_tui import burst, settle, wait_until
from tui.app import PlaygroundApp
from tui.session_keys import save_hint
from tui.trainer import VALIDATION_DOCS, PlaygroundRun, Session
from tui.widgets.data_picker import DataPicker
from tui.widgets.file_prompt import FilePrompt, one_line
from tui.widgets.loss_panel import LossPanel

SIZE = (120, 40)
App = PlaygroundApp  # its ctrl+s, ctrl+o and d call tui/session_keys.py


async def type_path(pilot, app, path: str) -> None:
    field = app.screen.query_one("#path")
    field.value = str(path)
    field.focus()
    await pilot.press("enter")
    await pilot.pause()


def saved_run(path, config: RunConfig, steps: int):
    """A session file of a run trained `steps` steps (as `train --save` writes it)."""
    run = Run(config)
    for _ in range(steps):
        run.train_step()
    return session.save(path, run)


async def open_file(pilot, app, path) -> None:
    """ctrl+o, the path, Enter, and the opened run in place."""
    await pilot.press("ctrl+o")
    await type_path(pilot, app, path)
    await settle(pilot, app)


async def train_and_save(pilot, app, path) -> None:
    """space (the app's step budget), then ctrl+s to path."""
    await pilot.press("space")
    await settle(pilot, app)
    await pilot.press("ctrl+s")
    await type_path(pilot, app, path)


def error_of(app) -> str:
    return str(app.screen.query_one("#error").content)


def highlighted_data(app) -> str:
    choices = app.screen.query_one("#choices")
    return choices.get_option_at_index(choices.highlighted).id


async def test_ctrl_s_saves_the_chapter_and_ctrl_o_opens_it_again(tmp_path):
    app = App(chapter=6, step_budget=7, name="leia")
    path = tmp_path / "six.json"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        weights = app.session.run.model.weights()
        assert app.session.run.step == 7
        await pilot.press("T")  # the temperature is saved too: sample --load drew at 1.0, whatever was shown
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, FilePrompt)
        await type_path(pilot, app, path)
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt)
        saved = session.load(path)
        assert saved.run.step == 7 and saved.typed == "leia" and saved.run.config.temperature == 1.5

        await pilot.press("r", "r")  # start again (r twice: the first asks), then open the saved session
        await settle(pilot, app)
        assert app.session.run.step == 0 and app.session.temperature == 1.5  # a reset keeps it, as it keeps lr
        await pilot.press("t")
        await pilot.press("ctrl+o")
        assert app.screen.query_one("#path").value == str(path)  # it offers the last file
        await type_path(pilot, app, path)
        await settle(pilot, app)
        assert app.session.run.step == 7 and app.session.temperature == 1.5
        assert all(np.array_equal(w, weights[k]) for k, w in app.session.run.model.weights().items())
        assert app.snap.grads == {}  # a session file keeps no gradients: none are shown as if they were 0
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert app.session.run.step == 8 and np.abs(app.snap.grads["weights"]).sum() > 0


async def test_ctrl_s_offers_each_chapter_its_own_file(tmp_path):
    """Saving chapter 7 over the file chapter 6 was saved to would lose chapter 6's steps: each chapter is offered
    its own file (opening offers the last file used, which is safe)."""
    app = App(chapter=6, step_budget=3)
    path = tmp_path / "six.json"
    async with app.run_test(size=SIZE) as pilot:
        await train_and_save(pilot, app, path)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.chapter_number == 7
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#path").value == "minigpt-backprop.session.json"
        await pilot.press("escape", "ctrl+o")
        assert app.screen.query_one("#path").value == str(path)
        await pilot.press("escape", "p", "ctrl+s")
        assert app.screen.query_one("#path").value == str(path)  # chapter 6's own file again


async def test_ctrl_s_never_offers_a_file_that_holds_another_run(tmp_path, monkeypatch):
    """After d (the chapter on other data) the run has no file yet: the default name may hold the earlier run."""
    monkeypatch.chdir(tmp_path)
    app = App(chapter=6, step_budget=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#path").value == "minigpt-training.session.json"
        await pilot.press("enter")
        await settle(pilot, app)
        assert (tmp_path / "minigpt-training.session.json").exists()
        await pilot.press("d", "home", "enter")  # the names: a new run, with no file of its own yet
        await settle(pilot, app)
        assert app.session.run.dataset.name == "names"
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#path").value == "minigpt-training-2.session.json"


async def test_the_save_and_open_prompts_say_where_a_bare_name_goes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the prompt offered minigpt-training.session.json with no word of the folder
    app = App(chapter=6)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("ctrl+s", "ctrl+o"):
            await pilot.press(key)
            hint = str(app.screen.query_one(".hint").render())
            assert hint.endswith(f"A path without a folder is in {tmp_path}.")
            await pilot.press("escape")


async def test_the_save_prompt_opens_when_the_starting_folder_is_gone(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # os.getcwd() raises now: the prompt died with a traceback
    app = App(chapter=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert str(app.screen.query_one(".hint").render()).endswith("is gone: give a full path.")


async def test_ctrl_s_after_r_does_not_offer_the_file_of_the_run_it_reset(tmp_path, monkeypatch):
    """r starts a new run: its file was the old run's, and one Enter replaced the steps saved there."""
    monkeypatch.chdir(tmp_path)
    app = App(chapter=6, step_budget=3)
    path = tmp_path / "six.json"
    async with app.run_test(size=SIZE) as pilot:
        await train_and_save(pilot, app, path)
        await settle(pilot, app)
        await pilot.press("r", "r", "space")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        assert app.screen.query_one("#path").value == "minigpt-training.session.json"
        await pilot.press("escape")
        assert session.load(path).run.step == 3  # the saved run, as it was


def test_the_scalar_engines_attention_maps_follow_the_data_set_to_another_vocabulary():
    # they came from a fast twin built once: after d took the toy set, a (27, 16) twin refused (6, 16) weights
    s = Session(get(11), engine="scalar")
    names_maps = s.attention_maps([1, 2])
    s.adopt(PlaygroundRun(RunConfig(11, data="toy", engine="scalar")))
    toy_maps = s.attention_maps([1, 2])
    assert len(toy_maps) == len(names_maps) == 1 and len(toy_maps[0]) == 3 and toy_maps[0][0] == [1.0, 0.0, 0.0]
    assert toy_maps != names_maps  # the toy run's own weights


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_runaway_goes_back_to_where_training_was_started():
    # space at step 305, lr 5: it went back to step 300 (or 290), throwing away good steps the learner had
    from core.run import Diverged

    s = Session(get(9))
    for _ in range(305):
        s.run.train_step()
    s.set_lr(5.0)
    s.start_training()
    with pytest.raises(Diverged) as caught:
        while True:
            s.run.train_step()
    assert s.run.step == caught.value.restored == 305 and "before the loss ran away" in str(caught.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_going_back_below_the_last_save_counts_the_steps_trained_again_and_drops_their_held_out_points():
    from core.run import Diverged

    s = Session(get(9))
    for _ in range(300):
        s.run.train_step()
    s.validate()
    s.set_lr(5.0)
    with pytest.raises(Diverged):
        while True:
            s.run.train_step()
            if s.run.step == 310:
                s.validate()  # a held-out point of the climb
            if s.run.step == 312:
                s.mark_saved(312, "nine.json")  # ctrl+s while the loss climbs
    assert s.run.step == 300  # back before the climb, below the save
    s.validate_whole()
    assert [step for step, _ in s.val] == [300]  # not 300, 310, 300: the chart ran backwards
    s.set_lr(0.5)
    for _ in range(12):
        s.run.train_step()
    assert s.unsaved() == "12 steps"  # the file holds the climb's step 312, not these: q must ask


async def test_a_bad_session_file_is_one_line_in_the_prompt_and_changes_nothing(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "minigpt-tui session", "version": 1, "config": {')
    app = App(chapter=6, step_budget=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        run, weights = app.session.run, app.session.run.model.weights()
        await pilot.press("ctrl+o")
        await type_path(pilot, app, bad)
        assert isinstance(app.screen, FilePrompt)
        assert "not valid JSON" in error_of(app) and "\n" not in error_of(app)
        await type_path(pilot, app, tmp_path / "missing.json")
        assert "no such file" in error_of(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt)
        assert app.session.run is run and run.step == 3
        assert all(np.array_equal(w, weights[k]) for k, w in run.model.weights().items())


async def test_opening_a_session_of_another_chapter_goes_there_with_its_name(tmp_path):
    run = Run(RunConfig(12, engine="fast", steps=50))
    for _ in range(4):
        run.train_step()
    path = session.save(tmp_path / "gpt.json", run, typed="emma")
    app = App(chapter=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await type_path(pilot, app, path)
        await settle(pilot, app)
        assert app.chapter_number == 12 and app.session.run.step == 4 and app.typed == "emma"
        assert app.query_one("#name").value == "emma"
        assert any(n.message.endswith("the typed name is the session's, 'emma' (was 'ann')") for n in app._notifications)
        assert app.session.run.history.count == 4
        assert app.session.val == [(4, heldout_loss(path))]  # the chart has its held-out loss before training resumes


async def test_a_session_saved_by_the_cli_keeps_the_typed_name(tmp_path):
    path = saved_run(tmp_path / "cli.json", RunConfig(12, engine="fast", steps=50), 1)  # `train --save`: no name typed
    app = App(chapter=12)
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, app, path)
        assert app.session.run.step == 1 and app.typed == "ann" and app.query_one("#name").value == "ann"
        assert not any("typed name" in n.message for n in app._notifications)


def heldout_loss(path) -> float:
    """The playground's held-out loss of a saved run, worked out here: the mean over its first held-out names."""
    run = session.load(path, PlaygroundRun).run
    n = VALIDATION_DOCS[run.config.engine]
    return math.fsum(run.model.loss(ids) for ids in run.heldout[:n]) / n


async def test_a_session_opened_at_start_shows_its_held_out_loss(tmp_path):
    run = Run(RunConfig(11, engine="fast", steps=50))
    for _ in range(3):
        run.train_step()
    path = session.save(tmp_path / "eleven.json", run)
    app = App(saved=session.load(path, PlaygroundRun))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.val == [(3, heldout_loss(path))]
        assert "held-out" in str(app.query_one(LossPanel).summary.content)


async def test_d_picks_the_toy_set_names_or_a_file_and_keeps_the_data_when_a_file_is_bad(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("zed\nzoe\nzara\n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"ann\x00\n")
    app = App(chapter=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.run.docs == ["ann"]
        await pilot.press("d")
        assert isinstance(app.screen, DataPicker)
        assert highlighted_data(app) == "typed"  # it opens on the data in use
        await pilot.press("end", "enter")  # "a file of your own"
        await type_path(pilot, app, binary)
        assert isinstance(app.screen, DataPicker) and "looks binary" in error_of(app)
        await type_path(pilot, app, tmp_path / "nothing.txt")
        assert "no such file" in error_of(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.run.docs == ["ann"]

        await pilot.press("d", "end", "enter")
        await type_path(pilot, app, words)
        await settle(pilot, app)
        assert app.session.run.docs == ["zed", "zoe", "zara"] and len(app.session.run.vocab) == 7

        await pilot.press("d")
        assert highlighted_data(app) == "file"
        await pilot.press("enter")  # the file in use is already typed
        assert app.screen.query_one("#path").value == str(words.resolve())
        await pilot.press("escape", "d", "home", "enter")  # the first choice: names
        await settle(pilot, app)
        assert app.session.run.dataset.name == "names" and len(app.session.run.vocab) == 27


async def test_toy_only_chapters_say_so_and_offer_no_other_data():
    app = App(chapter=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, DataPicker) and app.session.run.dataset.name == "toy"
        assert app.toast.startswith("Chapter 3 (weights) works on the toy data only")


async def test_the_playground_opens_on_given_data(tmp_path):
    from core.run import RunConfig
    from core.session import SavedSession
    from tui.trainer import PlaygroundRun

    words = tmp_path / "words.txt"
    words.write_text("zed\nzoe\n")
    app = App(saved=SavedSession(PlaygroundRun(RunConfig(9, data=str(words)))))  # what `minigpt-tui --data` does
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.chapter_number == 9 and sorted(app.session.run.docs) == ["zed", "zoe"] and app.typed == "ann"


async def test_saving_where_it_cannot_is_said_in_the_prompt_which_stays_open(tmp_path):
    """The prompt keeps the keys: a path retyped after an error must not reach the playground as commands."""
    data = tmp_path / "names.txt"
    data.write_text("ann\nbob\n")
    app = App(chapter=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await type_path(pilot, app, tmp_path / "no" / "folder" / "s.json")
        assert isinstance(app.screen, FilePrompt) and "cannot save there: no folder" in error_of(app)
        await type_path(pilot, app, data)  # a file that is not a session is not replaced
        assert isinstance(app.screen, FilePrompt) and "is a file but not a saved session" in error_of(app)
        assert data.read_text() == "ann\nbob\n"
        await type_path(pilot, app, tmp_path / "six.json")
        await pilot.pause()
        assert not isinstance(app.screen, FilePrompt) and session.load(tmp_path / "six.json").run.chapter.number == 6


async def test_brackets_in_paths_and_names_are_shown_as_typed_not_read_as_markup(tmp_path, monkeypatch):
    """A path may hold [ and ]: read as markup, "[/]" crashed the playground and "names [old].txt" lost "[old]"."""
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "names [old].txt"
    data.write_text("ann\nbob\n")
    app = App(chapter=11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await type_path(pilot, app, "[/]")
        assert error_of(app) == "[/]: no such file" and app.is_running
        await pilot.press("escape", "d", "end", "enter")
        await type_path(pilot, app, data)
        await settle(pilot, app)
        assert app.toast.startswith(f"Chapter 11 now learns from {data}: 2 documents")
        (tmp_path / "a[").mkdir()
        await pilot.press("ctrl+s")
        await type_path(pilot, app, "a[/i]b.json")
        await settle(pilot, app)
        assert app.toast.startswith("Saved chapter 11") and "a[/i]b.json" in app.toast and app.is_running
        await pilot.press("d")
        assert str(app.screen.query_one(".hint").content).startswith(f"Now: {data}.")


async def test_the_data_dialogs_question_pauses_training_so_its_count_stays_true():
    app = App(chapter=9)
    async with app.run_test(size=SIZE) as pilot:
        run = app.session.run
        run.config = replace(run.config, steps=10**6)  # a plan long enough to be training still when d is pressed
        await pilot.press("space")
        await wait_until(pilot, lambda: app.session.training and run.step > 0, "training")
        await pilot.press("d", "enter")  # names again: a fresh run, which would replace the steps trained
        await wait_until(pilot, lambda: error_of(app), "the question")
        question = error_of(app)
        assert question.startswith("Chapter 9 has ") and "not saved; its training is paused: Enter again" in question
        await settle(pilot, app)  # stopped: had it trained on, the count below would have moved
        steps = app.session.run.step
        assert question.startswith(f"Chapter 9 has {steps:,} trained steps not saved")  # the count it would throw away


async def test_the_data_dialogs_count_includes_the_step_under_way():
    # it was read while a step ran: "137 trained steps not saved" of a run that stopped at 138
    import threading
    import time

    app = App(chapter=9)
    async with app.run_test(size=SIZE) as pilot:
        run = app.session.run
        real, started, go = run.train_step, threading.Event(), threading.Event()

        def held_step():  # the second step is under way until the key has come; the next ones are slow, so the
            if run.step == 1:  # plan cannot end before the question pauses it
                started.set()
                go.wait(10)
            elif run.step > 1:
                time.sleep(0.05)
            return real()

        run.train_step = held_step
        await pilot.press("space")
        await wait_until(pilot, started.is_set, "a second step under way")
        threading.Timer(0.3, go.set).start()  # the dialog's count waits for the step: it must end on its own
        assert run.step == 1
        await pilot.press("d", "enter")
        await wait_until(pilot, lambda: error_of(app), "the question")
        await settle(pilot, app)
        assert error_of(app).startswith(f"Chapter 9 has {run.step:,} trained step")


async def test_ctrl_o_and_d_ask_before_they_replace_steps_not_saved(tmp_path):
    """r and q ask first; so do ctrl+o and d, in their dialog: a first Enter says what would be lost."""
    path = tmp_path / "six.json"
    session.save(path, Run(RunConfig(6)))
    app = App(chapter=6, step_budget=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        run = app.session.run
        await pilot.press("ctrl+o")
        await type_path(pilot, app, path)
        assert isinstance(app.screen, FilePrompt)
        assert error_of(app) == "Chapter 6 has 5 trained steps not saved: Enter again replaces the run, Esc keeps it."
        assert app.session.run is run and run.step == 5
        assert app.questions["ctrl+o"][1] == math.inf  # asked for as long as the dialog stays open, not 5 s
        await pilot.press("escape", "ctrl+o")  # a dialog opened anew asks anew
        await type_path(pilot, app, path)
        assert isinstance(app.screen, FilePrompt) and "not saved" in error_of(app) and app.session.run is run
        await type_path(pilot, app, path)  # Enter again
        await settle(pilot, app)
        assert not isinstance(app.screen, FilePrompt) and app.session.run.step == 0

        await pilot.press("full_stop")
        await settle(pilot, app)
        await pilot.press("d", "home", "enter")  # names
        await pilot.pause()
        assert isinstance(app.screen, DataPicker) and "1 trained step not saved" in error_of(app)
        assert app.session.run.docs == ["ann"]
        await pilot.press("escape")  # kept
        await pilot.pause()
        assert app.session.run.docs == ["ann"] and app.session.run.step == 1


def test_the_save_prompt_says_what_the_chapter_saves():
    def hint(number):
        chapter = Session(get(number))
        return save_hint(chapter, chapter.snapshot())

    assert hint(1).startswith("The chapter's data and typed name.")  # no weights to save
    assert hint(3).startswith("The chapter's weights, data and typed name.")
    assert hint(6).startswith("The chapter's weights, step, loss history, data and typed name.")
    assert hint(12).startswith("The chapter's weights, Adam's moments, step, loss history, data")


async def test_a_chapter_without_steps_saves_and_opens_without_speaking_of_steps(tmp_path):
    app = App(chapter=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await type_path(pilot, app, tmp_path / "one.json")
        await settle(pilot, app)
        assert app.toast.startswith("Saved chapter 1 to ") and "at step" not in app.toast
        await pilot.press("ctrl+o")
        await type_path(pilot, app, tmp_path / "one.json")
        await settle(pilot, app)
        assert app.toast.startswith("Opened ") and app.toast.endswith("chapter 1")


async def test_a_run_opened_from_a_file_says_why_it_has_no_gradient_yet(tmp_path):
    path = saved_run(tmp_path / "seven.json", RunConfig(7, steps=20), 3)
    app = App(chapter=7)
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, app, path)
        info = app.query_one("#weights-info")
        assert "no gradient until a step (not saved)" in str(info.text)
        assert all(len(line) <= info.size.width for line in info.text.plain.splitlines())  # whole, not cut mid-word
        await pilot.press("full_stop")
        await settle(pilot, app)
        assert "(last step)" in str(app.query_one("#weights-info").text)


async def test_a_path_typed_quickly_with_corrections_is_the_path_meant(tmp_path):
    """Keys that arrive together reach the data dialog's path box in order, its editing keys too."""
    words = tmp_path / "words.txt"
    words.write_text("zed\nzoe\nzara\n")
    app = App(chapter=8)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "end", "enter")  # a file of your own: the path box has the focus
        burst(app, ["ctrl+u", *f"{words}x", "backspace", "enter"])
        await settle(pilot, app)
        assert app.session.run.docs == ["zed", "zoe", "zara"]


async def test_chapter_6_starts_on_ann_and_d_types_other_names_or_takes_the_toy_set():
    app = App(chapter=6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.run.docs == ["ann"]  # the post's first training run
        await pilot.press("d")
        assert highlighted_data(app) == "typed" and "Now: ann, the chapter's own start." in str(
            app.screen.query_one(".hint").content)
        choices = app.screen.query_one("#choices")
        assert "of the letters 'ailen'" in str(choices.get_option_at_index(choices.highlighted).prompt)
        await pilot.press("enter")
        box = app.screen.query_one("#typed")
        assert box.value == "ann" and app.focused is box
        await pilot.press("ctrl+u", "enter")
        assert "Type one or more names first" in error_of(app)
        await pilot.press(*"ann, zed", "enter")
        assert "'z' is not in the vocabulary" in error_of(app) and app.session.run.docs == ["ann"]
        await pilot.press("ctrl+u", *"leia,, nina ", "enter")
        await settle(pilot, app)
        assert app.session.run.docs == ["leia", "nina"] and len(app.session.run.vocab) == 6
        await pilot.press("d")
        assert app.screen.query_one("#typed").value == "leia, nina"
        await pilot.press("up", "enter")  # the toy set
        await settle(pilot, app)
        assert app.session.run.docs == TOY_DOCS


def test_a_data_file_named_docs_is_a_file_not_names_typed(tmp_path, monkeypatch):
    from core import data
    from tui.trainer import data_label

    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").write_text("zed\nzoe\n")
    assert data_label(data.load("docs")) == "docs"
    assert data_label(data.from_docs(["zed", "zoe"], data.load("names").vocab)) == "names typed here (zed, zoe)"


async def test_ctrl_s_replaces_another_runs_file_only_at_a_second_enter(tmp_path):
    path = saved_run(tmp_path / "gpt.json", RunConfig(12, engine="fast", steps=50), 3)  # `train -c 12 --save gpt.json`
    app = App(chapter=6, step_budget=2)
    async with app.run_test(size=SIZE) as pilot:
        await train_and_save(pilot, app, path)
        assert isinstance(app.screen, FilePrompt)  # asked, and the file is as it was
        assert error_of(app) == f"{path} holds a chapter 12 run at step 3: Enter again replaces it, Esc keeps it."
        assert session.load(path).run.chapter.number == 12
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, FilePrompt) and session.load(path).run.chapter.number == 6
        await pilot.press("space")  # its own file now: saved again without a question
        await settle(pilot, app)
        await pilot.press("ctrl+s", "enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, FilePrompt) and session.load(path).run.step == 4


async def test_ctrl_s_asks_when_another_process_saved_over_the_runs_own_file(tmp_path):
    path = tmp_path / "six.json"
    app = App(chapter=6, step_budget=2)
    async with app.run_test(size=SIZE) as pilot:
        await train_and_save(pilot, app, path)
        await settle(pilot, app)
        assert session.load(path).run.step == 2
        later = session.load(path).run  # another process trains the file on: `train --load six.json --save six.json`
        for _ in range(5):
            later.train_step()
        session.save(path, later)
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FilePrompt) and "holds a chapter 6 run at step 7" in error_of(app)
        assert session.load(path).run.step == 7


async def test_stopped_from_outside_the_playground_saves_what_was_not_saved(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    app = App(chapter=6, step_budget=3, name="leia")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        app.stopped_by_signal("SIGTERM")  # what kill, or ssh hanging up (SIGHUP), runs
        await pilot.pause()
    rescued = list(tmp_path.glob("minigpt-training-step3-*.session.json"))
    assert len(rescued) == 1 and session.load(rescued[0]).run.step == 3 and session.load(rescued[0]).typed == "leia"
    assert app.return_code == 128 + 15
    assert not app.stop_deadline.is_alive()  # headless: the timer that would end the process is never started


def test_a_rescue_never_goes_over_an_earlier_one(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    run = Run(RunConfig(6, steps=5))
    first = session.save(session.rescue_path(run), run)  # a process id comes round again (containers start low)
    second = session.rescue_path(run)
    assert second != first and second.name == first.name.replace(".session.json", "-2.session.json")


async def test_ctrl_c_quits_as_q_does():
    app = App(chapter=6, step_budget=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("ctrl+c")
        assert app.is_running and app._notifications  # steps not saved: it asks, as q does
        assert "q again quits; not saved: chapter 6 (3 steps)" in list(app._notifications)[-1].message
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0


async def test_opening_a_session_trained_past_its_plan_says_so(tmp_path):
    path = saved_run(tmp_path / "past.json", RunConfig(9, engine="fast", steps=5), 7)  # "space trains on" past it
    app = App(chapter=9)
    async with app.run_test(size=SIZE) as pilot:
        await open_file(pilot, app, path)
        assert any(n.message.startswith(f"Opened {path}: chapter 9 at step 7, past its 5 planned")
                   for n in app._notifications)


async def test_an_error_from_a_file_cannot_drive_the_terminal(tmp_path):
    """A session file's own text in an error (here a parameter's name) is shown escaped: it cannot clear the screen
    under the dialog or retitle the terminal."""
    path = tmp_path / "s.json"
    saved_run(path, RunConfig(9, steps=3), 1)
    document = json.loads(path.read_text())
    document["params"]["\x1b]0;PWNED\x07\x1b[2J"] = [1.0]
    path.write_text(json.dumps(document))
    app = App(chapter=9)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await type_path(pilot, app, path)
        assert isinstance(app.screen, FilePrompt)
        assert "\x1b" not in error_of(app) and "\\x1b]0;PWNED" in error_of(app)


def test_one_line_escapes_control_characters():
    assert one_line(ValueError("bad \x1b[2Jname\x07\nsecond line")) == "bad \\x1b[2Jname\\x07"


async def test_ctrl_s_over_another_dialog_says_esc_comes_first(tmp_path):
    """d's dialog says ctrl+s saves the chapter first: there ctrl+s did nothing, and said nothing."""
    app = App(chapter=6, step_budget=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await settle(pilot, app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DataPicker), "d's dialog")
        assert "Esc, then ctrl+s, saves this one first" in str(app.screen.query_one(".hint").content)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.toast == "Esc first, to close this; then ctrl+s saves the chapter.", "why")
        await pilot.press("escape", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, FilePrompt), "the save prompt")
        app.toast = ""
        await pilot.press("ctrl+s")  # over its own prompt: nothing more to say
        await pilot.pause()
        assert app.toast == "" and isinstance(app.screen, FilePrompt)
