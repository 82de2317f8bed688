"""Chapter 12 on the scalar engine is microgpt, bit for bit: the test vectors of microgpt.md, and every gradient
equal to that of a plain microgpt-style reference (bench/bench_scalar.py) to the last bit."""
import importlib.util
import random
from pathlib import Path

import pytest

from core.run import Run, RunConfig
from core.value import no_gc
from tests.test_fast_microgpt import LOSSES, SAMPLES

FIRST_DOCS = ["myliah", "kadan", "sloane", "kamarii", "naleia", "nile", "marycatherine", "gariel"]
FIRST_LOSSES = [3.487362926026387, 3.4163877016295805, 3.356768564746245, 3.136279030132205, 3.060227637279854]


def reference_module():
    path = Path(__file__).resolve().parent.parent / "bench" / "bench_scalar.py"
    spec = importlib.util.spec_from_file_location("bench_scalar", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def run():
    return Run(RunConfig(12, engine="scalar"))


def test_defaults_are_microgpts(run):
    c = run.config
    assert (c.data, c.steps, c.lr, c.seed, c.samples, c.temperature) == ("names", 1000, 0.01, 42, 20, 0.5)
    assert [run.lr_at(s) for s in (0, 1, 999)] == [0.01, 0.01 * (1 - 1 / 1000), 0.01 * (1 - 999 / 1000)]


def test_documents_after_the_shuffle(run):
    assert len(run.docs) == 32178
    assert run.docs[:8] == FIRST_DOCS
    assert len(run.vocab) == 27 and run.vocab.end == 26


def test_initial_parameters(run):
    w = run.model.weights()
    assert sum(m.size for m in w.values()) == len(run.model.params.flat) == 4192
    assert {k: v.shape for k, v in w.items()} == {
        "wte": (27, 16), "wpe": (16, 16), "lm_head": (27, 16), "attn_wq": (16, 16), "attn_wk": (16, 16),
        "attn_wv": (16, 16), "attn_wo": (16, 16), "mlp_fc1": (64, 16), "mlp_fc2": (16, 64)}
    assert w["wte"][0, 0] == 0.003154968626858666  # the first draw after the shuffle
    assert w["wpe"][3, 7] == -0.035779990977926966
    assert w["lm_head"][26, 15] == -0.04378941579058271
    assert w["attn_wq"][0, 0] == -0.17637096062671562
    assert w["mlp_fc2"][15, 63] == 0.14229619862404502  # the last one


def test_losses_of_the_first_five_steps_are_bit_identical(run):
    results = [run.train_step() for _ in range(5)]
    assert [r.loss for r in results] == FIRST_LOSSES
    assert [r.docs for r in results] == [[d] for d in FIRST_DOCS[:5]]


def test_gradients_and_updates_are_bit_identical_to_the_reference(run):
    ref = reference_module().Reference(len(run.vocab), random.Random(0))
    for p, q in zip(ref.params, run.model.params.flat):
        p.data = q.data  # the same starting point as ours
    for step in range(3):
        ids = run.encoded[step + 5]  # nile, marycatherine (a long name: 14 positions), gariel
        loss, grads = run.model.gradients(ids)
        with no_gc():
            ref_loss = ref.loss(ids)
            ref_loss.backward()
        assert loss == ref_loss.data
        ours = [g for name in grads for g in grads[name].ravel().tolist()]
        assert ours == [p.grad for p in ref.params]
        for p in ref.params:
            p.grad = 0
        lr = run.lr_at(run.step)
        with no_gc():
            assert run.model.train_step([ids], lr, run.step) == ref.train_step(ids, lr, run.step)
        run.step += 1
        assert [p.data for p in run.model.params.flat] == [p.data for p in ref.params]


def test_samples_match_the_reference_sampler(run):
    for _ in range(3):
        run.train_step()
    ref = reference_module().Reference(len(run.vocab), random.Random(0))
    for p, q in zip(ref.params, run.model.params.flat):
        p.data = q.data
    rng = random.Random(42)
    run.rng.seed(42)
    ours = [run.sample() for _ in range(5)]
    with no_gc():
        theirs = [run.vocab.decode(ref.sample(rng)) for _ in range(5)]
    assert ours == theirs


def test_the_scalar_engine_prints_microgpts_whole_run():
    run = Run(RunConfig(12, engine="scalar"))
    printed = [f"{run.train_step().loss:.4f}" for _ in range(run.steps)]
    assert printed == LOSSES
    assert [run.sample() for _ in range(20)] == SAMPLES


def test_plain_microgpt_and_both_engines_agree_over_the_first_40_steps():
    """The slow test below, in every run of the suite for its first steps: microgpt itself, not this project's
    engines' own earlier output, is what the losses are held to (the scalar engine's bit for bit)."""
    rng, docs, vocab, ref = reference_module().reference_setup()
    with no_gc():
        theirs = [ref.train_step(vocab.encode(docs[s]), 0.01 * (1 - s / 1000), s) for s in range(40)]
    scalar, fast = Run(RunConfig(12, engine="scalar")), Run(RunConfig(12, engine="fast"))
    with no_gc():
        assert [scalar.train_step().loss for _ in range(40)] == theirs
    assert [fast.train_step().loss for _ in range(40)] == pytest.approx(theirs, rel=1e-12)


@pytest.mark.slow
def test_plain_microgpt_prints_the_same_whole_run():
    """The expected run against microgpt itself (bench_scalar's plain version: one Value per + and *), so that a
    mistake both engines shared could not hide: its 1,000 steps (lr decaying linearly to 0) and its 20 samples."""
    rng, docs, vocab, ref = reference_module().reference_setup()
    with no_gc():
        printed = [f"{ref.train_step(vocab.encode(docs[s % len(docs)]), 0.01 * (1 - s / 1000), s):.4f}"
                   for s in range(1000)]
        samples = [vocab.decode(ref.sample(rng)) for _ in range(20)]
    assert printed == LOSSES
    assert samples == SAMPLES
