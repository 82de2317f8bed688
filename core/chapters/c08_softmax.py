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
    next_probs = None  # retired: sampler below reads one position at a time, prob_values all of them

    def token_loss(self, p):
        return -p.log()

    def new_cache(self):
        return None  # what a model keeps between positions (attention's keys and values, chapter 11)

    def forward(self, token, pos, cache):
        return self.params["weights"]  # the logits, whatever the context

    def prob_values(self, ids):
        cache = self.new_cache()
        tokens = [self.vocab.end] + list(ids)  # position p reads the token before it; the end token starts
        return [softmax(self.forward(tokens[p], p, cache)) for p in range(len(self.targets(ids)))]

    def sampler(self, temperature=1.0):
        cache, position = self.new_cache(), 0

        def next_token_probs(token):
            nonlocal position
            with no_gc():
                logits = self.forward(token, position, cache)  # one position at a time: the cache holds the past
                position += 1
                return [p.data for p in softmax([l / temperature for l in logits])]

        return next_token_probs
