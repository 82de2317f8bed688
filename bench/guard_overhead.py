"""What the NaN/inf guard of Run.train_step costs per step: the same steps with and without it, in one process.

    python bench/guard_overhead.py [chapter] [engine] [steps]
"""
import math
import sys
import time
import timeit

from core.run import Run, RunConfig


def bare_steps(run: Run, n: int) -> float:
    """The model's own train_step with Run's batching, without the guard and the history."""
    started = time.perf_counter()
    for _ in range(n):
        batch = [run.encoded[i] for i in run.batch_indices(run.step)]
        run.model.train_step(batch, run.lr_at(run.step), run.step)
        run.step += 1
    return time.perf_counter() - started


def guarded_steps(run: Run, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        run.train_step()
    return time.perf_counter() - started


def main() -> None:
    chapter = sys.argv[1] if len(sys.argv) > 1 else "12"
    engine = sys.argv[2] if len(sys.argv) > 2 else None
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    config = RunConfig(chapter, engine=engine, steps=100 * n)
    bare_run, guarded_run = Run(config), Run(config)
    bare, guarded = [], []
    for _ in range(10):  # short blocks, alternating, so a busy moment of the machine hits both alike
        bare.append(bare_steps(bare_run, n // 10))
        guarded.append(guarded_steps(guarded_run, n // 10))
    b, g = 10 * min(bare), 10 * min(guarded)
    print(f"chapter {chapter} ({Run(config).config.engine}), {n} steps: without guard {1e6 * b / n:.1f} us/step, "
          f"with guard {1e6 * g / n:.1f} us/step, ratio {g / b:.3f}")
    # the guard's own work, timed alone (steadier than the difference of two noisy totals on a busy machine)
    model = guarded_run.model
    guard = min(timeit.repeat(lambda: (model.checkpoint(), math.isfinite(1.0), model.all_bounded()), number=200,
                              repeat=20)) / 200
    print(f"the guard's work alone: {1e6 * guard:.1f} us/step ({100 * guard / (b / n):.1f}% of a step without it)")


if __name__ == "__main__":
    main()
