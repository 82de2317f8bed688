"""Chapter 3: weights. The scores move out of the loop into weights the model keeps: gpt(context) returns them."""
import numpy as np

from core.chapters.c02_logits import Logits
from core.data import TOY_VOCAB

WEIGHTS = [0.62, 0.45, 0.85, 0.67, 0.17, 0.53]  # fixed, so every number of chapters 3-6 can be checked


def shares_out_of_range(model) -> str:
    """w / sum(w) is a probability only while no weight is below 0 and at least one is above 0 (chapter 8's softmax
    lifts both limits)."""
    w = model.weights()["weights"]
    if (w < 0).any():
        i = int(np.argmin(w))
        return (f"the weight of {model.vocab.tokens[i]!r} went below 0 ({w[i]:.3g}), "
                "so w / sum(w) is no longer a probability")
    return "" if w.sum() > 0 else "every weight is 0, so w / sum(w) divides by 0"


def initial_weights(vocab, rng):
    return list(WEIGHTS) if vocab == TOY_VOCAB else [rng.random() for _ in vocab.tokens]


class Weights(Logits):
    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        self.w = initial_weights(vocab, rng)

    def gpt(self, context):
        return self.w  # it ignores its context for now

    def out_of_range(self):
        return shares_out_of_range(self)

    def weights(self):
        return {"weights": np.array(self.w)}

    def set_weight(self, name, index, value):
        if name != "weights":
            raise KeyError(name)
        self.w[index[-1]] = float(value)
