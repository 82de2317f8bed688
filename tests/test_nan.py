"""Numbers going wrong: a NaN or infinite loss or parameter stops training and puts back the last good state."""
import math
from dataclasses import replace

import numpy as np
import pytest

from core.run import Diverged, Run, RunConfig, RunError
from tui.cli import main


def weights_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def state(run: Run):
    model = run.model
    return model.weights(), model.optimizer_state(), model.grads(), run.step, run.history.state(), run.rng.getstate()


def assert_same_state(a: Run, b: Run) -> None:
    """Everything the playground shows of a run, the last step's gradients included."""
    (wa, oa, ga, sa, ha, ra), (wb, ob, gb, sb, hb, rb) = state(a), state(b)
    assert weights_equal(wa, wb) and weights_equal(ga, gb) and sa == sb and ha == hb and ra == rb
    assert oa.keys() == ob.keys() and all(weights_equal(oa[k], ob[k]) for k in oa)


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), float("-inf"), -0.5, -1e-9])
def test_a_learning_rate_that_cannot_work_is_refused_up_front(lr):
    with pytest.raises(RunError, match="--lr must be a finite number >= 0"):
        RunConfig(12, lr=lr).resolved()


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "-2"])
def test_cli_refuses_such_a_learning_rate(capsys, text):
    code = main(["train", "-c", "8", f"--lr={text}"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "--lr must be a finite number" in err and len(err.splitlines()) == 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("engine", ["fast", "scalar"])
def test_a_loss_that_ran_away_goes_back_past_the_steps_that_wrecked_the_model(engine):
    # chapter 9 at lr 5: the loss climbs finite for a dozen steps (to ~100) before one goes inf, and the parameters
    # of the step before already give some token p = 0. Going back one step left a model no rate could train on.
    config = RunConfig(9, engine=engine, steps=2000)
    run = Run(config)
    for _ in range(350):
        run.train_step()
    run.config = replace(config, lr=5.0)
    with pytest.raises(Diverged) as caught:
        while True:
            run.train_step()
    e = caught.value
    assert e.step > 360 and run.step == e.restored == 350  # the last sound checkpoint (one every 10 steps)
    assert str(e).endswith("back to the parameters after step 350, before the loss ran away")
    assert e.advice == "try a smaller learning rate, e.g. 0.5 (this chapter's default)"
    good = Run(config)  # exactly the run as it was at step 350, loss history included
    for _ in range(350):
        good.train_step()
    assert_same_state(run, good)
    run.config = replace(config, lr=0.0)  # and training goes on from there, even at a rate of 0
    for _ in range(30):
        run.train_step()
    assert run.step == 380


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_checkpoint_of_an_undone_step_is_never_gone_back_to():
    # step 10 at a wild rate wrecks the model, step 11 reads it (inf) and both go: the checkpoint taken at step 10
    # was of the wrecked parameters, and became the one to go back to once step 10 was trained again
    run = Run(RunConfig(9, steps=2000))
    config = run.config
    for _ in range(9):
        run.train_step()
    run.config = replace(config, lr=1e4)
    run.train_step()
    wrecked = run.model.checkpoint()
    run.config = config
    with pytest.raises(Diverged):
        run.train_step()
    assert run.step == 9
    run.train_step()  # step 10 again, at the chapter's rate
    kept = [c for c in (run._sound, run._candidate) if c is not None]
    assert all(not np.array_equal(checkpoint[0], wrecked[0]) for _, checkpoint, _ in kept)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_nudge_that_makes_the_loss_infinite_keeps_the_last_step_and_blames_the_nudge():
    # as the playground's Session.nudge does. The good step 300 was undone, and the advice was a smaller rate,
    # which changes nothing about weights set by hand
    run = Run(RunConfig(8, docs=("ann",)))
    while not run.done:
        run.train_step()
    trained = run.model.weights()
    run.weights_set_by_hand()
    run.model.set_weight("weights", (5,), 5000.0)  # '.' far above the rest: p(a) is 0 in float64
    run.check_last_update()  # the last update is not what the nudge broke: nothing undone
    with pytest.raises(Diverged) as caught:
        run.train_step()
    e = caught.value
    assert run.step == e.restored == 300 and e.by_hand and not e.limit
    assert str(e).endswith("back to the parameters after step 300, with the weights set by hand")
    assert e.advice == "the weights set by hand give it, not the learning rate: set them back"
    assert run.model.weights()["weights"][5] == 5000.0  # what the learner set is still there to set back
    assert weights_equal({k: v for k, v in run.model.weights().items()}, {"weights": np.r_[trained["weights"][:5], 5000.0]})


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_who_broke_the_loss_is_measured_the_nudge_or_the_update():
    def trained(steps, lr=0.5):
        run = Run(RunConfig(8, docs=("ann", "lee", "nil", "eli"), lr=lr))
        for _ in range(steps):
            run.train_step()
        return run

    # a nudge that breaks only names with an 'a': two good steps pass, the third ('ann') fails. It undid the good
    # step before it and advised a smaller rate
    run = trained(50)
    run.weights_set_by_hand()
    run.model.set_weight("weights", (0,), -5000.0)
    run.train_step(), run.train_step()
    with pytest.raises(Diverged) as caught:
        run.train_step()
    assert caught.value.by_hand and run.step == 52 and run.model.weights()["weights"][0] == -5000.0
    # an update that broke the numbers, then a small nudge while paused: the update goes, the nudge is not blamed
    run = trained(1, lr=1500.0)
    run.weights_set_by_hand()
    run.model.set_weight("weights", (1,), float(run.model.weights()["weights"][1]) + 0.1)
    with pytest.raises(Diverged) as caught:
        run.train_step()
    assert not caught.value.by_hand and run.step == 0 and caught.value.advice.startswith("try a smaller learning rate")


def test_loss_history_restores_a_state_in_place():
    run = Run(RunConfig(9, steps=50))
    for _ in range(20):
        run.train_step()
    history, kept = run.history, run.history.state()
    for _ in range(30):
        run.train_step()
    history.restore(kept)
    assert run.history is history and history.state() == kept and history.recent_mean()[1] == 20
    history.append(1.0)  # and it goes on as the one it came from
    assert history.count == 21 and history.last == 1.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's overflow; the test checks what Run reports
@pytest.mark.parametrize("chapter, engine", [(8, "fast"), (8, "scalar"), (9, "fast"), (10, "fast"), (11, "fast"),
                                             (12, "fast"), (12, "scalar")])
def test_a_huge_learning_rate_stops_training_and_restores_the_last_good_step(chapter, engine):
    config = RunConfig(chapter, engine=engine, lr=1e6, steps=50)
    run = Run(config)
    with pytest.raises(Diverged) as caught:
        while not run.done:
            run.train_step()
    e = caught.value
    # a non-finite loss blames the update before it, which is undone too; a non-finite parameter its own step
    assert run.step == e.restored == (e.step - 2 if e.step > 1 and "parameter" not in e.what else e.step - 1)
    assert str(e).startswith(f"training stopped at step {e.step}: ") and "back to the" in str(e)
    assert "became" in e.what or "arithmetic failed" in e.what  # scalar math raises: log(0), exp overflow
    assert e.advice.startswith("try a smaller learning rate, e.g.") and e.lr > 0
    good = Run(config)  # the same run, stopped at the step it went back to
    for _ in range(e.restored):
        good.train_step()
    assert_same_state(run, good)
    assert all(math.isfinite(x) for x in run.history.values())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_after_a_restore_a_smaller_learning_rate_trains_on():
    run = Run(RunConfig(12, engine="fast", lr=1e6, steps=40))
    with pytest.raises(Diverged):
        for _ in range(40):
            run.train_step()
    run.config = replace(run.config, lr=0.01)  # what the playground's [ key does
    losses = [run.train_step().loss for _ in range(5)]
    assert all(math.isfinite(x) for x in losses)
    assert run.step == 5 and run.history.count == 5
    fresh = Run(RunConfig(12, engine="fast", lr=0.01, steps=40))  # the steps of a run that never diverged
    assert losses == [fresh.train_step().loss for _ in range(5)]


@pytest.mark.parametrize("chapter, engine", [(6, "scalar"), (7, "scalar"), (7, "fast")])
def test_a_toy_weight_pushed_below_0_stops_training(chapter, engine):
    """Chapters 3-7 divide the weights by their sum: a weight below 0 makes a "probability" below 0."""
    run = Run(RunConfig(chapter, engine=engine, lr=1000, steps=50))
    with pytest.raises(Diverged, match=r"went below 0 \(.*\), so w / sum\(w\) is no longer a probability") as caught:
        while not run.done:
            run.train_step()
    e = caught.value
    assert run.step == e.restored == e.step - 1 and e.limit
    # 1000 is far above the chapter's 0.1: "only gets here later" would hide the rate that trains
    assert e.advice == "try this chapter's default learning rate, 0.1: it goes further before the limit"
    assert (run.model.weights()["weights"] >= 0).all()
    good = Run(RunConfig(chapter, engine=engine, lr=1000, steps=50))
    for _ in range(e.restored):
        good.train_step()
    assert_same_state(run, good)  # the Weights panel's "gradient (last step)" is the last kept step's


def test_chapter_6_at_its_own_rate_reaches_its_limit_too_and_the_cli_says_so(capsys):
    code = main(["train", "-c", "6", "--steps", "1000"])  # the usual run is 75 steps; far past it, a weight hits 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 3 and len(lines) == 2 and "went below 0" in lines[0] and "(learning rate 0.1)" in lines[0]
    assert lines[1].startswith("minigpt-tui: this is as far as this model goes: a smaller learning rate only gets "
                               "here later; minigpt-tui train -c 6 --steps ")


def test_with_softmax_weights_below_0_are_fine():
    run = Run(RunConfig(8, engine="fast", steps=30, lr=5))
    for _ in range(30):
        run.train_step()
    assert (run.model.weights()["weights"] < 0).any() and run.model.out_of_range() == ""


def test_a_parameter_gone_bad_with_a_finite_loss_is_caught(monkeypatch):
    run = Run(RunConfig(9, engine="fast", steps=20))
    for _ in range(3):
        run.train_step()
    before = state(run)
    real = run.model.train_step

    def train_step(batch, lr, t):
        loss = real(batch, lr, t)
        run.model.set_weight("wpe", (15, 0), float("inf"))  # a position no short name reaches: the loss stays finite
        return loss

    monkeypatch.setattr(run.model, "train_step", train_step)
    with pytest.raises(Diverged, match="step 4: parameter wpe became infinite") as caught:
        run.train_step()
    assert caught.value.what == "parameter wpe became infinite" and caught.value.restored == 3
    after = state(run)
    assert weights_equal(before[0], after[0]) and weights_equal(before[2], after[2]) and before[3:] == after[3:]


def test_scalar_arithmetic_errors_are_caught_too():
    run = Run(RunConfig(6, steps=10))
    for i, w in enumerate([1.0, -1.0, 0.5, -0.5, 0.25, -0.25]):  # they sum to 0: dividing by the sum fails
        run.model.set_weight("weights", (i,), w)
    before = run.model.weights()
    with pytest.raises(Diverged, match="step 1: the loss became nan: a division by zero"):
        run.train_step()
    assert weights_equal(before, run.model.weights()) and run.step == 0  # no update before it to undo


def test_the_guard_changes_no_number():
    run, bare = Run(RunConfig(12, engine="fast", steps=30)), Run(RunConfig(12, engine="fast", steps=30))
    for step in range(30):
        batch = [bare.encoded[i] for i in bare.batch_indices(step)]
        assert run.train_step().loss == bare.model.train_step(batch, bare.lr_at(step), step)
    assert weights_equal(run.model.weights(), bare.model.weights())


def test_past_its_schedule_a_decaying_learning_rate_stays_at_zero():
    run = Run(RunConfig(12, engine="fast", steps=10))
    assert run.lr_at(5) == 0.005 and run.lr_at(10) == 0.0 and run.lr_at(11) == 0.0


def test_cli_says_what_happened_and_what_to_try_with_exit_3(tmp_path, capsys):
    saved = tmp_path / "s.json"
    code = main(["train", "-c", "12", "--lr", "1e6", "--steps", "30", "--save", str(saved)])
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert code == 3 and len(lines) == 3 and "Traceback" not in err and "Warning" not in err
    assert lines[0].startswith("minigpt-tui: training stopped at step 2: the loss became")
    assert lines[0].endswith("back to the starting parameters")
    assert lines[1] == "minigpt-tui: try a smaller learning rate, e.g. --lr 0.01 (this chapter's default)"
    assert lines[2] == f"minigpt-tui: nothing is saved to {saved}: no step of this run could be kept"
    assert out.splitlines()[-1].startswith("step    1 /   30 | loss")  # no samples from a broken run
    assert not saved.exists()  # continuing it would only go wrong again at the same step


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy on weights near 1e300: the test checks what is reported
@pytest.mark.parametrize("chapter, engine", [(9, "fast"), (9, "scalar"), (11, "fast")])
def test_an_update_that_breaks_the_last_step_is_undone_too(chapter, engine):
    """A step's guard reads the loss before its update: the run's last update is checked at its end."""
    # at 1e100 the weights stay below WEIGHT_LIMIT, but logits near 1e200 give a target probability of 0
    run, fresh = Run(RunConfig(chapter, engine=engine, steps=1, lr=1e100)), Run(RunConfig(chapter, engine=engine))
    run.train_step()
    with pytest.raises(Diverged, match="step 1: the loss after its update became (nan|inf)") as caught:
        run.check_last_update()
    assert caught.value.restored == 0 and run.step == 0 and run.history.count == 0
    assert weights_equal(run.model.weights(), fresh.model.weights())
    run.check_last_update()  # nothing left to check: a no-op


def test_a_good_last_update_is_kept():
    run = Run(RunConfig(9, steps=3))
    for _ in range(3):
        run.train_step()
    weights = run.model.weights()
    run.check_last_update()
    assert run.step == 3 and weights_equal(run.model.weights(), weights)


def test_cli_checks_the_last_update_and_no_numpy_warning_reaches_the_user(tmp_path, capsys):
    saved = tmp_path / "s.json"
    code = main(["train", "--chapter", "9", "--steps", "1", "--lr", "1e100", "--save", str(saved)])
    out, err = capsys.readouterr()
    assert code == 3 and "sample" not in out and not saved.exists()
    assert err.splitlines() == [
        "minigpt-tui: training stopped at step 1: the loss after its update became inf (learning rate 1e+100); "
        "back to the starting parameters",
        "minigpt-tui: try a smaller learning rate, e.g. --lr 0.5 (this chapter's default)",
        f"minigpt-tui: nothing is saved to {saved}: no step of this run could be kept"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy on weights near 1e300: the test checks what is reported
def test_a_session_whose_weights_give_no_loss_is_refused(tmp_path):
    from core import session
    from core.session import SessionError

    run = Run(RunConfig(9))
    rng = np.random.default_rng(0)  # below WEIGHT_LIMIT, but logits near 1e200 give a target probability of 0
    run.model.load_weights({name: rng.normal(size=w.shape) * 1e100 for name, w in run.model.weights().items()})
    path = session.save(tmp_path / "broken.json", run)
    with pytest.raises(SessionError, match="its parameters cannot be used: they give a loss of (nan|inf)"):
        session.load(path)


def test_sampling_from_probabilities_that_are_not_numbers_is_one_clear_error():
    import random

    from core.sampling import SamplingError, pick_index

    for probs in ([math.nan, 0.5], [math.inf, 0.0], [0.0, 0.0]):
        with pytest.raises(SamplingError, match="weights have diverged"):
            pick_index(probs, random.Random(0))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("engine", ["fast", "scalar"])
def test_weights_blown_to_1e300_stop_the_run_though_the_loss_stays_finite(engine):
    """Chapter 12 normalises: with every weight near 1e300 its outputs are uniform and the loss finite (ln 27)."""
    run, fresh = Run(RunConfig(12, engine=engine, steps=5, lr=1e300)), Run(RunConfig(12, engine=engine))
    with pytest.raises(Diverged, match=r"step 1: parameter \w+ reached 1e\+300, past any size that means something"):
        run.train_step()
    assert run.step == 0 and weights_equal(run.model.weights(), fresh.model.weights())


def test_the_cli_stops_such_a_run_with_exit_3_and_saves_nothing(tmp_path, capsys):
    saved = tmp_path / "div.json"
    code = main(["train", "-c", "12", "--steps", "1", "--lr", "1e300", "--samples", "0", "--save", str(saved)])
    _, err = capsys.readouterr()
    assert code == 3 and not saved.exists() and "past any size that means something" in err


def trained(steps: int, chapter: int = 9, engine: str = "fast", planned: int = 2000) -> Run:
    run = Run(RunConfig(chapter, engine=engine, steps=planned))
    for _ in range(steps):
        run.train_step()
    return run


def nudge(run: Run, name: str, index: tuple, value: float) -> None:
    """What the playground's + does to a run."""
    run.weights_set_by_hand()
    run.model.set_weight(name, index, value)


def training_stops(run: Run) -> Diverged:
    with pytest.raises(Diverged) as caught:
        for _ in range(50):
            run.train_step()
    return caught.value


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_nudge_that_breaks_the_loss_a_few_steps_later_is_blamed_too():
    """Chapter 9 trained, wte[a][0] nudged to 156: the next step trains, its update grows from the nudge, the one
    after is inf. The last update was blamed: the advice was a smaller rate, then a smaller one, the nudge never
    named. Now the steps since the nudge are taken again from before it: finite, so the nudge is to blame."""
    run = trained(2000)
    nudge(run, "wte", (0, 0), 156.67)
    e = training_stops(run)
    assert e.step == 2002 and e.by_hand and e.advice == "the weights set by hand give it, not the learning rate: set them back"
    assert str(e).endswith("back to the parameters after step 2001, with the weights set by hand")
    assert run.step == 2001  # the step after the nudge stays: the nudged weight is there to set back
    run.model.set_weight("wte", (0, 0), 0.0)  # set back, training goes on
    for _ in range(20):
        run.train_step()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_wild_nudge_after_a_harmless_one_is_blamed_too():
    """The window was counted from the first nudge: a wild one 10 steps later was blamed on the learning rate."""
    run = trained(2000)
    nudge(run, "wte", (1, 1), float(run.model.weights()["wte"][1][1]) + 0.02)  # harmless
    for _ in range(10):
        run.train_step()
    nudge(run, "wte", (0, 0), 156.67)
    e = training_stops(run)
    assert e.by_hand and run.step == e.step - 1


@pytest.mark.parametrize("chapter, engine", [(9, "fast"), (12, "fast"), (12, "scalar"), (6, "scalar")])
def test_checking_the_run_without_the_nudge_changes_nothing(chapter, engine):
    def nudged_and_trained():
        run = trained(3, chapter, engine, planned=40)
        nudge(run, "wte" if chapter > 8 else "weights", (0, 0) if chapter > 8 else (0,), 0.5)
        run.train_step()
        return run

    run, same = nudged_and_trained(), nudged_and_trained()
    assert run.nudge_broke_it()  # the steps without the nudge are finite: it is what would be blamed
    assert_same_state(run, same)
    assert [run.train_step().loss for _ in range(3)] == [same.train_step().loss for _ in range(3)]
