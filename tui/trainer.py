"""The playground's side of a chapter: its Run, what the user selected, and the rule of who may touch the model.

While the trainer thread runs (a `TrainingLoop`), only it touches the model: the UI hands it small jobs
(`Session.submit`) that it runs between two steps. When it is stopped, the UI thread runs them at once. Either way
the UI only ever draws from a `Snapshot`, a copy of everything the panels show.
"""
from __future__ import annotations

import contextlib
import math
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.chapters import Chapter, ChapterError
from core import data as datasets
from core import session as sessions
from core.data import DataError, Dataset
from core.model import central_difference
from core.run import DEFAULT_SEED, Diverged, Run, RunConfig, RunError
from core.vocab import UnknownCharacter

MAX_VAL_POINTS = 512  # validation losses kept for the chart
HOLDOUT_FRACTION = 10  # one document in ten is held out for the validation loss
HOLDOUT_MIN_DOCS = 50  # smaller data sets (the toy names) keep all their documents for training
VALIDATION_DOCS = {"fast": 100, "scalar": 16}  # held-out documents per validation loss
BACKPROP_CHAPTER = 7  # from here on the gradients panel checks backprop; before it, the post's forward difference
LR_LADDER = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
TEMPERATURES = [0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]


_datasets: dict[str, Dataset] = {}


def data_label(dataset: Dataset, short: bool = False, chapter: Chapter | None = None) -> str:
    """The data a chapter learns from, in words: toy, names, a file's path (short: its name), or the names typed
    (as many as read well in one line; short: while they fit a status bar's field), or the chapter's own names."""
    if datasets.source_of(dataset) != "docs":
        return Path(dataset.name).name if short else dataset.name
    if short:
        typed = ",".join(dataset.docs)
        return typed if len(typed) <= 16 else f"{len(dataset.docs):,} typed names"
    shown = ", ".join(dataset.docs)
    if chapter is not None and tuple(dataset.docs) == chapter.docs:  # chapters 6-8 start on ann: nobody typed it
        return f"{shown}, the chapter's own start"
    return f"names typed here ({shown if len(shown) <= 40 else shown[:39] + '…'})"


def shared_dataset(source: str) -> Dataset:
    """Each data set is read once per session: chapters 9-12 share names.txt (their Runs copy the list)."""
    if source not in _datasets:
        _datasets[source] = datasets.load(source)
    return _datasets[source]


class Refused(ValueError):
    """A key that cannot do what was asked, now: one line for the user, and nothing changed."""


class PlaygroundRun(Run):
    """A Run that keeps the last tenth of its (shuffled) documents out of training, for a validation loss.

    Its batches are the CLI Run's for the first 90% of an epoch (28,960 steps on names.txt), so the playground
    follows microgpt's trajectory exactly; after that it cycles over the training part only.
    """

    def __init__(self, config: RunConfig, dataset=None):
        super().__init__(config, dataset)
        n = len(self.docs)
        self.n_train = n - n // HOLDOUT_FRACTION if n >= HOLDOUT_MIN_DOCS else n
        self.heldout = self.encoded[self.n_train:]
        self.stepped = False  # a session file keeps no gradients: they exist again after a step here
        self.first_lr = self.config.lr  # the rate it started or was loaded with

    def batch_indices(self, step: int) -> list[int]:
        b = self.config.batch
        return [(step * b + i) % self.n_train for i in range(b)]

    def train_step(self):
        result = super().train_step()
        self.stepped = True
        return result


@dataclass(frozen=True)
class View:
    """What the panels want computed: the typed name, the selected weight, the optional views."""

    name: str = "ann"
    matrix: str | None = None
    cursor: tuple[int, ...] = ()
    gradients: bool = False  # the finite-difference vs backprop panel is on screen
    attention: bool = False


@dataclass
class Snapshot:
    """A copy of everything the panels draw, taken by whoever owns the model at that moment."""

    chapter: int = 0
    step: int = 0
    steps: int = 0
    lr: float = 0.0
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    moments: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    name: str = ""
    unknown: list[int] = field(default_factory=list)  # positions of characters outside the vocabulary
    unknown_message: str = ""
    ids: list[int] = field(default_factory=list)  # the known prefix of the name, encoded
    targets: list[int] = field(default_factory=list)
    probs: list[list[float]] = field(default_factory=list)
    losses: list[float] | None = None
    loss: float | None = None
    history: list[float] = field(default_factory=list)
    history_span: int = 1
    last_loss: float | None = None
    recent_mean: tuple[float, int] = (math.nan, 0)  # the mean loss of the last steps, and how many
    val: list[tuple[int, float]] = field(default_factory=list)
    grad_check: list[tuple[tuple, float, float]] | None = None  # (index, finite difference, exact or backprop)
    grad_note: str = ""
    attention: list | None = None  # per head: T x T weights (row: the reading position)
    logits: list[float] = field(default_factory=list)  # chapter 2: the random scores drawn for the last position
    error: str = ""

    @property
    def scored_label(self) -> str:
        """The typed name as far as its loss reads it (up to a character outside the vocabulary), as the loss line
        names it: an empty one is the end token alone."""
        name = self.name[: self.unknown[0]] if self.unknown else self.name
        return repr(name) if name else "'' (the end token alone)"


class Session:
    """One chapter for the whole session: switching chapters keeps its Run, its cursor and its temperature."""

    def __init__(self, chapter: Chapter, seed: int = DEFAULT_SEED, engine: str | None = None, run: PlaygroundRun | None = None):
        self.chapter = chapter
        self.seed = seed
        self.engine = chapter.engine_or_default(engine)
        self.run: PlaygroundRun | None = None
        self.saved_step = 0  # the step of the last save (or of the file it came from)
        self.file: str | None = None  # where ctrl+s last saved this chapter, or the file it was opened from
        self.file_seen: tuple | None = None  # that file's signature then (core.session.file_signature)
        self.nudged = False  # a weight moved by hand (+/-) since the run was last saved or opened
        self.error = ""
        self.matrix: str | None = None
        self.cursor: tuple[int, ...] = ()
        self.val: list[tuple[int, float]] = []
        self._val_losses: list[float] = []  # a validation pass under way
        self.view = View()
        self.model_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._jobs: list = []
        self.training = False  # the trainer thread owns the model
        self.stop_requested = False
        self.steps_per_second = 0.0
        self.attention_twin = None  # the scalar engine's attention maps come from a fast copy of its weights
        if run is not None:  # a saved session, loaded by the caller
            self.adopt(run)
        else:
            self._build()

    def adopt(self, run: PlaygroundRun) -> None:
        """Continue `run` (a saved session, or a chapter on another data set). A saved run gets its held-out loss
        at once: the file keeps none, and the chart would lack it until training resumed."""
        self.run, self.seed, self.engine, self.error = run, run.config.seed, run.config.engine, ""
        self.val, self._val_losses = [], []
        self.saved_step, self.nudged = run.step, False  # a run from a file is saved as it is
        self._select_first_matrix()
        if run.step > 0:
            self.validate()

    @property
    def unsaved_steps(self) -> int:
        """Training that quitting would lose: steps taken since the run was last saved or opened (0 when none)."""
        if self.run is None:
            return 0
        went_back_to = self.run.went_back_to  # below the save, the steps from there on are not the file's
        return max(0, self.run.step - (self.saved_step if went_back_to is None else min(self.saved_step, went_back_to)))

    def unsaved(self, steps_word: str = "steps") -> str:
        """What quitting or replacing the run would lose, in words ("2 steps", "nudged weights", both), or ""."""
        parts = []
        if steps := self.unsaved_steps:
            parts.append(f"{steps:,} {steps_word if steps != 1 else steps_word[:-1]}")
        if self.nudged:
            parts.append("nudged weights")
        return " and ".join(parts)

    def mark_saved(self, step: int, file: str) -> None:
        self.saved_step, self.nudged = step, False
        self.keep_file(file)

    def keep_file(self, file: str | None) -> None:
        """The file the run was opened from or saved to, as it is now (None: a run of no file)."""
        self.file, self.file_seen = file, sessions.file_signature(file) if file else None

    def owns(self, path) -> bool:
        """Whether `path` is the run's own file, and no one wrote it since: ctrl+s replaces it without a question."""
        with contextlib.suppress(OSError):
            return self.file is not None and os.path.samefile(os.path.expanduser(self.file), os.path.expanduser(path)) \
                and sessions.file_signature(path) == self.file_seen
        return False

    def _select_first_matrix(self) -> None:
        """The first matrix, unless the selected one is still there with the cursor inside it."""
        weights = self.run.model.weights()
        kept = weights.get(self.matrix)
        if kept is None or kept.ndim != len(self.cursor) or any(i >= n for i, n in zip(self.cursor, kept.shape)):
            self.matrix = next(iter(weights), None)
            self.cursor = (0,) * weights[self.matrix].ndim if self.matrix else ()

    def _build(self, dataset=None) -> None:
        try:
            if not self.chapter.is_built():
                raise ChapterError(f"chapter {self.chapter.number} ({self.chapter.name}) is not built yet")
            # r starts again from fresh weights, keeping the rate set with [ ] and the temperature set with t/T
            kept = {} if self.run is None else {"lr": self.run.config.lr, "temperature": self.temperature}
            config = RunConfig(chapter=self.chapter.number, seed=self.seed, engine=self.engine, **kept)
            default = config.resolved()  # its documents (chapters 6-8 start on "ann"), else its data set
            self.run = PlaygroundRun(config, dataset or (None if default.docs else shared_dataset(default.data)))
            self.error = ""
        except (ChapterError, RunError, DataError, OSError) as e:
            self.run, self.error = None, str(e)
            return
        self._select_first_matrix()
        self.val, self._val_losses = [], []
        self.saved_step, self.nudged = 0, False
        self.keep_file(None)  # a new run: the old one's file is not its own

    # ---- who runs model code ---------------------------------------------------------------------
    @property
    def model(self):
        return self.run.model if self.run else None

    @property
    def built(self) -> bool:
        return self.run is not None

    @property
    def running_engine(self) -> str | None:
        """The engine the run is on (self.engine is the one asked for, None for the chapter's default); None unbuilt."""
        return self.run.config.engine if self.built else None

    @property
    def trains(self) -> bool:
        """Built, and its model learns (chapters 6-12): it has a training loss to show."""
        return self.built and self.model.trainable

    @property
    def has_weights(self) -> bool:
        """Chapters 1-2 have none: nothing to nudge, reset or save but the data and the typed name."""
        return self.built and bool(self.model.weights())

    def submit(self, job) -> bool:
        """Queue job for the trainer if it runs (True); otherwise the caller runs it now (False)."""
        with self._state_lock:
            if self.training:
                self._jobs.append(job)
                return True
        return False

    def take_jobs(self, stopping: bool) -> tuple[list, bool]:
        """The trainer's side: the queued jobs, and whether it may stop now (nothing left to run)."""
        with self._state_lock:
            jobs, self._jobs = self._jobs, []
            if stopping and not jobs:
                self.training = False
                return [], True
            return jobs, False

    def start_training(self) -> None:
        with self._state_lock:
            self.training = True
            self.stop_requested = False
        self.run.put_on_trial()  # where training starts: where a runaway from here goes back to

    def end_training(self) -> None:
        """The trainer stopped without take_jobs' leave (an error): the UI runs model code itself again."""
        with self._state_lock:
            self.training = False

    # ---- actions on the model (run by its owner) --------------------------------------------------
    def reset(self) -> None:
        self._build(self.run.dataset if self.run else None)

    def set_lr(self, lr: float) -> None:
        self.run.config = replace(self.run.config, lr=lr)

    def lr_step(self, direction: int) -> float:
        # the chapter's own rate (chapter 11's 0.3) and the run's first (--lr, a session's) are rungs too: ] undoes [
        lr = step_on_ladder(self.run.config.lr, sorted({*LR_LADDER, self.chapter.lr, self.run.first_lr}), direction)
        self.set_lr(lr)
        return lr

    @property
    def temperature(self) -> float:
        """The sampling temperature, the run's own (a session saves it: sample --load draws at the one shown)."""
        return self.run.config.temperature if self.run is not None else self.chapter.temperature

    def temperature_step(self, direction: int) -> float:
        t = step_on_ladder(self.temperature, TEMPERATURES, direction)
        self.run.config = replace(self.run.config, temperature=t)
        return t

    def model_at(self) -> str | None:
        """The model that draws names, in words: its step, and whether weights were nudged since (None where the
        chapter does not train)."""
        if not self.model.trainable:
            return None
        return f"step {self.run.step}" + (", nudged by hand" if self.run.set_by_hand else "")

    @property
    def finished(self) -> bool:
        """A decaying learning rate has reached 0: going on would make it negative."""
        return self.run.done and self.chapter.lr_decay

    def nudge(self, name: str, index: tuple[int, ...], delta: float) -> float:
        before = float(self.model.weights()[name][index])
        after = before + delta if abs(before + delta) > abs(delta) * 1e-9 else 0.0  # 17 steps of 0.01 down from 0.17
        self.model.set_weight(name, index, after)  # are 0, not -3.5e-18 (a "weight below 0", refused)
        why = self.model.out_of_range()
        self.model.set_weight(name, index, before)
        if why:  # taken back: the weights were never set by hand
            raise Refused(f"Nudge taken back: {why} (chapter 8's softmax takes weights of any sign)")
        self.run.weights_set_by_hand()  # before the change: a loss that fails from now on may be the nudge's doing
        self.model.set_weight(name, index, after)
        self.nudged = True
        return after

    @property
    def validation_docs(self) -> list:
        """The held-out documents a validation loss reads: the first VALIDATION_DOCS of them."""
        return self.run.heldout[: VALIDATION_DOCS[self.run.config.engine]]

    def validate(self, chunk: int | None = None) -> float | None:
        """Mean loss over (the first VALIDATION_DOCS of) the held-out documents, `chunk` documents per call.

        The trainer calls it between steps; in chunks, no single call keeps a key press waiting for long.
        Returns the loss when a full pass is done (and records it), else None.
        """
        heldout = self.validation_docs
        if not heldout or not self.model.has_loss:
            return None
        done = self._val_losses
        for ids in heldout[len(done): len(done) + (chunk or len(heldout))]:
            done.append(self.model.loss(ids))
        if len(done) < len(heldout):
            return None
        loss = math.fsum(done) / len(done)
        self._val_losses = []
        if not math.isfinite(loss):  # weights an undo is about to take back: no point for the chart
            return loss
        # the points of steps an undo took back go: the run's steps from here on are new ones
        self.val = [point for point in self.val if point[0] < self.run.step] + [(self.run.step, loss)]
        if len(self.val) > MAX_VAL_POINTS:  # long runs: keep every other point, so memory stays flat
            self.val = self.val[::2]
        return loss

    def validate_whole(self) -> None:
        """A held-out loss all at the current weights, in place of one at this step: a pass done in chunks between
        steps reads several steps' weights, and the number training stops at should be the model's own."""
        self._val_losses = []
        self.validate()

    def snapshot(self, view: View | None = None) -> Snapshot:
        view = view or self.view
        if self.run is None:
            return Snapshot(error=self.error, name=view.name)
        # chapter 2's model draws its scores: the panels draw from a stream of their own (on the run's, they showed
        # the very die g rolls next), and what they show must not change what g samples next
        rng_state = self.run.rng.getstate()
        try:
            self.run.rng.seed(self.run.rng.getrandbits(64))
            return self._snapshot(view)
        finally:
            self.run.rng.setstate(rng_state)

    def _snapshot(self, view: View) -> Snapshot:
        run, model, vocab = self.run, self.run.model, self.run.vocab
        s = Snapshot(chapter=self.chapter.number, step=run.step, steps=run.steps,
                     lr=run.lr_at(run.step) if run.steps else run.config.lr)
        s.weights = model.weights()
        s.grads = model.grads() if model.trainable and (run.stepped or run.step == 0) else {}
        s.moments = model.optimizer_state()
        s.history = run.history.values()
        s.history_span = run.history.span
        s.last_loss = run.history.last
        s.recent_mean = run.history.recent_mean()
        s.val = [point for point in self.val if point[0] <= run.step]  # none from steps an undo took back
        s.name = view.name[: model.block_size]
        s.unknown = vocab.unknown(s.name)
        known = s.name[: s.unknown[0]] if s.unknown else s.name
        if s.unknown:
            s.unknown_message = str(UnknownCharacter(s.name, s.unknown, vocab))
        s.ids = vocab.encode(known)
        s.targets = model.targets(s.ids)
        s.probs = model.probs(s.ids)
        s.logits = list(getattr(model, "last_logits", None) or [])  # chapter 2's: the scores of the last position
        if model.has_loss:
            # -log p of a p of exactly 1 is -0.0, which would print as "-0.00": + 0.0 makes it 0.0 (a nan stays nan)
            s.losses = [loss + 0.0 for loss in model.position_losses(s.ids)]
            s.loss = model.loss(s.ids) + 0.0
        if view.gradients and model.has_gradients and view.matrix in s.weights:
            s.grad_check, s.grad_note = gradient_check(model, s.ids, view.matrix, view.cursor, s.weights,
                                                       backprop=self.chapter.number >= BACKPROP_CHAPTER)
        if view.attention:
            s.attention = self.attention_maps(s.ids)
        return s

    def attention_maps(self, ids: list[int]):
        """[head][reading position][position read]; the scalar engine borrows a fast twin with the same weights."""
        model = self.model
        if not hasattr(model, "attention_maps"):
            if "fast" not in self.chapter.engines or not self.chapter.is_built("fast"):
                return None
            if self.attention_twin is None or self.attention_twin.vocab is not self.run.vocab:  # d changes the vocab
                self.attention_twin = self.chapter.build(self.run.vocab, random.Random(0), "fast")  # its own draws
            self.attention_twin.load_weights(model.weights())
            model = self.attention_twin
        return model.attention_maps(ids)


def step_on_ladder(value: float, ladder, direction: int) -> float:
    """The next rung up (direction > 0) or down from value; past the ladder's end (a session's own value may be), the
    value stays: a key never moves it backwards."""
    if direction > 0:
        return next((x for x in ladder if x > value * 1.0001), max(value, ladder[-1]))
    return next((x for x in reversed(ladder) if x < value * 0.9999), min(value, ladder[0]))


def gradient_check(model, ids, name, cursor, weights, backprop: bool) -> tuple[list, str]:
    """The finite-difference gradient beside the backprop one, for the selected matrix (or just the selected weight)."""
    array = weights[name]
    indices = [idx for idx, _ in np.ndenumerate(array)] if array.size <= 32 else [tuple(cursor)]
    rows = []
    if not backprop:  # chapters 5-6: the post's forward difference (chapter 7 retires it)
        _, forward = model.numerical_gradients(ids)
        forward = np.asarray(forward).reshape(array.shape)
        for idx in indices:
            rows.append((idx, float(forward[idx]), central_difference(model, ids, name, idx)))
        return rows, "EPSILON 0.01 | h 1e-6"
    _, grads = model.gradients(ids)
    for idx in indices:
        rows.append((idx, central_difference(model, ids, name, idx), float(grads[name][idx])))
    return rows, "h 1e-6 | backprop"  # h 1e-6: the same tiny two-sided nudge as chapters 5-6's column


def next_beat(beat_at: float, started: float, beat: float) -> float:
    """When the next paced step may start, for a step that started at `started` on the beat due at `beat_at`: on
    the clock's beat, so the time a step takes to draw does not slow the pace; a step more than a beat late (the
    first, or after a pause) starts the beat again rather than rushing to catch up."""
    return (started if started - beat_at > beat else beat_at) + beat


class Rate:
    """Steps per second over the last couple of seconds."""

    def __init__(self, window: float = 2.0):
        self.window = window
        self.times: deque[float] = deque()

    def tick(self, now: float) -> float:
        self.times.append(now)
        while self.times and now - self.times[0] > self.window:
            self.times.popleft()
        span = now - self.times[0] if len(self.times) > 1 else 0
        return (len(self.times) - 1) / span if span > 0 else 0.0


UPDATE_INTERVAL = 1 / 20  # the trainer sends the screen at most 20 snapshots a second
VALIDATION_CHUNK = 8  # held-out documents evaluated between two training steps


def divergence_note(e: Diverged) -> str:
    """What stopped training and what to try, with the playground's keys: at a toy model's limit, no rate goes on
    from where the run is, only from the start (r)."""
    if not e.limit:
        return f"{e}; {e.advice}"
    again = "r twice starts the run again" if e.restored else "r starts the run again"
    then = (f": at this chapter's default rate, {e.try_lr:g}, it goes further" if e.try_lr is not None
            else ": a smaller learning rate only gets here later")
    return f"{e}; {again}{then}"


@dataclass
class TrainingLoop:
    """Trains a session until it is paused, in the trainer's thread: only this thread touches the model meanwhile,
    and the UI's jobs run between two steps. It reports to the UI through the callbacks, and asks it how fast to go:
    `beat()` is the seconds a step takes at the slow speed (each step then reaches the screen), 0 at full speed."""

    session: Session
    budget: int | None  # steps to take at most (tests), None for no limit
    job_done: Callable  # (done, result, error) of a job the UI handed over
    trained: Callable  # (snap, stopped, note): the newest snapshot; stopped for the last one
    beat: Callable[[], float]
    ui_busy: Callable[[], bool]  # a key is being handled: the screen first, training after
    cancelled: Callable[[], bool]  # the app is closing
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def run(self) -> None:
        session, note = self.session, ""
        try:
            note = self.train()
        except Exception as e:  # noqa: BLE001
            note = f"Training stopped: {e}"
            session.end_training()
        session.steps_per_second = 0.0
        try:
            with session.model_lock:
                snap = session.snapshot()
        except Exception as e:  # noqa: BLE001
            snap, note = Snapshot(error=str(e)), note or f"Training stopped: {e}"
        self.trained(snap, True, note)

    def train(self) -> str:
        """Steps until stopped; returns why it stopped, when that needs saying."""
        session, clock = self.session, self.clock
        rate, steps, note, checked = Rate(), 0, "", False  # checked: the last update, once training stops
        next_step_at = 0.0  # at the slow speed, not before then
        last_post, post_every = 0.0, UPDATE_INTERVAL
        val_cost, val_time, since_val, validating = 0.0, 0.0, 0.0, False  # validation costs at most a fifth
        while True:
            if self.cancelled():
                session.stop_requested = True
            checked = checked and session.stop_requested  # training resumed: the next stop checks again
            if session.stop_requested and not checked:  # before the trainer hands the model back
                checked = True
                note = self.check_last_update() or note
            jobs, stop = session.take_jobs(session.stop_requested)
            if stop:
                return note
            self.run_jobs(jobs)
            if session.stop_requested:
                continue
            if self.ui_busy():
                self.sleep(0.003)
                continue
            beat = self.beat()
            if beat and (wait := next_step_at - clock()) > 0:
                self.sleep(min(wait, 0.01))  # short naps: a key's job still runs at once
                continue
            run = session.run
            if session.finished:
                note = (f"Schedule finished: {run.steps} steps, the learning rate decayed to 0. "
                        "G writes ten names; r twice starts again.")
                session.stop_requested = True
                continue
            if self.budget is not None and steps >= self.budget:
                session.stop_requested = True
                continue
            started = clock()
            next_step_at = next_beat(next_step_at, started, beat)
            try:
                with session.model_lock:
                    run.train_step()
            except Diverged as e:  # the run restored its last good parameters
                note = divergence_note(e)
                session.stop_requested = True
                continue
            steps += 1
            if run.step == run.steps and not session.chapter.lr_decay:
                note = f"{run.steps} steps done, the chapter's usual run: G writes ten names, space trains on."
                session.stop_requested = True
            now = clock()
            since_val += now - started
            session.steps_per_second = rate.tick(now)
            validating = validating or bool(run.heldout) and (
                not session.val or session.val[-1][0] > run.step  # none yet, or of steps an undo took back
                or since_val >= 4 * val_cost and run.step - session.val[-1][0] >= 10)
            if validating:  # a few held-out documents after each step until the pass is done
                with session.model_lock:
                    finished = session.validate(chunk=VALIDATION_CHUNK) is not None
                val_time += clock() - now
                if finished:
                    validating, val_cost, val_time, since_val = False, val_time, 0.0, 0.0
            if now - last_post >= post_every or beat:  # slow: each step is on screen
                with session.model_lock:
                    snap = session.snapshot()
                cost = clock() - now
                post_every = max(UPDATE_INTERVAL, 5 * cost)  # a slow snapshot must not starve training
                last_post = clock()
                self.trained(snap, False, "")
            self.sleep(0)  # hand the interpreter to the UI thread between steps

    def check_last_update(self) -> str:
        """Once training stops: whether its last step ran away, and the held-out loss of the weights it stopped at."""
        session, note = self.session, ""
        try:
            with session.model_lock:
                session.run.check_last_update()
        except Diverged as e:
            note = divergence_note(e)
        with session.model_lock:
            session.validate_whole()
        return note

    def run_jobs(self, jobs) -> None:
        for job, done in jobs:
            try:
                with self.session.model_lock:
                    result = job()
                self.job_done(done, result, None)
            except Exception as e:  # noqa: BLE001
                self.job_done(done, None, e)
