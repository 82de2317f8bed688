import math
import random

import pytest

from core.chapters import CHAPTERS, get
from core.data import TOY_VOCAB
from core.run import Run, RunConfig
from core.sampling import pick_index, sample, sample_steps, sharpen

EXTREME_TEMPERATURES = [1e-300, 1e-9, 1e-3, 0.5, 1.0, 3.0, 1e9]


def test_pick_index_is_the_posts_wheel():
    class Fixed:
        def random(self):
            return 0.53

    index, target, sums = pick_index([0.3, 0.1, 0.1, 0.1, 0.2, 0.2], Fixed())
    assert index == 3 and target == 0.53
    assert sums[-1] == 1.0


def test_pick_index_matches_random_choices():
    probs = [0.05, 0.4, 0.1, 0.3, 0.15]
    a, b = random.Random(7), random.Random(7)
    for _ in range(200):
        assert pick_index(probs, a)[0] == b.choices(range(5), weights=probs)[0]


def test_sharpen_lowers_entropy_and_keeps_the_order():
    probs = [0.1, 0.2, 0.7]
    cold = sharpen(probs, 0.5)
    assert sum(cold) == 1.0 or abs(sum(cold) - 1) < 1e-12
    assert cold[2] > probs[2] and cold[0] < probs[0]
    assert sharpen(probs, 1.0) == probs


def test_sharpen_keeps_ordinary_temperatures_as_the_power_form():
    probs = [0.05, 0.0, 0.3, 0.15, 0.5]
    for temperature in (0.5, 2.0, 0.7):
        powered = [p ** (1 / temperature) for p in probs]
        expected = [p / math.fsum(powered) for p in powered]
        assert all(abs(a - b) < 1e-12 for a, b in zip(sharpen(probs, temperature), expected))


def test_sharpen_near_zero_is_the_argmax_with_ties_shared():
    # p ** (1/T) underflows to 0 for every p < 1 here: the old form divided by a zero total
    assert sharpen([0.2, 0.4, 0.4, 0.0], 1e-9) == [0.0, 0.5, 0.5, 0.0]
    assert sharpen([0.2, 0.7, 0.1], 1e-300) == [0.0, 1.0, 0.0]
    hot = sharpen([0.2, 0.7, 0.1, 0.0], 1e300)  # very hot: uniform over the possible tokens, 0 stays 0
    assert all(abs(p - 1 / 3) < 1e-12 for p in hot[:3]) and hot[3] == 0.0


@pytest.mark.parametrize("chapter", [c.number for c in CHAPTERS])
def test_every_chapter_samples_at_any_temperature(chapter):
    engines = [e for e in ("scalar", "fast") if get(chapter).is_built(e)]
    for engine in engines:
        run = Run(RunConfig(chapter=chapter, engine=engine, steps=1))
        for temperature in EXTREME_TEMPERATURES:
            for seed in range(2):
                name = sample(run.model, random.Random(seed), temperature)
                assert isinstance(name, str) and len(name) <= run.model.block_size
                assert set(name) <= set(run.vocab.chars), (engine, temperature, name)


def test_sample_steps_trace_every_token_until_the_end():
    model = get(3).build(TOY_VOCAB, random.Random(0), "scalar")
    steps = list(sample_steps(model, random.Random(5)))
    assert steps[-1].token == "." or len(steps) == model.block_size
    text = ""
    for step in steps:
        assert step.context == text
        assert step.sums[step.index] > step.target
        assert step.index == 0 or step.sums[step.index - 1] <= step.target
        text += step.token if step.token != "." else ""
