"""Chapter 7, fast engine: the weights of chapter 3, with exact gradients written out by hand.

No Value graph here: the chain rule for this model is worked out once, below, and backward() applies it.
p = w / sum(w) at every position (the context is still ignored), the loss is 1 - p(target), and
d(1 - w_t / S) / d w_j = (p_t - [j == t]) / S."""
import numpy as np

from core.chapters.c03_weights import shares_out_of_range
from core.chapters.c07_backprop import init_weights
from core.fast.ops import FastModel, row_indices
from core.sampling import sharpen


def ratio_loss(scores, targets, shares):
    """Chapter 7's head: probabilities by dividing by the sum, loss 1 - p(target), and the gradient of
    sum(shares * losses)."""
    rows = row_indices(len(targets))
    totals = scores.sum(axis=-1, keepdims=True)
    probs = scores / totals
    p = probs[rows, targets]
    dscores = np.repeat((p * shares)[:, None] / totals, scores.shape[1], axis=1)
    dscores[rows, targets] -= shares / totals[:, 0]
    return probs, 1 - p, dscores


class Backprop(FastModel):
    loss_formula = "1 - p"
    loss_head = staticmethod(ratio_loss)
    init_weights = staticmethod(init_weights)  # chapter 3's weights

    def forward(self, inputs, real=None):
        # the same scores at every position: the model does not read its context yet
        n = inputs.size if real is None else len(real)
        return np.broadcast_to(self.params["weights"], (n, len(self.vocab))), None

    def backward(self, dscores, saved):
        np.add.reduce(dscores, axis=0, out=self.param_grads["weights"])

    def out_of_range(self):
        return shares_out_of_range(self)

    def sampler(self, temperature=1.0):
        w = self.params["weights"]
        return lambda token: sharpen((w / w.sum()).tolist(), temperature)  # scores over their sum: T sharpens p itself
