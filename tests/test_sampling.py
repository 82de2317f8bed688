import random

from core.data import TOY_VOCAB
from core.chapters import get
from core.sampling import pick_index, sample_steps, sharpen


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
