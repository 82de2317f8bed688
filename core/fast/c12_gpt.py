"""Chapter 12, fast engine: microgpt in numpy. Four attention heads, RMSNorm, residual connections, and
Adam over one flat buffer holding every parameter."""
import numpy as np

from core.chapters.c12_gpt import BETA1, BETA2, EPS
from core.fast.c11_attention import Attention
from core.fast.ops import (
    embed, embedding_backward, linear, linear_backward, load_into, rmsnorm, rmsnorm_backward,
)


class GPT(Attention):
    n_head = 4  # of 4 dimensions each

    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        self.m = np.zeros_like(self.data)  # Adam's moments, one per parameter
        self.v = np.zeros_like(self.data)
        self.scratch = np.empty((2, self.data.size))

    def forward(self, inputs, real=None, start=0, cache=None):
        p = self.params
        x0 = embed(p["wte"], p["wpe"], inputs, real, start)  # the real positions only
        x1, s1 = rmsnorm(x0)
        # attention block
        x2, s2 = rmsnorm(x1)
        a, qkv_att = self.attention_heads(x2, inputs.shape, real, cache)
        x3 = linear(a, p["attn_wo"]) + x1
        # MLP block
        x4, s4 = rmsnorm(x3)
        mlp_out, mlp_saved = self.mlp(x4)
        x5 = mlp_out + x3
        return linear(x5, p["lm_head"]), (inputs, real, s1, x1, s2, x2, qkv_att, a, s4, x4, mlp_saved, x5)

    def backward(self, dlogits, saved):
        p, g = self.params, self.param_grads
        inputs, real, s1, x1, s2, x2, qkv_att, a, s4, x4, mlp_saved, x5 = saved
        dx5 = linear_backward(dlogits, x5, p["lm_head"], g["lm_head"])
        dx4 = self.mlp_backward(dx5, mlp_saved)
        dx3 = rmsnorm_backward(dx4, x4, s4) + dx5  # the residual passes the gradient straight through
        da = linear_backward(dx3, a, p["attn_wo"], g["attn_wo"])
        dx2 = linear_backward(self.attention_heads_backward(da, real, qkv_att), x2, self.wqkv, self.gqkv)
        dx1 = rmsnorm_backward(dx2, x2, s2) + dx3
        dx0 = rmsnorm_backward(dx1, x1, s1)
        embedding_backward(dx0, inputs, real, g["wte"], g["wpe"])

    def update(self, lr, t):
        """Adam with microgpt's constants, the scalar update's formulas in the same order; every parameter moves
        every step. In place, through two scratch buffers, so a step makes no parameter-sized temporaries."""
        m, v, g, denom, step = self.m, self.v, self.grad, self.scratch[0], self.scratch[1]
        m *= BETA1
        m += np.multiply(g, 1 - BETA1, out=denom)  # m = BETA1 * m + (1 - BETA1) * g
        v *= BETA2
        np.square(g, out=denom)
        v += np.multiply(denom, 1 - BETA2, out=denom)  # v = BETA2 * v + (1 - BETA2) * g**2
        np.divide(v, 1 - BETA2 ** (t + 1), out=denom)
        np.sqrt(denom, out=denom)
        denom += EPS  # (v_hat ** 0.5 + EPS)
        np.divide(m, 1 - BETA1 ** (t + 1), out=step)
        step *= lr
        step /= denom  # lr * m_hat / (v_hat ** 0.5 + EPS)
        self.data -= step

    def state_buffers(self):
        return [self.data, self.grad, self.m, self.v]

    def optimizer_state(self):
        return {"m": self.views(self.m.copy()), "v": self.views(self.v.copy())}

    def load_optimizer_state(self, state):
        for kind, flat in (("m", self.m), ("v", self.v)):
            load_into(self.views(flat), state[kind], f"optimizer state {kind!r}:")
