"""The chapter registry: the one list of chapters the CLI and the playground both read."""
from __future__ import annotations

import difflib
import importlib
import random
from dataclasses import dataclass

from core.vocab import Vocab


class ChapterError(ValueError):
    """An unknown chapter, or one that cannot do what was asked; the message is one line for the user."""


@dataclass(frozen=True)
class Chapter:
    number: int
    name: str
    title: str
    summary: str  # what the chapter is about, in a few sentences
    changes: str  # what is new since the previous chapter
    models: dict[str, str]  # engine -> "module:Class"
    data: str = "toy"  # default data set
    docs: tuple[str, ...] = ()  # default documents, given directly (in the data set's vocabulary) instead of its own
    steps: int = 0  # default training length (0: not trainable)
    lr: float = 0.0
    samples: int = 10
    temperature: float = 1.0
    lr_decay: bool = False  # learning rate falls linearly to 0 over the run (microgpt)
    shuffle: bool = False  # shuffle the documents with the run's generator first (microgpt)
    toy_only: bool = False  # its model is tied to the toy vocabulary
    also_new: tuple[str, ...] = ()  # "module:qualname" of code outside the model that is new here (the sampling loop)

    @property
    def label(self) -> str:
        return f"{self.number}/{len(CHAPTERS)} {self.name}"

    @property
    def engines(self) -> list[str]:
        return list(self.models)

    @property
    def default_engine(self) -> str:
        return "fast" if "fast" in self.models and self.is_built("fast") else "scalar"

    def engine_or_default(self, engine: str | None) -> str | None:
        """`engine` where this chapter has it built; None (its default engine) where not: chapters 1-6 run on the
        scalar engine whatever the playground is asked for."""
        return engine if engine in self.models and self.is_built(engine) else None

    @property
    def trainable(self) -> bool:
        return self.steps > 0

    def model_class(self, engine: str | None = None):
        engine = engine or self.default_engine
        if engine not in self.models:
            raise ChapterError(f"chapter {self.number} ({self.name}) has no {engine!r} engine; it has: {', '.join(self.models)}")
        module_name, class_name = self.models[engine].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name and module_name.startswith(e.name):
                raise ChapterError(f"chapter {self.number} ({self.name}) is not built yet") from None
            raise
        return getattr(module, class_name)

    def is_built(self, engine: str | None = None) -> bool:
        try:
            self.model_class(engine)
        except ChapterError:
            return False
        return True

    def build(self, vocab: Vocab, rng: random.Random, engine: str | None = None):
        return self.model_class(engine)(vocab, rng)

    def source_module(self, engine: str = "scalar") -> str:
        """The module whose code the playground shows for this chapter."""
        return self.models[engine].split(":")[0]


def _scalar(module: str, cls: str) -> dict[str, str]:
    return {"scalar": f"core.chapters.{module}:{cls}"}


def _both(module: str, cls: str) -> dict[str, str]:
    return {"scalar": f"core.chapters.{module}:{cls}", "fast": f"core.fast.{module}:{cls}"}


CHAPTERS: list[Chapter] = [
    Chapter(
        1, "tokens", "Tokens",
        "A text model reads and writes tokens. Ours has six: five letters and '.', which ends a name and also "
        "stands before its first letter. With nothing learned yet, writing a name is rolling a fair die until it "
        "lands on '.'.",
        "The start: a vocabulary, and a loop that picks one token after another until the end token.",
        _scalar("c01_tokens", "Tokens"), toy_only=True, also_new=("core.sampling:sample_steps",),
    ),
    Chapter(
        2, "logits", "Logits",
        "Before picking, the model gives every token a score, its logit. Dividing each score by their total "
        "makes probabilities; pick_index spins a wheel whose slices are those probabilities.",
        "Scores per token, probabilities from them, and pick_index to draw a token.",
        _scalar("c02_logits", "Logits"), toy_only=True, also_new=("core.sampling:pick_index",),
    ),
    Chapter(
        3, "weights", "Weights",
        "The scores stop being fresh random numbers: they become weights the model keeps, returned by "
        "gpt(context). It ignores its context for now, so every position gets the same probabilities.",
        "The logits move out of the loop into fixed weights, returned by gpt(context).",
        _scalar("c03_weights", "Weights"), toy_only=True,
    ),
    Chapter(
        4, "loss", "Loss",
        "To improve the model we must measure it. Take a real name and, at each position, ask how much "
        "probability the model gave the right next token: 1 - p is its surprise, and the loss is the mean.",
        "A loss: the mean over a name's positions of 1 - p(target).",
        _scalar("c04_loss", "Loss"), toy_only=True,
        also_new=("core.model:Model.targets", "core.model:Model.probs"),  # a name's positions: context and target
    ),
    Chapter(
        5, "gradients", "Gradients",
        "Nudge one weight up by a little (EPSILON = 0.01) and compute the loss again: how much it moved, "
        "divided by the nudge, is that weight's gradient. Negative means raising the weight helps.",
        "Finite-difference gradients: one extra loss per weight.",
        _scalar("c05_gradients", "Gradients"), toy_only=True,
    ),
    Chapter(
        6, "training", "Training",
        "Training is a loop: take a document, find the gradients, move every weight a small step "
        "against its gradient (w -= LEARN_RATE * g), then on to the next document. First on one name: ann.",
        "Gradient descent, one document per step.",
        _scalar("c06_training", "Training"), steps=75, lr=0.1, docs=("ann",),
        also_new=("core.run:Run.batch_indices",),
    ),
    Chapter(
        7, "backprop", "Backpropagation",
        "Nudging every weight costs one loss per weight. A Value remembers how it was computed, so one "
        "backward pass through the graph gives every gradient at once, and exactly. Still on one name: ann.",
        "Gradients from a scalar autograd Value instead of finite differences.",
        _both("c07_backprop", "Backprop"), steps=75, lr=0.1, docs=("ann",),
    ),
    Chapter(
        8, "softmax", "Softmax and log loss",
        "Dividing by the sum only works for positive scores. Softmax exponentiates first, so any real "
        "logit works; the log loss -log p punishes a confident mistake without limit. Trained on ann.",
        "Softmax instead of dividing by the sum; -log p instead of 1 - p.",
        _both("c08_softmax", "Softmax"), steps=300, lr=0.5, docs=("ann",),
    ),
    Chapter(
        9, "embeddings", "Embeddings",
        "The model finally reads its context: the last token and its position each have a vector (wte, wpe), and "
        "lm_head turns their sum into the next token's logits.",
        "Token and position embeddings feed the logits.",
        _both("c09_embeddings", "Embeddings"), data="names", steps=2000, lr=0.5, shuffle=True,
    ),
    Chapter(
        10, "hidden", "A hidden layer",
        "Between the embeddings and the logits sits a hidden layer: a matrix, a ReLU that keeps only "
        "positive values, and another matrix (together an MLP, a multilayer perceptron), so the model can "
        "combine features.",
        "An MLP with ReLU between the embeddings and the logits.",
        _both("c10_hidden", "Hidden"), data="names", steps=2000, lr=0.2, shuffle=True,
    ),
    Chapter(
        11, "attention", "Attention",
        "Each position asks a question (query), offers a key (what it holds) and a value (what it passes on); it "
        "attends to itself and the earlier positions, most to those whose keys match its query. Now the whole "
        "context counts, not just the last token.",
        "Causal self-attention, with a key/value cache when sampling.",
        _both("c11_attention", "Attention"), data="names", steps=2000, lr=0.3, shuffle=True,
    ),
    Chapter(
        12, "gpt", "The whole GPT",
        "microgpt: several attention heads, RMSNorm, residual connections, an MLP block and the Adam "
        "optimizer with a decaying learning rate: the shape of GPT-2, small enough to watch.",
        "Multi-head attention, RMSNorm, residual connections, the MLP block, Adam.",
        _both("c12_gpt", "GPT"), data="names", steps=1000, lr=0.01, samples=20, temperature=0.5,
        lr_decay=True, shuffle=True, also_new=("core.run:Run.lr_at",),
    ),
]


def get(key: str | int) -> Chapter:
    """A chapter by number or name."""
    text = str(key).strip().lower()
    for chapter in CHAPTERS:
        if text in (str(chapter.number), chapter.name):
            return chapter
    names = ", ".join(f"{c.number} {c.name}" for c in CHAPTERS)
    close = difflib.get_close_matches(text, [c.name for c in CHAPTERS], n=1)
    guess = f" (did you mean {close[0]}?)" if close else ""
    raise ChapterError(f"unknown chapter {key!r}{guess}; choose one of: {names}")
