"""What the NaN/inf guard of Run.train_step costs per step: the same steps with and without it, in one process.

    python bench/guard_overhead.py [chapter] [engine] [steps]
"""
import sys
import time

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
    config = RunConfig(chapter, engine=engine, steps=10 * n)
    bare, guarded = [], []
    for _ in range(3):  # alternate, so a slow moment of the machine hits both
        bare.append(bare_steps(Run(config), n))
        guarded.append(guarded_steps(Run(config), n))
    b, g = min(bare), min(guarded)
    print(f"chapter {chapter} ({Run(config).config.engine}), {n} steps: without guard {1e6 * b / n:.1f} us/step, "
          f"with guard {1e6 * g / n:.1f} us/step, ratio {g / b:.3f}")


if __name__ == "__main__":
    main()
