"""A training run: a chapter's model on a data set, with its own random generator, step counter and loss history.

The CLI and the playground both drive a Run; a saved session is a Run written to disk.
"""
from __future__ import annotations

import contextlib
import math
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core import data as datasets
from core.chapters import Chapter, ChapterError, get
from core.data import Dataset, DataError
from core.model import WEIGHT_LIMIT, Model
from core.sampling import sample


MAX_BATCH = 10_000
MAX_STEPS = 10**9  # days of training at the fastest step: a bigger number is a typo, and would never end
MAX_SAMPLES = 10**6  # minutes of printing; more would never end either
MIN_TEMPERATURE = 1e-300  # below it, dividing the logits by the temperature overflows: nearer 0 is no greedier
FAR_ABOVE_DEFAULT = 10  # a learning rate this many times the chapter's reaches a toy model's limit in a few steps


def shown_int(n: int) -> str:
    """n with thousands separators, or its length when it is too long for a one-line message."""
    text = f"{n:,}"
    return text if len(text) <= 25 else f"a {len(str(abs(n)))}-digit number"


class RunError(ValueError):
    """A setting that cannot work; the message is one line for the user."""


class Diverged(RunError):
    """The loss or a parameter became NaN or infinite, a weight passed WEIGHT_LIMIT, or the parameters left the range
    where the model means anything (Model.out_of_range); the run was put back to its last good step: before the
    failing update (and the one before it, when a loss is what failed and that update, not weights set by hand, is
    to blame), or, when the loss had run away before (Run.back_to_sound), to the last checkpoint whose next loss was
    sound (one every 10 steps, and one where the playground starts training).

    `str(e)` says what happened, `e.advice` what to try; `e.lr` is the learning rate set (the one to change: a
    decaying schedule's step had less); `e.step` is the step that failed (1-based),
    `e.restored` the step whose parameters (and optimizer state) the run now has again, `e.try_lr` the learning
    rate to try next (None when no rate would help).
    """

    def __init__(self, step: int, what: str, lr: float, restored: int, try_lr: float | None, is_default: bool,
                 limit: bool = False, ran_away: bool = False, by_hand: bool = False):
        self.step, self.what, self.lr, self.restored = step, what, lr, restored
        self.try_lr, self.is_default = try_lr, is_default
        self.limit = limit  # the model's own limit was reached (Model.out_of_range), not a number blowing up
        self.by_hand = by_hand  # the parameters changed by hand (a nudge) gave it, before any update
        back = f"the parameters after step {restored}" if restored else "the starting parameters"
        if by_hand:  # kept as they were: what the learner set is there to set back
            back += ", with the weights set by hand"
        if ran_away:  # the steps before the failing one had already wrecked the model: back past them
            back += ", before the loss ran away"
        super().__init__(f"training stopped at step {step}: {what} (learning rate {lr:g}); back to {back}")

    def advise(self, flag: str = "") -> str:
        """What to try, naming the learning rate as the reader sets it (the CLI passes "--lr ")."""
        if self.limit and self.try_lr is not None:
            return f"try this chapter's default learning rate, {flag}{self.try_lr:g}: it goes further before the limit"
        if self.limit:
            return "this is as far as this model goes: a smaller learning rate only gets here later"
        if self.by_hand:
            return "the weights set by hand give it, not the learning rate: set them back"
        if self.try_lr is None:
            return "the parameters are extreme even without updates: start the run again"
        default = " (this chapter's default)" if self.is_default else ""
        return f"try a smaller learning rate, e.g. {flag}{self.try_lr:g}{default}"

    @property
    def advice(self) -> str:
        return self.advise()


DEFAULT_SEED = 42  # microgpt's


@dataclass(frozen=True)
class RunConfig:
    chapter: int
    data: str | None = None  # "toy", "names" or a path; None: the chapter's own
    docs: tuple[str, ...] | None = None  # documents given directly, instead of a file
    steps: int | None = None  # None: the chapter's default
    lr: float | None = None
    seed: int = DEFAULT_SEED
    batch: int = 1
    engine: str | None = None
    samples: int | None = None
    temperature: float | None = None

    def resolved(self, named: str = "--") -> "RunConfig":
        """Every None replaced by the chapter's default, every value checked. A bad value's message names it as
        `named` + field: "--lr" for the command line, "its config's lr" for a session file."""
        chapter = get(self.chapter)
        given = self.data is not None or self.docs is not None  # else the chapter's own: its docs, if it has any
        c = replace(
            self,
            chapter=chapter.number,
            data=self.data or chapter.data,
            docs=self.docs if given else chapter.docs or None,
            steps=chapter.steps if self.steps is None else self.steps,
            lr=chapter.lr if self.lr is None else self.lr,
            engine=self.engine or chapter.default_engine,
            samples=chapter.samples if self.samples is None else self.samples,
            temperature=chapter.temperature if self.temperature is None else self.temperature,
        )
        if chapter.trainable and not 1 <= c.steps <= MAX_STEPS:
            raise RunError(f"{named}steps must be from 1 to {MAX_STEPS:,} (got {shown_int(c.steps)})")
        if c.seed < 0:  # Random(-5) is Random(5): a negative seed would only look different
            raise RunError(f"{named}seed must be 0 or more (got {shown_int(c.seed)})")
        if not math.isfinite(c.lr) or c.lr < 0:
            raise RunError(f"{named}lr must be a finite number >= 0 (got {c.lr})")
        if not 1 <= c.batch <= MAX_BATCH:  # a batch is a list of documents built every step
            raise RunError(f"{named}batch must be from 1 to {MAX_BATCH:,} (got {shown_int(c.batch)})")
        if not 0 <= c.samples <= MAX_SAMPLES:
            raise RunError(f"{named}samples must be from 0 to {MAX_SAMPLES:,} (got {shown_int(c.samples)})")
        if not (math.isfinite(c.temperature) and c.temperature >= MIN_TEMPERATURE):
            raise RunError(f"{named}temperature must be a finite number, {MIN_TEMPERATURE:g} or more "
                           f"(got {c.temperature})")
        if chapter.toy_only and c.data != "toy":
            raise RunError(f"chapter {chapter.number} ({chapter.name}) works on the toy data only")
        chapter.model_class(c.engine)  # unknown engine, or not built: a clear error now
        return c


def load_dataset(config: RunConfig, chapter: Chapter) -> Dataset:
    if config.docs:
        vocab = datasets.load(chapter.data).vocab
        return datasets.from_docs(list(config.docs), vocab)
    return datasets.load(config.data)


RECENT_STEPS = 50  # the loss panel's mean: long enough to smooth, short enough to follow the training
SOUND_EVERY = 10  # steps between the checkpoints a run may go back to when its loss runs away
RUNAWAY = 1.5  # a mean loss this many times a fair die's: the training has run away, not merely wandered
HAND_WINDOW = 10  # steps after a nudge in which a loss going wrong is checked against the run without it
MAX_REPLAY = 100  # steps that check takes again at most (nudges kept up for longer start a new check)


class LossHistory:
    """Every step's loss, downsampled so it never holds more than `capacity` points.

    When full, neighbouring points are merged into their mean and each point then stands for twice as many steps.
    """

    def __init__(self, capacity: int = 2048):
        self.capacity = capacity
        self.points: list[float] = []
        self.span = 1  # steps per point
        self._pending: list[float] = []
        self.last: float | None = None
        self.count = 0
        self.recent: deque[float] = deque(maxlen=RECENT_STEPS)  # the last steps' own losses: their mean is exact
        self._undo = None  # what the last append changed

    def append(self, loss: float) -> None:
        dropped = self.recent[0] if len(self.recent) == self.recent.maxlen else None
        self._undo = (self.points, len(self.points), self._pending, len(self._pending), self.span, self.last, dropped)
        self.last = loss
        self.count += 1
        self.recent.append(loss)
        self._pending.append(loss)
        if len(self._pending) == self.span:
            self.points.append(math.fsum(self._pending) / self.span)
            self._pending = []
            if len(self.points) >= self.capacity:
                self.points = [(a + b) / 2 for a, b in zip(self.points[::2], self.points[1::2])]
                self.span *= 2

    def restore(self, state: dict) -> None:
        """Back to a state() taken earlier, in place (the playground's panels hold this history)."""
        self.capacity, self.span, self.points, self._pending = (state["capacity"], state["span"], list(state["points"]),
                                                                list(state["pending"]))
        self.last, self.count, self._undo = state["last"], state["count"], None
        self.recent.clear()
        self.recent.extend(state["recent"])

    def undo(self) -> None:
        """Take back the last append (once): the step is to be done again. Lists are rebound, never
        changed, when points merge, so the old ones are still there to go back to."""
        if self._undo is None:
            return
        points, n_points, pending, n_pending, self.span, self.last, dropped = self._undo
        del points[n_points:], pending[n_pending:]
        self.points, self._pending, self.count, self._undo = points, pending, self.count - 1, None
        self.recent.pop()
        if dropped is not None:
            self.recent.appendleft(dropped)

    def recent_mean(self) -> tuple[float, int]:
        """The mean loss of the last RECENT_STEPS steps (fewer after a session is opened), and how many that is."""
        return (math.fsum(self.recent) / len(self.recent), len(self.recent)) if self.recent else (math.nan, 0)

    def values(self) -> list[float]:
        """The history as points, each the mean of `span` steps; the last partial bucket included."""
        tail = [math.fsum(self._pending) / len(self._pending)] if self._pending else []
        return self.points + tail

    def state(self) -> dict:
        """Everything needed to continue the history exactly (a saved session keeps it)."""
        return {"capacity": self.capacity, "span": self.span, "points": list(self.points),
                "pending": list(self._pending), "last": self.last, "count": self.count, "recent": list(self.recent)}

    @classmethod
    def from_state(cls, state: dict) -> "LossHistory":
        history = cls(state["capacity"])
        history.span, history.points, history._pending = state["span"], list(state["points"]), list(state["pending"])
        history.last, history.count = state["last"], state["count"]
        if state.get("recent"):
            history.recent.extend(state["recent"])
        else:  # a file from before "recent" was kept (or emptied by hand): the losses it still has one by one
            history.recent.extend(history.points if history.span == 1 else history._pending)
        return history


def what_broke(loss: float, model) -> str:
    """What became NaN, infinite or absurdly large after a step, or "" when every number is sound."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if model.all_bounded():
        return ""
    for name, w in model.weights().items():
        if not np.isfinite(w).all():
            return f"parameter {name} became {'nan' if np.isnan(w).any() else 'infinite'}"
        if (big := np.abs(w).max()) >= WEIGHT_LIMIT:
            return f"parameter {name} reached {big:.3g}, past any size that means something"
    return "a parameter became nan"


def mean_loss(model, docs: list[list[int]]) -> float:
    """The mean loss over documents; NaN when the numbers blow up (where numpy gives inf, scalar math raises)."""
    try:
        return math.fsum(model.loss(ids) for ids in docs) / len(docs)
    except (ArithmeticError, ValueError):  # exp overflow, log(0)
        return math.nan


class EncodedDocs(Sequence):
    """The documents as token ids, encoded when asked for: a few microseconds a name, and no copy of a big data set.

    Only the first `block_size` characters are encoded: a model reads no further (Model.targets), and a
    40-million-character line would take seconds every step."""

    def __init__(self, docs: list[str], vocab, block_size: int = Model.block_size):
        self.docs, self.vocab, self.block_size = docs, vocab, block_size

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.vocab.encode(doc[: self.block_size]) for doc in self.docs[i]]
        return self.vocab.encode(self.docs[i][: self.block_size])


@dataclass
class StepResult:
    step: int  # 1-based
    docs: list[str]
    loss: float
    lr: float


class Run:
    def __init__(self, config: RunConfig, dataset: Dataset | None = None):
        self.config = config.resolved()
        self.chapter = get(self.config.chapter)
        self.dataset = dataset or load_dataset(self.config, self.chapter)
        if dataset is not None:  # the config names the data the run learns from, not the chapter's own
            source = datasets.source_of(dataset)
            typed = source == "docs"
            self.config = replace(self.config, data=self.chapter.data if typed else source,
                                  docs=dataset.docs if typed else None)
        self.rng = random.Random(self.config.seed)
        self.docs = list(self.dataset.docs)
        if self.chapter.shuffle:
            self.rng.shuffle(self.docs)
        self.vocab = self.dataset.vocab
        self.model = self.chapter.build(self.vocab, self.rng, self.config.engine)
        self.encoded = EncodedDocs(self.docs, self.vocab, self.model.block_size)
        self.step = 0  # steps done
        self.history = LossHistory()
        self._before_last_step = None  # the checkpoint taken before the last step, should its update go too far
        # (step, checkpoint, history) to go back to when the loss runs away, and the one on trial to replace it
        self._sound = self._candidate = None
        self.went_back_to: int | None = None  # the lowest step an undo went back to (the playground's unsaved count)
        self._before_hand = None  # the checkpoint before weights were first set by hand (a nudge) since the last step
        self.ever_set_by_hand = False  # weights set by hand since the run began
        # nudges each within HAND_WINDOW steps of the one before: (the first's step, the checkpoint before it, the
        # last's step)
        self._hand = None

    @property
    def steps(self) -> int:
        return self.config.steps

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    def lr_at(self, step: int) -> float:
        lr = self.config.lr
        return max(0.0, lr * (1 - step / self.steps)) if self.chapter.lr_decay else lr  # 0 past the schedule

    def batch_indices(self, step: int) -> list[int]:
        b = self.config.batch
        return [(step * b + i) % len(self.docs) for i in range(b)]

    def train_step(self) -> StepResult:
        if not self.model.trainable:
            raise RunError(f"chapter {self.chapter.number} ({self.chapter.name}) does not train")
        indices = self.batch_indices(self.step)
        lr = self.lr_at(self.step)
        before = self.model.checkpoint()  # put back if the numbers go wrong
        try:
            loss = self.model.train_step([self.encoded[i] for i in indices], lr, self.step)
            wrong = what_broke(loss, self.model)
            too_far = not math.isfinite(loss)  # the loss is of the parameters that the last update made
            outside = "" if wrong else self.model.out_of_range()
        except (ArithmeticError, ValueError) as e:  # scalar math raises where numpy gives inf or nan
            wrong = ("the loss became nan: a division by zero" if isinstance(e, ZeroDivisionError)
                     else "the loss became inf: a number overflowed, or a probability reached 0")
            too_far, outside = True, ""
        if outside:
            self.model.restore(before)
            self._before_last_step = None
            raise Diverged(self.step + 1, outside, self.config.lr, self.step, *self.learning_rate_to_try(limit=True),
                           limit=True)
        if wrong:
            failed = self.step + 1
            self.model.restore(before)
            # a non-finite loss blames the last update (undone too, to be redone); with weights set by hand, only if
            # the batch's loss was finite without the update (hand set before it) or without the hand (set after it)
            blame_update = too_far and self._before_last_step is not None
            if blame_update and self._before_hand is not None:
                blame_update = not math.isfinite(self.loss_at(self._before_hand, indices))
            elif blame_update and self.ever_set_by_hand:
                blame_update = math.isfinite(self.loss_at(self._before_last_step, indices))
            if too_far and self.nudge_broke_it():  # a few steps after a nudge: blamed only if the run without it
                blame_update = False                # stays finite
            if blame_update:
                self.undo_last_step()
            by_hand = too_far and not blame_update and self.ever_set_by_hand
            self._before_last_step = None
            ran_away = not by_hand and self.back_to_sound()
            raise Diverged(failed, wrong, self.config.lr, self.step, *self.learning_rate_to_try(), ran_away=ran_away,
                           by_hand=by_hand)
        self._before_last_step, self._before_hand = before, None
        self.step += 1
        self.history.append(loss)
        if self._candidate is not None and self._candidate[0] == self.step - 1:  # this step's loss read its parameters
            if not self.runaway(loss):
                self._sound = self._candidate
            self._candidate = None
        if self.step % SOUND_EVERY == 0:
            self.put_on_trial()
        return StepResult(self.step, [self.docs[i] for i in indices], loss, lr)

    @property
    def set_by_hand(self) -> bool:
        """Whether weights were set by hand (a nudge) since the last step."""
        return self._before_hand is not None

    def weights_set_by_hand(self) -> None:
        """Before a nudge: the parameters as the last update left them are kept, to tell whose doing a loss that
        fails from now on is."""
        if self._before_hand is None:
            self._before_hand = self.model.checkpoint()
        if self._hand is None or self.step - self._hand[2] > HAND_WINDOW or self.step - self._hand[0] > MAX_REPLAY:
            self._hand = (self.step, self._before_hand, self.step)
        else:
            self._hand = (*self._hand[:2], self.step)
        self.ever_set_by_hand = True

    def nudge_broke_it(self) -> bool:
        """Whether the nudges, not the learning rate, broke the loss (a weight nudged to 150 trains one step and
        wrecks the next): the last nudge was at most HAND_WINDOW steps ago, and the steps since the first, the failing
        one included, taken again from the parameters before it, stay finite."""
        if self._hand is None or self.step - self._hand[2] > HAND_WINDOW:
            return False
        start, checkpoint, _ = self._hand
        with self.parameters_of(checkpoint):
            try:
                for step in range(start, self.step + 1):
                    batch = [self.encoded[i] for i in self.batch_indices(step)]
                    if not math.isfinite(self.model.train_step(batch, self.lr_at(step), step)):
                        return False
                return self.model.all_bounded()
            except (ArithmeticError, ValueError):
                return False

    def loss_at(self, checkpoint, indices: list[int]) -> float:
        """The mean loss of a batch at a checkpoint's parameters; the model keeps its own."""
        with self.parameters_of(checkpoint):
            return mean_loss(self.model, [self.encoded[i] for i in indices])

    @contextlib.contextmanager
    def parameters_of(self, checkpoint):
        """The model at a checkpoint's parameters for a while, its own put back after, whatever happens meanwhile."""
        kept = self.model.checkpoint()
        self.model.restore(checkpoint)
        try:
            yield
        finally:
            self.model.restore(kept)

    def progress(self) -> str:
        """Where the run is in its plan, in words: "step 5 of 2,000", or "step 12,559, past its 2,000 planned"."""
        plan = f", past its {self.steps:,} planned" if self.step > self.steps else f" of {self.steps:,}"
        return f"step {self.step:,}{plan}"

    def put_on_trial(self) -> None:
        """The parameters now, every SOUND_EVERY steps and when training starts: the next step's loss, which reads
        them, says whether they are the ones to go back to when the loss runs away."""
        self._candidate = (self.step, self.model.checkpoint(), self.history.state())

    def runaway(self, loss: float) -> bool:
        """A loss far above a fair die's: training that ran away, not one that merely wandered."""
        return loss > RUNAWAY * self.model.fair_die_loss()

    def ran_away_since(self, step: int) -> bool:
        """The mean loss of the steps after `step` (the last RECENT_STEPS at most) is far above a fair die's."""
        recent = list(self.history.recent)[-min(self.step - step, len(self.history.recent)):] if self.step > step else []
        return bool(recent) and self.runaway(math.fsum(recent) / len(recent))

    def back_to_sound(self) -> bool:
        """After numbers went wrong: if the steps before had already run the loss away (finite, but far worse than a
        fair die, so no smaller rate could go on from there), back to the last checkpoint whose losses were sound."""
        if self._sound is None or not self.ran_away_since(self._sound[0]):
            return False
        step, checkpoint, history = self._sound
        self.model.restore(checkpoint)
        self.step = step
        self.history.restore(history)
        self.went_back(step)
        return True

    def went_back(self, step: int) -> None:
        """The run is at `step` again: checkpoints of later steps are of parameters just undone, never sound."""
        self.went_back_to = step if self.went_back_to is None else min(self.went_back_to, step)
        self._before_hand = self._hand = None  # the parameters it had by hand are gone with the rest
        self._sound, self._candidate = (kept if kept is not None and kept[0] <= step else None
                                        for kept in (self._sound, self._candidate))

    def check_last_update(self) -> None:
        """A step's guard reads the loss of the parameters before its update, so the last update of a run has no
        such check: it gets one here, the loss it gives on its own batch. An update that broke the numbers (e.g.
        weights near 1e300, finite but overflowing every forward pass) is undone, and Diverged raised."""
        if self._before_last_step is None or not self.model.has_loss:
            return
        batch = self.batch_indices(self.step - 1)  # (weights set by hand since: the update's own result is checked)
        loss = mean_loss(self.model, [self.encoded[i] for i in batch]) if self._before_hand is None else \
            self.loss_at(self._before_hand, batch)
        if math.isfinite(loss):
            return
        self.undo_last_step()
        self._before_last_step = None
        failed, ran_away = self.step + 1, self.back_to_sound()
        raise Diverged(failed, f"the loss after its update became {loss}", self.config.lr, self.step,
                       *self.learning_rate_to_try(), ran_away=ran_away)

    def undo_last_step(self) -> None:
        """Back to the parameters, optimizer state, step and loss history from before the last step."""
        self.model.restore(self._before_last_step)
        self.step -= 1
        self.history.undo()
        self.went_back(self.step)

    def learning_rate_to_try(self, limit: bool = False) -> tuple[float | None, bool]:
        """After a divergence: a smaller rate, and whether it is the chapter's default (None when lr is already 0).
        At the model's own limit (Model.out_of_range) a smaller rate only gets there later: only the default is
        offered, when the rate is far above it or the first step already went past (no step kept at all)."""
        lr, default = self.config.lr, self.chapter.lr
        if limit:
            helps = lr >= FAR_ABOVE_DEFAULT * default or (lr > default and self.step == 0)
            return (default, True) if helps else (None, False)
        if lr > default:
            return default, True
        return (lr / 10 if lr > 0 else None), False

    def sample(self, temperature: float | None = None) -> str:
        return sample(self.model, self.rng, self.config.temperature if temperature is None else temperature)


__all__ = ["Run", "RunConfig", "RunError", "Diverged", "StepResult", "LossHistory", "ChapterError", "DataError"]
