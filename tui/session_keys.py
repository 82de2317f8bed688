"""The playground's ctrl+s (save), ctrl+o (open) and d (data): what each key does, around the app's chapters.

Nothing here changes the current run until its replacement is whole: a session file is loaded, or a data set is read
and a new run built on it, into new objects first; only then does the chapter adopt the new run, between two
training steps if it is training. A file that cannot be used is one line in the prompt, and everything stays.
"""
from __future__ import annotations

import itertools
import math
import os

from core import session as sessions
from core.data import DataError, shown_path, source_of
from core.run import RunConfig, load_dataset
from tui.trainer import PlaygroundRun, Refused, Session, data_label, shared_dataset
from tui.widgets.data_picker import DataPicker
from tui.widgets.file_prompt import FilePrompt


def reporting(app, callback):
    """A dialog's answer handled with the playground's rule: an error is a message, never a crash."""

    def handle(result) -> None:
        try:
            callback(result)
        except Exception as e:  # noqa: BLE001
            app.report(e)

    return handle


def a_dialog_is_open(app, key: str, then: str) -> bool:
    """Whether help, the code or a prompt has the keys (ctrl+s and ctrl+o reach the app through them). Over the
    prompt it opened itself the key does nothing more; over any other it says Esc comes first, then `then`."""
    if len(app.screen_stack) == 1:
        return False
    if getattr(app.screen, "opened_by", None) != key:
        app.notify(f"Esc first, to close this; then {then}.")
    return True


def open_dialog(app, key: str, dialog, callback) -> None:
    app.clear_notifications()  # an earlier toast (r's question, a step's note) would cover the path box
    dialog.opened_by = key
    app.push_screen(dialog, reporting(app, callback))


def default_path(app, opening: bool = False) -> str:
    """The run's own file. Else, to open, the last file used; to save, a name that holds no other run yet: saving over
    another chapter's file, or this chapter's earlier run (on other data), would lose it."""
    plain = f"minigpt-{app.session.chapter.name}.session.json"
    if app.session.file or opening:
        return app.session.file or app.session_file or plain
    return next(path for n in itertools.count(1)
                if not os.path.exists(path := plain if n == 1 else plain.replace(".session", f"-{n}.session")))


def save_session(app) -> None:
    """ctrl+s: ask where, then write the chapter's run (and the typed name) between two steps."""
    if a_dialog_is_open(app, "ctrl+s", "ctrl+s saves the chapter"):
        return
    session = app.session
    if not session.built:
        app.notify("This chapter has nothing to save yet.")
        return

    def save_to(path: str | None) -> None:
        if path is None:
            return
        typed = app.typed

        def job():
            saved = sessions.save(path, session.run, typed=typed)
            session.run.went_back_to = None  # between two steps: every step so far is the file's now
            return saved, session.run.step

        def done(result):
            saved, step = result
            session.mark_saved(step, str(saved))
            app.session_file = str(saved)
            at = f" at step {step:,}" if session.model.trainable else ""  # chapters 1-5 have no steps
            app.notify(f"Saved chapter {session.chapter.number}{at} to {shown_path(saved.resolve())}")

        app.call_model(session, job, done)

    def checked(path: str) -> str:
        target = sessions.check_save_path(path)  # no such folder, or a file that is not a session: one line here
        held = sessions.held_run(target)
        # another run's file, or this run's saved over by another process since, is replaced only at a second Enter
        if held and not session.owns(target) and not app.asked_before("ctrl+s", (str(target), app.screen),
                                                                         seconds=math.inf):
            raise Refused(f"{shown_path(path)} holds {held}: Enter again replaces it, Esc keeps it.")
        return path

    prompt = FilePrompt("Save the session", default_path(app), save_hint(session, app.snap), accept=checked)
    open_dialog(app, "ctrl+s", prompt, save_to)


def rescue_unsaved(app) -> list[str]:
    """Every chapter's steps or nudges not saved, each into a new file in the temporary folder (the playground is
    being stopped from outside: no one is there to ask); what was saved where, or why not."""
    said = []
    for number, session in sorted(app.sessions.items()):
        if not session.built or not session.unsaved():
            continue
        session.stop_requested = True
        with session.model_lock:  # between two of its training steps
            try:
                saved = sessions.save(sessions.rescue_path(session.run), session.run, app.typed)
                said.append(f"chapter {number} saved to {shown_path(saved)}")
            except sessions.SessionError as e:
                said.append(f"chapter {number} not saved: {e}")
    return said


def save_hint(session: Session, snap) -> str:
    adam = "Adam's moments, " if snap.moments else ""  # (the last snapshot's: the model is the trainer's to read)
    kept = (f"weights, {adam}step, loss history, " if session.model.trainable else
            "weights, " if session.has_weights else "")
    return f"The chapter's {kept}data and typed name. A file holding another run is replaced only at a second Enter."


def open_session(app) -> None:
    """ctrl+o: load a session file into a new run; its chapter adopts it only when the whole file was good."""
    if a_dialog_is_open(app, "ctrl+o", "ctrl+o opens a session"):
        return

    def load(path: str):
        saved = sessions.load(path, run_class=PlaygroundRun)
        ask_before_replacing(app, app.sessions.get(saved.run.chapter.number), "ctrl+o", path)
        return path, saved

    def opened(result) -> None:
        if result is None:
            return
        path, saved = result
        app.session_file = path
        run = saved.run
        at = f" at {run.progress()}" if run.model.trainable else ""
        adopt(app, run, f"Opened {path}: chapter {run.chapter.number}{at}", typed=saved.typed, file=path)

    hint = "A file saved with ctrl+s or `train --save`."
    open_dialog(app, "ctrl+o", FilePrompt("Open a session", default_path(app, opening=True), hint, accept=load), opened)


def pick_data(app) -> None:
    """d: the names, the toy set, names typed in the dialog or a file of one's own. The chapter starts again from
    fresh weights on it."""
    if a_dialog_is_open(app, "d", "d picks the data"):
        return
    session = app.session
    chapter = session.chapter
    if chapter.toy_only:  # nothing to pick: say so rather than offer choices that are then refused
        app.notify(f"Chapter {chapter.number} ({chapter.name}) works on the toy data only: its model is tied to the "
                   "toy vocabulary. Other data arrives in chapter 6.")
        return
    current = data_label(session.run.dataset, chapter=chapter) if session.built else "none"

    def build(source: str | tuple[str, ...]) -> PlaygroundRun:
        docs = source if isinstance(source, tuple) else None  # names typed in the dialog
        dataset = load_dataset(RunConfig(chapter=chapter.number, data=None if docs else source, docs=docs), chapter)
        ask_before_replacing(app, session, "d", source)
        # the rate set with [ ] and the temperature set with t/T stay
        kept = {"lr": session.run.config.lr, "temperature": session.temperature} if session.built else {}
        return PlaygroundRun(RunConfig(chapter=chapter.number, seed=session.seed, engine=session.engine, **kept), dataset)

    def picked(run) -> None:
        if run is None:
            return
        d = run.dataset
        notes = "".join(f"; {note}" for note in d.notes)
        adopt(app, run, f"Chapter {chapter.number} now learns from {data_label(d)}: {len(d.docs):,} "
                        f"document{'s' if len(d.docs) != 1 else ''}, a vocabulary of {len(run.vocab)} tokens, fresh weights{notes}")

    note = "Another data set starts the chapter again from fresh weights (Esc, then ctrl+s, saves this one first)."
    source = source_of(session.run.dataset) if session.built else "names"
    docs = session.run.dataset.docs if source == "docs" else ()
    try:  # typed names are in the chapter's own vocabulary; an unreadable names.txt must not keep d from a file
        letters = shared_dataset(chapter.data).vocab.shown
    except (DataError, OSError):
        letters = ""
    open_dialog(app, "d", DataPicker(current, build, note, source, docs, letters), picked)


def ask_before_replacing(app, session: Session | None, key: str, source: str) -> None:
    """Work not saved (trained steps, nudged weights) is replaced only at the second Enter, as r and q ask first: the
    first says what would be lost, in the dialog, which stays open."""
    lost = session.unsaved("trained steps") if session is not None else ""
    # asked in this dialog, for as long as it stays open: reading the question takes the time it takes
    if lost and not app.asked_before(key, (session.chapter.number, source, app.screen), seconds=math.inf):
        paused = "; its training is paused" if session.training else ""
        session.stop_requested = True  # as r does: the count said stops growing behind the dialog
        with session.model_lock:  # after the step under way, which the count said was one short of
            lost = session.unsaved("trained steps")
        raise Refused(f"Chapter {session.chapter.number} has {lost} not saved{paused}: Enter again replaces the run, "
                      "Esc keeps it.")


def adopt(app, run: PlaygroundRun, note: str, typed: str | None = None, file: str | None = None) -> None:
    """Make `run` its chapter's run: at once when the chapter is idle, else between two of its training steps."""
    number = run.chapter.number
    target = app.sessions.get(number)
    if target is None:  # a chapter not visited yet: no need to build its own fresh run first
        app.sessions[number] = target = Session(run.chapter, run.config.seed, run.config.engine, run=run)
    target.stop_requested = True  # a training chapter pauses: the new run starts paused

    def job():
        if target.run is not run:  # a chapter not visited yet was built on it already
            target.adopt(run)
        target.keep_file(file)  # a run on other data belongs in a file of its own
        return target.snapshot()

    def done(snap) -> None:
        nonlocal note
        app.apply_snapshot(target, snap)
        if typed and typed != app.typed:  # a file with no typed name (the CLI's) keeps the learner's
            note += f"; the typed name is the session's, {typed!r} (was {app.typed!r})"  # never replaced unsaid
            app.set_typed(typed)
        if number != app.chapter_number:
            app.show_chapter(number)
        else:
            app.forget_generated()
            app.request_snapshot()
            app.render_all()
        app.notify(note)

    if target.built:
        app.call_model(target, job, done)
    else:
        with target.model_lock:
            snap = job()
        done(snap)


__all__ = ["save_session", "open_session", "pick_data", "adopt", "rescue_unsaved"]
