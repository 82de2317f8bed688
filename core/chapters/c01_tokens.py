"""Chapter 1: tokens. The model knows its vocabulary and nothing else: every next token is a roll of a fair die."""
from core.model import Model


class Tokens(Model):
    tempered = False  # a fair die stays fair at any sampling temperature (the playground's t and T say so)

    def next_probs(self, context):
        # a fair die: each token as likely as any other, whatever came before
        n = len(self.vocab)
        return [1 / n] * n
