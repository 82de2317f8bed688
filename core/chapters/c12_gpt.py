"""Chapter 12: the whole GPT, microgpt exactly. Attention splits into 4 heads of 4 numbers; RMSNorm rescales x
after the embeddings and before each block; each block's output is added to its input (a residual connection), so
the signal and the gradient always have a short way through; and Adam steps each weight by its own running gradient
statistics."""
from core.chapters.c09_embeddings import linear
from core.chapters.c11_attention import Attention
from core.value import dot

BETA1, BETA2, EPS = 0.85, 0.99, 1e-8


def rmsnorm(x):
    scale = (dot(x, x) / len(x) + 1e-5) ** -0.5  # 1 / root mean square
    return [xi * scale for xi in x]


class GPT(Attention):
    n_head = 4

    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        n = len(self.params.flat)
        self.m, self.v = [0.0] * n, [0.0] * n  # Adam's running mean of the gradient and of its square

    def forward(self, token, pos, cache):
        x = rmsnorm(self.embed(token, pos))
        # one block (microgpt's n_layer = 1); each part's output y is added to its input r
        x = [y + r for y, r in zip(self.attention(rmsnorm(x), cache), x)]
        x = [y + r for y, r in zip(self.mlp(rmsnorm(x)), x)]
        return linear(x, self.params["lm_head"])

    def update(self, lr, t):
        m, v = self.m, self.v
        m_fix, v_fix = 1 - BETA1 ** (t + 1), 1 - BETA2 ** (t + 1)  # early means lean towards 0: scale them up
        for i, p in enumerate(self.params.flat):
            g = p.grad
            m[i] = BETA1 * m[i] + (1 - BETA1) * g
            v[i] = BETA2 * v[i] + (1 - BETA2) * g**2
            p.data -= lr * (m[i] / m_fix) / ((v[i] / v_fix) ** 0.5 + EPS)

    def moments(self):
        return {"m": self.m, "v": self.v}
