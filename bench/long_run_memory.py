"""Resident memory of a long training run, sampled as it goes: it should stay flat.

    python bench/long_run_memory.py [chapter] [engine] [steps]
"""
import sys
import time

from core.run import Run, RunConfig


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    chapter = sys.argv[1] if len(sys.argv) > 1 else "12"
    engine = sys.argv[2] if len(sys.argv) > 2 else "fast"
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    run = Run(RunConfig(chapter, engine=engine, steps=steps))
    started = time.monotonic()
    print(f"chapter {chapter} {engine}: {steps} steps; after building: {rss_mb():.1f} MB", flush=True)
    for i in range(1, steps + 1):
        run.train_step()
        if i % (steps // 20) == 0:
            h = run.history
            print(f"step {i:7d}  rss {rss_mb():6.1f} MB  history points {len(h.points)} span {h.span}  "
                  f"loss {h.last:.4f}  {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
