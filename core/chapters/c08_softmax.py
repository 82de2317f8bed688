"""Chapter 8: softmax and log loss. The weights are logits now: exp makes any score positive before dividing by
the total, and the loss of a position is -log p(target), which grows without limit as p goes to 0."""
from core.chapters.c07_backprop import Backprop
from core.model import Model
from core.value import no_gc, total


def softmax(logits):
    top = max(v.data for v in logits)  # subtracting the largest logit keeps exp from overflowing
    exps = [(v - top).exp() for v in logits]
    s = total(exps)
    return [e / s for e in exps]


class Softmax(Backprop):
    loss_formula = "-log p"
    out_of_range = Model.out_of_range  # logits may take any value
    next_probs = None  # retired: sampler below turns the logits into the next token's probabilities

    def token_loss(self, p):
        return -p.log()

    def prob_values(self, ids):
        probs = softmax(self.params["weights"])  # the weights are the logits, whatever the context
        return [probs] * len(self.targets(ids))

    def sampler(self, temperature=1.0):
        @no_gc()
        def next_token_probs(token):
            return [p.data for p in softmax([w / temperature for w in self.params["weights"]])]

        return next_token_probs
