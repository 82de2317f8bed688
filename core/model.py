"""The contract between a chapter's model and everything that drives it: the trainer, the CLI, the playground.

A document is a list of token ids without the end token. Its positions are 0..len(ids), cut to `block_size`:
at position p the model reads the context ids[:p] and should predict ids[p], or the end token after the
last character.
"""
from __future__ import annotations

import math
import random

import numpy as np

from core.sampling import sharpen
from core.vocab import Vocab

WEIGHT_LIMIT = 1e150  # no weight that means anything comes near: a run whose weights get here has diverged


def mean(xs) -> float:
    """Plain left-to-right float sum from 0, divided by the count (the post's `reduce`; exact bits matter)."""
    total = 0.0
    n = 0
    for x in xs:
        total += x
        n += 1
    return total / n


def central_difference(model, ids: list[int], name: str, index: tuple[int, ...], h: float = 1e-6) -> float:
    """d loss / d weight by nudging it both ways: the check every backprop is held to."""
    w = float(model.weights()[name][index])
    model.set_weight(name, index, w + h)
    up = model.loss(ids)
    model.set_weight(name, index, w - h)
    down = model.loss(ids)
    model.set_weight(name, index, w)
    return (up - down) / (2 * h)


class Model:
    """Base of every chapter's model. Subclasses define `next_probs` (or override `probs`) and `weights`."""

    block_size = 16  # the longest context it reads, and the longest document it writes
    loss_formula = "1 - p"
    has_gradients = False  # offers gradients(ids)
    trainable = False  # offers train_step(batch, lr, t)
    tempered = True  # sampling's temperature changes its probabilities (a fair die's it does not)

    def __init__(self, vocab: Vocab, rng: random.Random):
        self.vocab = vocab
        self.rng = rng

    # reading ------------------------------------------------------------------------------------------
    def targets(self, ids: list[int]) -> list[int]:
        """The token each position should predict."""
        return (list(ids) + [self.vocab.end])[: self.block_size]

    def next_probs(self, context: list[int]) -> list[float]:
        raise NotImplementedError

    def probs(self, ids: list[int]) -> list[list[float]]:
        """The next-token distribution at every position of a document."""
        return [self.next_probs(ids[:pos]) for pos in range(len(self.targets(ids)))]

    # from chapter 4 on: how surprised the model is by a document
    has_loss = False

    def position_losses(self, ids: list[int]) -> list[float]:
        raise NotImplementedError

    def loss(self, ids: list[int]) -> float:
        raise NotImplementedError

    # from chapter 5 on: gradients(ids) -> (loss, {name: gradient array}); from 6 on: train_step
    def gradients(self, ids: list[int]) -> tuple[float, dict[str, np.ndarray]]:
        raise NotImplementedError

    def train_step(self, batch: list[list[int]], lr: float, t: int) -> float:
        """One update on a batch of documents at step t (from 0); returns their mean loss before the update."""
        raise NotImplementedError

    # weights ------------------------------------------------------------------------------------------
    def weights(self) -> dict[str, np.ndarray]:
        """A copy of every parameter by name: 1-D vectors or 2-D matrices stored [out][in]."""
        return {}

    def set_weight(self, name: str, index: tuple[int, ...], value: float) -> None:
        raise KeyError(name)

    def load_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Set every parameter at once (a checkpoint, a nudge undone)."""
        for name, array in weights.items():
            for index, value in np.ndenumerate(np.asarray(array, dtype=float)):
                self.set_weight(name, index, float(value))

    def grads(self) -> dict[str, np.ndarray]:
        """The gradients of the last training step (zeros before the first)."""
        return {name: np.zeros_like(w) for name, w in self.weights().items()}

    def optimizer_state(self) -> dict[str, dict[str, np.ndarray]]:
        """Optimizer moments by kind, e.g. {"m": {...}, "v": {...}} for Adam; empty for plain gradient descent."""
        return {}

    def load_optimizer_state(self, state: dict[str, dict[str, np.ndarray]]) -> None:
        if state:
            raise ValueError("this model keeps no optimizer state")

    # numbers going wrong: Run keeps a checkpoint before every step and puts it back when a step gives NaN or inf.
    # The defaults go through weights(); an engine may override all three with something cheaper (flat copies).
    def checkpoint(self):
        """Everything a training step changes, for restore(); its gradients too, which the playground shows as the
        last step's."""
        return self.weights(), self.optimizer_state(), self.grads()

    def restore(self, checkpoint) -> None:
        weights, optimizer_state, grads = checkpoint
        self.load_weights(weights)
        self.load_optimizer_state(optimizer_state)
        self.load_grads(grads)

    def load_grads(self, grads: dict[str, np.ndarray]) -> None:
        """Put back the gradients grads() gave (a model that keeps none has nothing to put back)."""

    def fair_die_loss(self) -> float:
        """The loss of a model that gives every token the same probability: the number to beat."""
        n = len(self.vocab)
        return 1 - 1 / n if self.loss_formula == "1 - p" else math.log(n)

    def out_of_range(self) -> str:
        """Why the parameters, though finite, no longer make a model ("" while they do)."""
        return ""

    def all_bounded(self) -> bool:
        """Every parameter is a number below WEIGHT_LIMIT in size (NaN and infinities are not)."""
        weights = self.weights()
        return not weights or bool((np.abs(np.concatenate([w.ravel() for w in weights.values()])) < WEIGHT_LIMIT).all())

    # generating ---------------------------------------------------------------------------------------
    def sampler(self, temperature: float = 1.0):
        """A function from the last token (the end token to start) to the next token's probabilities."""
        context: list[int] = []

        def next_token_probs(token: int) -> list[float]:
            if token != self.vocab.end:
                context.append(token)
            return sharpen(self.next_probs(context), temperature)

        return next_token_probs
