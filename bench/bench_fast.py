"""Speed of the fast (numpy) engine against PyTorch, the scalar engine and a plain microgpt, all run here, now.

    /work/venv/bin/python bench/bench_fast.py            # the whole table (about a minute)
    /work/venv/bin/python bench/bench_fast.py --quick    # fewer rounds (about half a minute)

Every comparison runs both sides in the same process, in alternating rounds over the same documents, and keeps
each side's best round, so a busy machine slows both alike. PyTorch is optional (`pip install torch==2.13.0`, the CPU build): without it
those rows say so. The PyTorch model below is chapter 12 written the usual PyTorch way (autograd, a causal
scaled_dot_product_attention, cross_entropy, torch.optim.Adam), on one thread, fed the same padded batches.
Both sides' documents are encoded before the races start (the time of a training step, not of reading names.txt).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# one thread for numpy's BLAS too, as for PyTorch: a fair race, and no thread hand-offs on tiny matrices
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

from core.run import Run, RunConfig  # noqa: E402


def fast_run(batch=1):
    return Run(RunConfig(12, engine="fast", batch=batch))


def encoded_run(batch=1):
    """A run whose documents are all encoded already. Run encodes a document when a step first reads it (in
    a --batch 32 run, 32 new ones a step): the races time the two engines' training steps, not that."""
    run = fast_run(batch)
    run.encoded = run.encoded[:]  # a list: EncodedDocs itself encodes on every read
    return run


class TorchGPT:
    """Chapter 12 in PyTorch: same weights, same batches, same loss, Adam with microgpt's constants."""

    def __init__(self, run):
        import torch

        torch.set_num_threads(1)
        self.torch, self.run = torch, run
        self.w = {k: torch.tensor(v, requires_grad=True) for k, v in run.model.weights().items()}
        # fused: the fastest of PyTorch's three Adam implementations on this CPU
        self.opt = torch.optim.Adam(list(self.w.values()), lr=0.01, betas=(0.85, 0.99), eps=1e-8, fused=True)

    @staticmethod
    def rmsnorm(x):
        return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5

    def loss(self, inputs, real, targets, shares):
        torch, w = self.torch, self.w
        F = torch.nn.functional
        b, length = inputs.shape
        x = self.rmsnorm(w["wte"][inputs] + w["wpe"][:length])
        r = x
        x = self.rmsnorm(x)
        qkv = x @ torch.cat([w["attn_wq"], w["attn_wk"], w["attn_wv"]]).T
        q, k, v = qkv.view(b, length, 3, 4, 4).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, length, 16)
        x = a @ w["attn_wo"].T + r
        if real is not None:  # the padded positions are dropped after attention, as the fast engine does
            x = x.view(b * length, 16)[real]
        r = x
        x = F.relu(self.rmsnorm(x) @ w["mlp_fc1"].T) @ w["mlp_fc2"].T + r
        logits = x @ w["lm_head"].T
        losses = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets, reduction="none")
        return (losses * shares).sum()

    def train_step(self, step):
        torch, run = self.torch, self.run
        batch = [run.encoded[i] for i in run.batch_indices(step)]
        inputs, real, targets, shares = run.model.pack(batch)
        inputs, targets, shares = (torch.from_numpy(a) for a in (inputs, targets, shares))
        real = None if real is None else torch.from_numpy(real)
        for group in self.opt.param_groups:
            group["lr"] = run.lr_at(step)
        loss = self.loss(inputs, real, targets, shares)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.item()


def stepper(engine, batch=1):
    """Training step s of an engine as Run takes it (its documents, its decayed lr), without Run's guard."""
    run = encoded_run(batch) if engine == "fast" else Run(RunConfig(12, engine=engine, batch=batch))
    model = run.model
    return lambda s: model.train_step([run.encoded[i] for i in run.batch_indices(s)], run.lr_at(s % run.steps), s)


def reference_stepper():
    """bench_scalar.py's plain microgpt (one Value per + and *): the speed of microgpt itself."""
    from bench_scalar import reference_setup

    rng, docs, vocab, ref = reference_setup()
    return lambda s: ref.train_step(vocab.encode(docs[s]), 0.01 * (1 - s % 1000 / 1000), s)


def spread(count, batch=1):
    """`count` step numbers spread evenly over one pass through names.txt: their documents are a fair sample
    (names differ in length, and so do their steps' times; the first few hundred are longer than the average)."""
    return range(0, count * (32_000 // batch // count), 32_000 // batch // count)


def race(sides, rounds, steps):
    """Seconds per step of each side: alternating rounds of the given step numbers, the best round of each. Every
    side trains on the same documents in every round."""
    best = [float("inf")] * len(sides)
    for _ in range(rounds):
        for i, fn in enumerate(sides):
            start = time.perf_counter()
            for s in steps:
                fn(s)
            best[i] = min(best[i], (time.perf_counter() - start) / len(steps))
    return best


def import_torch():
    """torch, or None (not installed, or installed but failing to import: those rows then say skipped)."""
    try:
        import torch
    except Exception:  # noqa: BLE001 - a broken install is as good as none here
        return None
    return torch


def check_torch_is_the_same_model():
    """PyTorch's first losses equal the fast engine's (so the race is between two implementations of one model)."""
    fast, ref = fast_run(), TorchGPT(fast_run())
    ours = [fast.train_step().loss for _ in range(5)]
    theirs = [ref.train_step(s) for s in range(5)]
    return max(abs(a - b) for a, b in zip(ours, theirs))


def cli_seconds(repeats):
    """`minigpt-tui train --chapter gpt` from start-up to the 20th sample, the best of `repeats`."""
    exe = shutil.which("minigpt-tui", path=str(Path(sys.executable).parent)) or shutil.which("minigpt-tui")
    if exe is None:
        return None, "minigpt-tui is not installed"
    best, out = float("inf"), ""
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([exe, "train", "--chapter", "gpt"], capture_output=True, text=True, cwd="/",
                             env={**os.environ, "COLUMNS": "80"}).stdout
        best = min(best, time.perf_counter() - start)
    lines = out.splitlines()
    samples = [line for line in lines if line.startswith("sample")]
    return best, f"{sum(line.startswith('step') for line in lines)} steps, {len(samples)} samples, first: " + (
        samples[0].split(": ", 1)[1] if samples else "none")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a rough table in about half a minute")
    args = parser.parse_args()
    rounds = 5 if args.quick else 30  # many short rounds: the best of each side is its speed on a quiet machine
    rows = []  # (what, fast, baseline, unit, ratio)

    def row(what, fast, base, unit, ratio):
        rows.append((what, fast, base, unit, ratio))
        against = f" vs {base}" if base else ""
        print(f"  {what}: {fast}{against} {unit}" + (f" -> {ratio}" if ratio else ""), file=sys.stderr)

    # The pure-Python baselines race first: importing torch leaves about a million objects for Python's cycle
    # collector to walk on every collection, which slows plain microgpt ~1.7x (gc.freeze() gets most of it back)
    fast1, fast32 = stepper("fast"), stepper("fast", 32)
    ours, theirs = race([fast1, stepper("scalar")], 3 if args.quick else 6, spread(16))
    scalar1 = ("chapter 12, 1 doc/step vs scalar engine", f"{ours * 1e6:.0f} us", f"{theirs * 1e3:.1f} ms", "per step",
               f"{theirs / ours:.0f}x")
    ours, theirs = race([fast1, reference_stepper()], 3, spread(8))
    plain1 = ("chapter 12, 1 doc/step vs plain microgpt", f"{ours * 1e6:.0f} us", f"{theirs * 1e3:.0f} ms", "per step",
              f"{theirs / ours:.0f}x")
    ours, theirs = race([fast32, stepper("scalar", 32)], 2 if args.quick else 3, spread(2, 32))
    scalar32 = ("chapter 12, --batch 32 vs scalar engine", f"{32 / ours:.0f}", f"{32 / theirs:.1f}", "docs/s",
                f"{theirs / ours:.0f}x")

    torch = import_torch()
    torch_ok = torch is not None
    if torch_ok:
        print(f"PyTorch {torch.__version__}, 1 thread; same model: first 5 losses within "
              f"{check_torch_is_the_same_model():.1e} of the fast engine's", file=sys.stderr)

    # chapter 12, one document per step
    if torch_ok:
        ours, theirs = race([fast1, TorchGPT(encoded_run()).train_step], rounds, spread(64))
        row("chapter 12, 1 doc/step vs PyTorch", f"{ours * 1e6:.0f} us", f"{theirs * 1e6:.0f} us", "per step",
            f"{theirs / ours:.1f}x")
    else:
        row("chapter 12, 1 doc/step vs PyTorch", "-", "-", "", "PyTorch not available: skipped")
    row(*scalar1)
    row(*plain1)

    # chapter 12, 32 documents per step
    if torch_ok:
        ours, theirs = race([fast32, TorchGPT(encoded_run(32)).train_step], rounds, spread(8, 32))
        row("chapter 12, --batch 32 vs PyTorch", f"{32 / ours:.0f}", f"{32 / theirs:.0f}", "docs/s",
            f"{theirs / ours:.1f}x")
    else:
        row("chapter 12, --batch 32 vs PyTorch", "-", "-", "", "PyTorch not available: skipped")
    row(*scalar32)

    # sampling from a trained model
    trained = fast_run()
    for _ in range(trained.steps):
        trained.train_step()
    (per_name,) = race([lambda s: trained.sample(0.5)], rounds, range(20))
    row("sampling, trained chapter 12, T 0.5", f"{1 / per_name:.0f}", "", "names/s", "")

    # the CLI end to end
    seconds, note = cli_seconds(3 if args.quick else 5)
    if seconds is None:
        row("minigpt-tui train --chapter gpt", "-", "", "", note)
    else:
        row("minigpt-tui train --chapter gpt", f"{seconds:.2f} s", "", "end to end", note)

    print("| measurement | fast engine | baseline | unit | ratio |")
    print("|---|---|---|---|---|")
    for what, fast, base, unit, ratio in rows:
        print(f"| {what} | {fast} | {base} | {unit} | {ratio} |")


if __name__ == "__main__":
    with np.errstate(all="ignore"):
        main()
