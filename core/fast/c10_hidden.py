"""Chapter 10, fast engine: an MLP (fc1, ReLU, fc2) between the embeddings and lm_head."""
import numpy as np

from core.chapters.c10_hidden import init_weights
from core.fast.c09_embeddings import Embeddings
from core.fast.ops import embed, embedding_backward, linear, linear_backward, relu_backward


class Hidden(Embeddings):
    init_weights = staticmethod(init_weights)  # chapter 9's, then mlp_fc1, mlp_fc2

    def mlp(self, x):
        """fc1, ReLU, fc2; and what mlp_backward needs."""
        pre = linear(x, self.params["mlp_fc1"])
        h = np.maximum(pre, 0.0)  # ReLU
        return linear(h, self.params["mlp_fc2"]), (x, pre, h)

    def mlp_backward(self, dy, saved):
        """Writes fc1's and fc2's gradients; returns the gradient of the MLP's input."""
        p, g = self.params, self.param_grads
        x, pre, h = saved
        dh = linear_backward(dy, h, p["mlp_fc2"], g["mlp_fc2"])
        return linear_backward(relu_backward(dh, pre), x, p["mlp_fc1"], g["mlp_fc1"])

    def forward(self, inputs, real=None):
        p = self.params
        x0 = embed(p["wte"], p["wpe"], inputs, real)  # the real positions only: each on its own from here
        x1, mlp_saved = self.mlp(x0)
        return linear(x1, p["lm_head"]), (inputs, real, x1, mlp_saved)

    def backward(self, dlogits, saved):
        p, g = self.params, self.param_grads
        inputs, real, x1, mlp_saved = saved
        dx1 = linear_backward(dlogits, x1, p["lm_head"], g["lm_head"])
        dx0 = self.mlp_backward(dx1, mlp_saved)
        embedding_backward(dx0, inputs, real, g["wte"], g["wpe"])
