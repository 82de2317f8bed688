"""Speed of the scalar engine on chapter 12 against a plain microgpt-style reference, both run here, now.

    /work/venv/bin/python bench/bench_scalar.py [--steps 50]

The reference below is a deliberately unoptimised micrograd Value (one node per + and *, plain numbers wrapped
in Values, a recursive topological sort, the garbage collector on) running microgpt's algorithm on the same data
and seed. It is also the tests' bit-for-bit oracle (tests/test_microgpt.py imports it).
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class RefValue:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0
        self._children = children
        self._local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, RefValue) else RefValue(other)
        return RefValue(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, RefValue) else RefValue(other)
        return RefValue(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k):
        return RefValue(self.data**k, (self,), (k * self.data ** (k - 1),))

    def log(self):
        return RefValue(math.log(self.data), (self,), (1 / self.data,))

    def exp(self):
        return RefValue(math.exp(self.data), (self,), (math.exp(self.data),))

    def relu(self):
        return RefValue(max(0, self.data), (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._children:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1
        for v in reversed(order):
            for child, local in zip(v._children, v._local_grads):
                child.grad += local * v.grad


class Reference:
    """microgpt's model, training step and sampling, written the plain way."""

    n_embd, n_head, block_size = 16, 4, 16

    def __init__(self, vocab_size: int, rng: random.Random):
        self.vocab_size, self.bos = vocab_size, vocab_size - 1
        draw = lambda rows, cols: [[RefValue(rng.gauss(0, 0.08)) for _ in range(cols)] for _ in range(rows)]
        e = self.n_embd
        self.sd = {"wte": draw(vocab_size, e), "wpe": draw(self.block_size, e), "lm_head": draw(vocab_size, e)}
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            self.sd[name] = draw(e, e)
        self.sd["mlp_fc1"], self.sd["mlp_fc2"] = draw(4 * e, e), draw(e, 4 * e)
        self.params = [p for mat in self.sd.values() for row in mat for p in row]
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    @staticmethod
    def linear(x, w):
        return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]

    @staticmethod
    def softmax(logits):
        top = max(v.data for v in logits)
        exps = [(v - top).exp() for v in logits]
        s = sum(exps)
        return [e / s for e in exps]

    @staticmethod
    def rmsnorm(x):
        ms = sum(xi * xi for xi in x) / len(x)
        scale = (ms + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def gpt(self, token, pos, keys, values):
        sd, hd = self.sd, self.n_embd // self.n_head
        x = [t + p for t, p in zip(sd["wte"][token], sd["wpe"][pos])]
        x = self.rmsnorm(x)
        residual = x
        x = self.rmsnorm(x)
        q, k, v = self.linear(x, sd["attn_wq"]), self.linear(x, sd["attn_wk"]), self.linear(x, sd["attn_wv"])
        keys.append(k)
        values.append(v)
        heads = []
        for h in range(self.n_head):
            s = h * hd
            qh = q[s : s + hd]
            kh = [kt[s : s + hd] for kt in keys]
            vh = [vt[s : s + hd] for vt in values]
            scores = [sum(qh[j] * kh[t][j] for j in range(hd)) / hd**0.5 for t in range(len(kh))]
            w = self.softmax(scores)
            heads.extend(sum(w[t] * vh[t][j] for t in range(len(vh))) for j in range(hd))
        x = [a + b for a, b in zip(self.linear(heads, sd["attn_wo"]), residual)]
        residual = x
        x = self.rmsnorm(x)
        x = [h.relu() for h in self.linear(x, sd["mlp_fc1"])]
        x = [a + b for a, b in zip(self.linear(x, sd["mlp_fc2"]), residual)]
        return self.linear(x, sd["lm_head"])

    def loss(self, ids):
        tokens = [self.bos] + list(ids) + [self.bos]
        n = min(self.block_size, len(tokens) - 1)
        keys, values, losses = [], [], []
        for pos in range(n):
            probs = self.softmax(self.gpt(tokens[pos], pos, keys, values))
            losses.append(-probs[tokens[pos + 1]].log())
        return (1 / n) * sum(losses)

    def train_step(self, ids, lr, step):
        loss = self.loss(ids)
        loss.backward()
        b1, b2, eps = 0.85, 0.99, 1e-8
        for i, p in enumerate(self.params):
            self.m[i] = b1 * self.m[i] + (1 - b1) * p.grad
            self.v[i] = b2 * self.v[i] + (1 - b2) * p.grad**2
            m_hat = self.m[i] / (1 - b1 ** (step + 1))
            v_hat = self.v[i] / (1 - b2 ** (step + 1))
            p.data -= lr * m_hat / (v_hat**0.5 + eps)
            p.grad = 0
        return loss.data

    def sample(self, rng, temperature=0.5):
        keys, values, token, out = [], [], self.bos, []
        for pos in range(self.block_size):
            logits = self.gpt(token, pos, keys, values)
            probs = self.softmax([l / temperature for l in logits])
            token = rng.choices(range(self.vocab_size), weights=[p.data for p in probs])[0]
            if token == self.bos:
                break
            out.append(token)
        return out


def reference_setup(seed: int = 42):
    """The names data shuffled as microgpt does, its vocabulary, and a fresh reference model."""
    from core.data import load

    rng = random.Random(seed)
    data = load("names")
    docs = list(data.docs)
    rng.shuffle(docs)
    vocab = data.vocab
    return rng, docs, vocab, Reference(len(vocab), rng)


def main() -> None:
    from core.run import Run, RunConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    n = args.steps

    run = Run(RunConfig(12, steps=1000, engine="scalar"))
    start = time.perf_counter()
    ours = [run.train_step().loss for _ in range(n)]
    ours_s = time.perf_counter() - start

    rng, docs, vocab, ref = reference_setup()
    start = time.perf_counter()
    theirs = [ref.train_step(vocab.encode(docs[s % len(docs)]), 0.01 * (1 - s / 1000), s) for s in range(n)]
    ref_s = time.perf_counter() - start

    same = "identical" if ours == theirs else "DIFFERENT"
    print(f"chapter 12, scalar engine, {n} steps (one document each), losses {same} to the reference")
    print(f"  scalar engine: {n / ours_s:7.2f} steps/s  ({ours_s / n * 1000:6.1f} ms/step)")
    print(f"  reference    : {n / ref_s:7.2f} steps/s  ({ref_s / n * 1000:6.1f} ms/step)")
    print(f"  speed-up     : {ref_s / ours_s:7.2f}x")


if __name__ == "__main__":
    main()
