"""Chapter 4: loss. One number for how surprised the model is by a real name: the mean of 1 - p(target)."""
from core.chapters.c03_weights import Weights
from core.model import mean


class Loss(Weights):
    has_loss = True
    loss_formula = "1 - p"

    def token_loss(self, p):
        return 1 - p  # 0 when the model was sure of the right token, 1 when it gave it nothing

    def position_losses(self, ids):
        return [self.token_loss(probs[t]) for probs, t in zip(self.probs(ids), self.targets(ids))]

    def loss(self, ids):
        return mean(self.position_losses(ids))
