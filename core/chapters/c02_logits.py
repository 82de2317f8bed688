"""Chapter 2: logits. A score per token, made into probabilities by dividing by their total."""
from core.chapters.c01_tokens import Tokens


def logits_to_probs(logits):
    total = 0.0
    for logit in logits:  # left to right: the sum's rounding is part of the numbers checked
        total += logit
    return [logit / total for logit in logits]


class Logits(Tokens):
    tempered = True  # uneven faces: a temperature sharpens or flattens them

    def gpt(self, context):
        # fresh random positive scores at every call: a die with uneven faces (the last kept, for the playground)
        self.last_logits = [self.rng.random() for _ in self.vocab.tokens]
        return self.last_logits

    def next_probs(self, context):
        return logits_to_probs(self.gpt(context))
