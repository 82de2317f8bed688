"""The fast (numpy) engine gives the scalar engine's numbers, and microgpt's (microgpt.md's test vectors)."""
import math
import random

import numpy as np
import pytest

from core import data
from core.chapters import get
from core.run import Run, RunConfig

FAST_CHAPTERS = [7, 8, 9, 10, 11, 12]
TOY_DOCS = ["ann", "leia", "elaine", "nina"]
NAME_DOCS = ["myliah", "kadan", "marycatherine", "abcdefghijklmnopqrstu", "x"]  # one past block_size, one tiny


@pytest.fixture(scope="module")
def names():
    return data.load("names")


def dataset(n, names):
    return data.toy() if n <= 8 else names


def documents(n, names):
    ds = dataset(n, names)
    return [ds.vocab.encode(d) for d in (TOY_DOCS if n <= 8 else NAME_DOCS)]


def build(n, names, engine, seed=3):
    return get(n).build(dataset(n, names).vocab, random.Random(seed), engine)


def assert_close(a, b, rel=1e-12):
    """Equal to `rel` relative to the array's largest entry (entries near 0 compare against that scale)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    scale = max(np.abs(b).max(), 1e-300)
    assert np.abs(a - b).max() <= rel * scale, np.abs(a - b).max() / scale


# --- the scalar engine's numbers ---------------------------------------------------------------------
@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_fast_is_the_default_engine(n):
    assert get(n).default_engine == "fast"
    assert type(get(n).build(data.toy().vocab, random.Random(0))).__module__.startswith("core.fast.")


@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_same_initial_weights_as_scalar(n, names):
    scalar, fast = build(n, names, "scalar"), build(n, names, "fast")
    s, f = scalar.weights(), fast.weights()
    assert list(s) == list(f)
    for name in s:
        assert np.array_equal(s[name], f[name]), name
    assert scalar.rng.random() == fast.rng.random()  # the same number of draws


@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_gradients_equal_scalar(n, names):
    scalar, fast = build(n, names, "scalar"), build(n, names, "fast")
    for ids in documents(n, names):
        loss_s, grads_s = scalar.gradients(ids)
        loss_f, grads_f = fast.gradients(ids)
        assert loss_f == pytest.approx(loss_s, rel=1e-13)
        assert list(grads_f) == list(grads_s)
        for name in grads_s:
            assert_close(grads_f[name], grads_s[name])
            assert np.allclose(grads_f[name], grads_s[name], rtol=1e-12, atol=1e-17)  # entry by entry too


@pytest.mark.parametrize("n", [7, 8])
def test_toy_chapters_on_the_names_vocabulary_equal_scalar(n, names):
    scalar = get(n).build(names.vocab, random.Random(5), "scalar")
    fast = get(n).build(names.vocab, random.Random(5), "fast")
    assert np.array_equal(fast.weights()["weights"], scalar.weights()["weights"])  # rng.random() per token
    ids = names.vocab.encode("marycatherine")
    (loss_s, grads_s), (loss_f, grads_f) = scalar.gradients(ids), fast.gradients(ids)
    assert loss_f == pytest.approx(loss_s, rel=1e-13)
    assert_close(grads_f["weights"], grads_s["weights"])


@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_probs_and_losses_equal_scalar(n, names):
    scalar, fast = build(n, names, "scalar"), build(n, names, "fast")
    for ids in documents(n, names):
        assert_close(fast.probs(ids), scalar.probs(ids))
        assert_close(fast.position_losses(ids), scalar.position_losses(ids))
        assert len(fast.probs(ids)) == min(len(ids) + 1, 16)


@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_training_steps_with_batches_equal_scalar(n, names):
    scalar, fast = build(n, names, "scalar"), build(n, names, "fast")
    docs = documents(n, names)
    lr = get(n).lr
    for t, batch in enumerate([docs[:1], docs[1:3], docs[2:5], docs[:1]]):
        assert fast.train_step(batch, lr, t) == pytest.approx(scalar.train_step(batch, lr, t), rel=1e-12)
    for name, w in scalar.weights().items():
        assert_close(fast.weights()[name], w)
    for name, g in scalar.grads().items():
        assert_close(fast.grads()[name], g, rel=1e-10)


@pytest.mark.parametrize("n", FAST_CHAPTERS)
@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_sampler_equals_scalar(n, names, temperature):
    scalar, fast = build(n, names, "scalar"), build(n, names, "fast")
    ids = documents(n, names)[2]
    next_s, next_f = scalar.sampler(temperature), fast.sampler(temperature)
    for token in [dataset(n, names).vocab.end] + ids[:10]:
        assert_close(next_f(token), next_s(token))


# --- exact on its own: finite differences, the chapters' numbers ----------------------------------------
@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_gradients_equal_central_differences(n, names):
    model = build(n, names, "fast")
    ids = documents(n, names)[2]
    loss, grads = model.gradients(ids)
    assert loss == pytest.approx(model.loss(ids), rel=1e-14)
    pick = random.Random(n)
    for name, g in grads.items():
        w = model.weights()[name]
        for index in [tuple(pick.randrange(s) for s in w.shape) for _ in range(4)] + [np.unravel_index(np.abs(g).argmax(), g.shape)]:
            eps = 1e-5
            model.set_weight(name, index, w[index] + eps)
            up = model.loss(ids)
            model.set_weight(name, index, w[index] - eps)
            down = model.loss(ids)
            model.set_weight(name, index, w[index])
            assert (up - down) / (2 * eps) == pytest.approx(g[index], rel=1e-5, abs=1e-9), (name, index)


def test_chapter7_gives_chapter4s_loss_and_exact_gradients():
    model = get(7).build(data.TOY_VOCAB, random.Random(0), "fast")
    ann = data.TOY_VOCAB.encode("ann")
    assert model.loss(ann) == pytest.approx(0.8867781155015197, rel=1e-15)
    w = np.array([0.62, 0.45, 0.85, 0.67, 0.17, 0.53])
    s = w.sum()
    targets = [0, 4, 4, 5]
    exact = np.mean([w[t] / s**2 - (np.arange(6) == t) / s for t in targets], axis=0)  # d(1 - w_t / S) / dw
    assert_close(model.gradients(ann)[1]["weights"], exact, rel=1e-14)


@pytest.mark.parametrize("engine", ["scalar", "fast"])
def test_chapter8_equal_logits_give_log_vocab_size(engine, names):
    for vocab, name in ((data.TOY_VOCAB, "elaine"), (names.vocab, "emma")):  # ln 6 on the toy set, ln 27 on names
        model = get(8).build(vocab, random.Random(0), engine)
        model.load_weights({"weights": np.zeros(len(vocab))})
        assert model.loss(vocab.encode(name)) == pytest.approx(math.log(len(vocab)), rel=1e-15)
    assert len(names.vocab) == 27


# --- batches --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_a_batch_is_the_mean_of_its_documents(n, names):
    model = build(n, names, "fast")
    docs = documents(n, names)
    each = [model.gradients(ids) for ids in docs]
    loss = model.train_step(docs, 0.0, 0)  # lr 0: the step leaves the weights alone (Adam too)
    assert loss == pytest.approx(np.mean([l for l, _ in each]), rel=1e-14)
    for name, g in model.grads().items():
        assert_close(g, np.mean([grads[name] for _, grads in each], axis=0), rel=1e-13)


@pytest.mark.parametrize("n", [11, 12])
@pytest.mark.parametrize("texts", [
    ["emma", "liam", "noah"],  # one length: nothing is padded
    ["x", "abcdefghijklmno", "x"],  # the shortest beside one of 16 positions
    ["abcdefghijklmnopqrstu"] + ["ann", "muhammadibrahim", "bo"] * 90,  # 271: past WHOLE_MASK_LIMIT, broadcast masks
])
def test_a_causal_batch_is_the_mean_of_its_documents(n, names, texts):
    model = build(n, names, "fast")
    docs = [names.vocab.encode(t) for t in texts]
    each = [model.gradients(ids) for ids in docs]
    loss = model.run(docs)
    assert loss == pytest.approx(np.mean([l for l, _ in each]), rel=1e-13)
    for name, g in model.grads().items():
        assert_close(g, np.mean([grads[name] for _, grads in each], axis=0), rel=1e-12)


def test_pack_pads_with_the_end_token_and_keeps_the_real_positions():
    model = get(9).build(data.TOY_VOCAB, random.Random(0), "fast")
    ann, ie = data.TOY_VOCAB.encode("ann"), data.TOY_VOCAB.encode("ie")
    inputs, real, targets, weights = model.pack([ann, ie])
    assert inputs.tolist() == [[5, 0, 4, 4], [5, 1, 3, 5]]
    assert real.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert targets.tolist() == [0, 4, 4, 5, 1, 3, 5]
    assert weights.tolist() == [1 / 8] * 4 + [1 / 6] * 3
    inputs, real, targets, weights = model.pack([ann])
    assert inputs.tolist() == [[5, 0, 4, 4]] and real is None and weights.tolist() == [0.25] * 4
    assert model.pack([ann, ann])[1] is None  # nothing padded


def test_batch_indices_through_run():
    run = Run(RunConfig(12, steps=10, batch=4))
    first = run.train_step()
    assert len(first.docs) == 4 and first.docs[0] == "myliah"
    assert run.train_step().docs[0] == run.docs[4]


# --- the contract ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [9, 10, 11, 12])
def test_kv_cache_sampler_gives_the_full_forward_probs(n, names):
    model = build(n, names, "fast")
    ids = documents(n, names)[3][:15]
    full = model.probs(ids)
    next_probs = model.sampler(1.0)
    for pos, token in enumerate([names.vocab.end] + ids):
        assert_close(next_probs(token), full[pos], rel=1e-13)


@pytest.mark.parametrize("n", FAST_CHAPTERS)
def test_weights_set_load_and_flags(n, names):
    model = build(n, names, "fast")
    assert model.has_loss and model.has_gradients and model.trainable
    ids = documents(n, names)[0]
    before, weights = model.loss(ids), model.weights()
    name = next(iter(weights))
    index = (0,) * weights[name].ndim
    model.set_weight(name, index, weights[name][index] + 0.5)
    assert model.weights()[name][index] == weights[name][index] + 0.5
    assert model.loss(ids) != before
    model.load_weights(weights)
    assert model.loss(ids) == before
    weights[name][index] = 99.0  # weights() is a copy
    assert model.weights()[name][index] != 99.0
    assert all(not g.any() for g in model.grads().values())  # zeros before the first step
    model.gradients(ids)
    assert all(not g.any() for g in model.grads().values())  # gradients() leaves grads() alone
    model.train_step([ids], get(n).lr, 0)
    assert any(g.any() for g in model.grads().values())


def test_gpt_optimizer_state_round_trip(names):
    a, b = build(12, names, "fast"), build(12, names, "fast")
    docs = documents(12, names)
    for t, ids in enumerate(docs[:3]):
        a.train_step([ids], 0.01, t)
    b.load_weights(a.weights())
    b.load_optimizer_state(a.optimizer_state())
    assert set(a.optimizer_state()) == {"m", "v"}
    assert a.train_step([docs[3]], 0.01, 3) == b.train_step([docs[3]], 0.01, 3)
    for name, w in a.weights().items():
        assert np.array_equal(w, b.weights()[name])


# --- microgpt.md's test vectors on the fast engine --------------------------------------------------------
MICROGPT_LOSSES = [3.487362926026387, 3.4163877016295805, 3.356768564746245, 3.136279030132205, 3.060227637279854]


def microgpt_run(steps=1000):
    return Run(RunConfig(12, engine="fast", steps=steps))


def test_microgpt_first_documents_init_and_first_losses():
    run = microgpt_run()
    assert run.docs[:8] == ["myliah", "kadan", "sloane", "kamarii", "naleia", "nile", "marycatherine", "gariel"]
    assert len(run.vocab) == 27 and run.vocab.end == 26
    assert sum(w.size for w in run.model.weights().values()) == 4192
    rng = random.Random(42)
    rng.shuffle(list(data.load("names").docs))
    first = [rng.gauss(0, 0.08) for _ in range(27 * 16)]
    assert run.model.weights()["wte"].ravel().tolist() == first  # microgpt's first draws: wte, row by row
    for expected in MICROGPT_LOSSES:
        assert run.train_step().loss == pytest.approx(expected, rel=1e-13, abs=1e-13)


# the full 1,000-step run and its samples: tests/test_fast_microgpt.py


def test_first_50_steps_print_as_the_scalar_engine():
    fast, scalar = microgpt_run(), Run(RunConfig(12, engine="scalar"))
    for _ in range(50):
        assert f"{fast.train_step().loss:.4f}" == f"{scalar.train_step().loss:.4f}"


@pytest.mark.parametrize("n", [9, 12])
def test_checkpoint_restore_and_finite_guard(n, names):
    model = build(n, names, "fast")
    docs = documents(n, names)
    kept, weights = model.checkpoint(), model.weights()
    state = model.optimizer_state()
    for t in range(3):
        model.train_step([docs[t]], get(n).lr, t)
    assert model.all_bounded()
    model.restore(kept)
    for name, w in weights.items():
        assert np.array_equal(model.weights()[name], w)
    for kind, arrays in state.items():
        for name, a in arrays.items():
            assert np.array_equal(model.optimizer_state()[kind][name], a)
    model.set_weight("wte", (1, 2), float("nan"))
    assert not model.all_bounded()
    model.set_weight("wte", (1, 2), float("inf"))
    assert not model.all_bounded()
    model.set_weight("wte", (1, 2), 1e200)  # finite, but past any weight that means something
    assert not model.all_bounded()


def test_run_stops_a_diverging_fast_run_with_the_last_good_weights():
    from core.run import Diverged

    run = Run(RunConfig(9, steps=50, lr=1e6))
    with pytest.raises(Diverged), np.errstate(all="ignore"):  # the CLI silences numpy's warnings the same way
        for _ in range(50):
            run.train_step()
    assert run.model.all_bounded()


def test_chapter10_pulls_ahead_of_chapter9_when_trained_on():
    """Chapter 10 reads the same context as chapter 9 (the last token and its position): at their defaults the
    hidden layer's loss is about chapter 9's after 2000 steps and clearly below it by 5000, as the playground says."""

    def late_loss(number):
        run = Run(RunConfig(number, steps=5000))
        losses = [run.train_step().loss for _ in range(run.steps)]
        return sum(losses[-1000:]) / 1000

    assert late_loss(10) < late_loss(9) - 0.02


@pytest.mark.parametrize("number", [9, 10, 11, 12])
def test_every_context_chapter_learns_visibly_with_its_defaults_on_the_fast_engine(number):
    """The spec's rule, in every run of the suite (the scalar engine's chapter 11 takes minutes: a slow test): within
    its default steps (at most 2,000) the smoothed loss falls well below a fair die's ln 27."""
    run = Run(RunConfig(number))
    assert run.config.engine == "fast" and run.steps <= 2000
    losses = [run.train_step().loss for _ in range(run.steps)]
    assert sum(losses[-200:]) / 200 < math.log(27) - 0.4
