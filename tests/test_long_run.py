"""Long runs keep memory flat: the loss history is downsampled, and nothing else grows with the step count."""
import gc
import math
import tracemalloc

import pytest

from core.run import LossHistory, Run, RunConfig


def test_the_history_never_holds_more_than_its_capacity():
    history = LossHistory(capacity=64)
    for i in range(100_000):
        history.append(float(i % 7))
        assert len(history.points) < 64 and len(history._pending) < history.span
    assert history.count == 100_000 and history.span == 2048 and history.last == 100_000 % 7 - 1 + 0.0
    assert len(history.values()) <= 64


def test_each_point_is_the_mean_of_its_span_of_steps():
    history = LossHistory(capacity=8)
    losses = [math.sin(i) for i in range(1000)]
    for x in losses:
        history.append(x)
    span = history.span
    expected = [math.fsum(losses[i:i + span]) / span for i in range(0, len(history.points) * span, span)]
    assert history.points == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("capacity, n", [(4, 1), (4, 3), (4, 4), (4, 8), (8, 1000), (8, 1023)])
def test_undo_takes_back_exactly_the_last_append(capacity, n):
    history, reference = LossHistory(capacity), LossHistory(capacity)
    for i in range(n):
        history.append(float(i))
        reference.append(float(i))
    history.append(99.0)  # this one may flush a bucket, or merge every point
    history.undo()
    assert history.state() == reference.state()
    history.append(float(n))
    reference.append(float(n))
    assert history.state() == reference.state()


def test_a_state_round_trip_continues_the_same():
    history = LossHistory(capacity=16)
    for i in range(777):
        history.append(i / 3)
    copy = LossHistory.from_state(history.state())
    for i in range(500):
        history.append(i / 7)
        copy.append(i / 7)
    assert copy.state() == history.state()


@pytest.mark.parametrize("steps", [1, 7, 50, 63, 64, 65, 100, 257])
def test_the_recent_mean_is_exactly_over_the_last_50_steps_whatever_merged(steps):
    history, losses = LossHistory(capacity=8), [math.sin(i) + 2 for i in range(steps)]  # points merge: span 1..64
    for loss in losses:
        history.append(loss)
    mean, count = history.recent_mean()
    assert count == min(steps, 50) and mean == pytest.approx(sum(losses[-count:]) / count, rel=1e-12)
    history.append(9.0)
    history.undo()  # the loss it pushed out comes back
    assert history.recent_mean() == (mean, count)


def test_an_opened_history_keeps_its_recent_losses_and_an_older_file_what_it_can():
    merged = LossHistory(capacity=8)
    for i in range(3000):
        merged.append(2 + (i % 7) / 10)  # span 512: the points hold no step's own loss
    assert LossHistory.from_state(merged.state()).recent_mean() == merged.recent_mean() == (pytest.approx(2.3), 50)
    older = merged.state()
    del older["recent"]  # a file saved before the history kept them: the pending bucket's losses are each a step's
    assert len(older["pending"]) == 3000 % 512 and LossHistory.from_state(older).recent_mean() == merged.recent_mean()
    assert LossHistory.from_state(older | {"recent": []}).recent_mean() == merged.recent_mean()  # emptied by hand
    one_per_step = LossHistory(capacity=4096)
    for i in range(80):
        one_per_step.append(i / 3)
    older = one_per_step.state()
    del older["recent"]
    assert LossHistory.from_state(older).recent_mean() == one_per_step.recent_mean()  # a point per step
    assert LossHistory().recent_mean()[1] == 0


def test_ten_thousand_steps_of_a_run_use_no_more_memory_than_two_thousand():
    run = Run(RunConfig(8, engine="fast", steps=1_000_000))
    for _ in range(2000):
        run.train_step()
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        objects = len(gc.get_objects())
        for _ in range(8_000):
            run.train_step()
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.step == 10_000 and len(run.history.points) < run.history.capacity
    # the history may fill up to its capacity (2048 floats); a leak of one small object a step would be 250 kB
    assert end - start < 100_000
    assert len(gc.get_objects()) - objects < 100
