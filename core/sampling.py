"""Sampling: turn next-token probabilities into a token, one document at a time."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import accumulate


class SamplingError(ValueError):
    """The model gave no distribution to sample from (NaN or infinite probabilities)."""


def pick_index(probs: list[float], rng: random.Random) -> tuple[int, float, list[float]]:
    """Spin the wheel: cumulative sums, a random target in [0, total), the first sum above it.

    Returns (index, target, sums). Draws exactly one `rng.random()`, like
    `rng.choices(range(len(probs)), weights=probs)` does, so both pick the same index.
    """
    sums = list(accumulate(probs))
    total = sums[-1]
    if not (math.isfinite(total) and total > 0):
        raise SamplingError(f"the model's probabilities sum to {total}, not a number to sample with: its weights "
                            "have diverged (train again with a smaller learning rate)")
    target = rng.random() * total
    for index, s in enumerate(sums):
        if target < s:
            return index, target, sums
    return len(sums) - 1, target, sums  # target == total can only come from rounding


def sharpen(probs: list[float], temperature: float) -> list[float]:
    """Temperature for the models before softmax (chapters 1-7), whose scores are divided by their sum, not
    exponentiated: dividing them by T would change nothing, so p itself is raised, p ** (1/T), renormalised, i.e.
    softmax(log p / T), what dividing softmax's logits by T does from chapter 8 on.

    Worked in log space, relative to the most likely token, so no temperature above 0 underflows to all zeros:
    as T -> 0 it becomes the argmax (ties share it), as T -> inf the uniform over the possible tokens.
    """
    if temperature == 1.0:
        return list(probs)
    top = math.log(max(probs))
    # the most likely token gets exactly 1 before normalising; p = 0 stays 0
    powered = [math.exp((math.log(p) - top) / temperature) if p > 0 else 0.0 for p in probs]
    total = math.fsum(powered)
    return [p / total for p in powered]


@dataclass(frozen=True)
class SampleStep:
    """One token of a generation: what the model said and where the wheel landed."""

    position: int
    context: str
    probs: list[float]
    sums: list[float]
    target: float
    index: int
    token: str


def sample_steps(model, rng: random.Random, temperature: float = 1.0):
    """Generate one document token by token, yielding a SampleStep each, the end token included.

    Stops at the end token or after the model's block size (like microgpt).
    """
    vocab = model.vocab
    next_probs = model.sampler(temperature)
    token, text = vocab.end, ""
    for position in range(model.block_size):
        probs = next_probs(token)
        index, target, sums = pick_index(probs, rng)  # a wheel of the probabilities (chapter 2): a fair die's are even
        step = SampleStep(position, text, probs, sums, target, index, vocab.tokens[index])
        yield step
        if index == vocab.end:
            return
        token, text = index, text + vocab.tokens[index]


def sample(model, rng: random.Random, temperature: float = 1.0) -> str:
    """One generated document, without its end token."""
    text = ""
    for step in sample_steps(model, rng, temperature):
        if step.index != model.vocab.end:
            text += step.token
    return text
