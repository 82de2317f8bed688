"""Chapters 1-6 reproduce every number of the spec (chapters.md), to the last digit where it gives one."""
import random

import pytest

from core.chapters import CHAPTERS, ChapterError, get
from core.chapters.c05_gradients import EPSILON
from core.data import TOY_DOCS, TOY_VOCAB
from core.run import Run, RunConfig

CH3_PROBS = [0.1884498480243161, 0.13677811550151975, 0.25835866261398177, 0.20364741641337386,
             0.05167173252279635, 0.16109422492401215]
CH5_GRADS = [-0.04144791378833945, 0.03430966196923402, 0.03430966196923402, 0.03430966196923402,
             -0.11720548954591292, -0.04144791378833945]
CH6_WEIGHTS = [0.7684283521597673, 0.03834814625055266, 0.43834814625055263, 0.25834814625054936,
               0.8785085580690032, 0.6784283521597718]
ANN = TOY_VOCAB.encode("ann")


def build(n):
    return get(n).build(TOY_VOCAB, random.Random(0), "scalar")


def test_registry_has_twelve_chapters_in_order():
    assert [c.number for c in CHAPTERS] == list(range(1, 13))
    assert [c.name for c in CHAPTERS] == ["tokens", "logits", "weights", "loss", "gradients", "training",
                                          "backprop", "softmax", "embeddings", "hidden", "attention", "gpt"]
    assert get("training") is get(6) is get("6")
    assert get(6).label == "6/12 training"
    with pytest.raises(ChapterError, match="unknown chapter"):
        get("nope")


def test_toy_vocabulary_order_and_end_token():
    assert TOY_VOCAB.tokens == ["a", "i", "l", "e", "n", "."]
    assert TOY_VOCAB.end == 5
    assert ANN == [0, 4, 4]


def test_chapter1_is_a_fair_die():
    assert build(1).probs(ANN) == [[1 / 6] * 6] * 4


def test_chapter2_draws_fresh_scores_each_time():
    model = build(2)
    first, second = model.next_probs([]), model.next_probs([])
    assert first != second
    assert sum(first) == pytest.approx(1.0)


@pytest.mark.parametrize("chapter", [3, 4, 5, 6])
def test_chapter3_probabilities_for_any_context(chapter):
    model = build(chapter)
    for probs in model.probs(TOY_VOCAB.encode("elaine")):
        assert probs == CH3_PROBS


def test_chapter4_loss_of_ann():
    assert build(4).loss(ANN) == 0.8867781155015197
    assert len(build(4).position_losses(ANN)) == 4  # a, n, n, then "."


def test_chapter5_first_gradient_by_hand():
    model = build(5)
    old = model.loss(ANN)
    model.w[0] += EPSILON
    assert model.loss(ANN) == 0.8863636363636364
    assert (0.8863636363636364 - old) / EPSILON == CH5_GRADS[0]


def test_chapter5_all_gradients_and_weights_restored():
    model = build(5)
    loss, grads = model.gradients(ANN)
    assert loss == 0.8867781155015197
    assert grads["weights"].tolist() == CH5_GRADS
    assert model.weights()["weights"].tolist() == [0.62, 0.45, 0.85, 0.67, 0.17, 0.53]


def test_chapter6_trains_on_ann_to_the_spec_weights():
    run = Run(RunConfig(6, docs=("ann",), steps=75, lr=0.1))
    losses = [run.train_step().loss for _ in range(75)]
    assert run.model.weights()["weights"].tolist() == CH6_WEIGHTS
    assert losses[0] == 0.8867781155015197  # the loss before the first update
    assert losses[-1] < losses[0]


def test_chapter6_on_the_eight_toy_documents_uses_docs_in_turn():
    run = Run(RunConfig(6, data="toy"))
    assert run.docs == TOY_DOCS and run.steps == 75 and run.config.lr == 0.1
    results = [run.train_step() for _ in range(75)]
    assert [r.docs[0] for r in results[:9]] == TOY_DOCS + ["ann"]
    # the same loop written out by hand, as the post does it
    model = build(6)
    for step in range(75):
        ids = TOY_VOCAB.encode(TOY_DOCS[step % 8])
        loss, grads = model.numerical_gradients(ids)
        assert loss == results[step].loss
        model.w = [w - 0.1 * g for w, g in zip(model.w, grads)]
    assert run.model.w == model.w
    assert run.model.w != [0.62, 0.45, 0.85, 0.67, 0.17, 0.53]


def the_posts_training(docs: list[str], steps: int = 75, lr: float = 0.1, epsilon: float = 0.01) -> list[float]:
    """Chapter 6 written out once more, apart from core: the post's loss (the mean of 1 - p, p a weight over their
    left-to-right sum) and its forward-difference gradients, step k on docs[k % len(docs)]."""
    vocab = ["a", "i", "l", "e", "n", "."]

    def loss(w, doc):
        total = 0.0
        for x in w:
            total += x
        surprise = 0.0
        targets = [vocab.index(c) for c in doc] + [vocab.index(".")]
        for t in targets:
            surprise += 1 - w[t] / total
        return surprise / len(targets)

    w = [0.62, 0.45, 0.85, 0.67, 0.17, 0.53]
    for k in range(steps):
        doc, before = docs[k % len(docs)], loss(w, docs[k % len(docs)])
        grads = [(loss(w[:i] + [w[i] + epsilon] + w[i + 1:], doc) - before) / epsilon for i in range(len(w))]
        w = [x - lr * g for x, g in zip(w, grads)]
    return w


def test_chapter6_on_the_eight_toy_documents_matches_the_posts_loop_written_apart():
    assert the_posts_training(["ann"]) == CH6_WEIGHTS  # the loop written apart gives the spec's numbers
    run = Run(RunConfig(6, data="toy"))
    for _ in range(75):
        run.train_step()
    assert run.model.weights()["weights"].tolist() == the_posts_training(TOY_DOCS) == [
        0.7457226810172285, 0.34674434042876695, 0.791765196257184, 0.5781773211644908, 0.22082087667172554,
        0.6242597490637487]


def test_runs_are_deterministic_under_a_seed():
    def names(seed):
        run = Run(RunConfig(2, seed=seed))
        return [run.sample() for _ in range(5)]

    assert names(1) == names(1)
    assert names(1) != names(2)


def test_sampling_stops_at_the_end_token_or_block_size():
    run = Run(RunConfig(1, seed=3))
    for _ in range(50):
        name = run.sample()
        assert "." not in name and len(name) <= 16
