"""Chapter 10, fast engine: an MLP (fc1, ReLU, fc2) between the embeddings and lm_head."""
import numpy as np

from core.chapters.c10_hidden import init_weights
from core.fast.c09_embeddings import Embeddings
from core.fast.ops import embed, embedding_backward, linear, linear_backward, relu_backward


class Hidden(Embeddings):
    init_weights = staticmethod(init_weights)  # chapter 9's, then mlp_fc1, mlp_fc2

    def forward(self, inputs, real=None):
        p = self.p
        x0 = embed(p["wte"], p["wpe"], inputs, real)  # the real positions only: each on its own from here
        h = linear(x0, p["mlp_fc1"])
        r = np.maximum(h, 0.0)
        x1 = linear(r, p["mlp_fc2"])
        return linear(x1, p["lm_head"]), (inputs, real, x0, h, r, x1)

    def backward(self, dlogits, saved):
        p, g = self.p, self.g
        inputs, real, x0, h, r, x1 = saved
        dx1 = linear_backward(dlogits, x1, p["lm_head"], g["lm_head"])
        dr = linear_backward(dx1, r, p["mlp_fc2"], g["mlp_fc2"])
        dx0 = linear_backward(relu_backward(dr, h), x0, p["mlp_fc1"], g["mlp_fc1"])
        embedding_backward(dx0, inputs, real, g["wte"], g["wpe"])
