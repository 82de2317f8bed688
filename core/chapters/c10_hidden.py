"""Chapter 10: a hidden layer. Between the embeddings and the logits: a matrix up to 64 numbers, a ReLU that keeps
only the positive ones, and a matrix back down to 16, so the model can combine what it reads."""
from core.chapters.c09_embeddings import N_EMBD, Embeddings, gauss_matrix, linear
from core.chapters.c09_embeddings import init_weights as embedding_weights


def mlp_weights(rng):  # fc: fully connected (microgpt's names); 4 times wider inside, as in GPT-2
    return {"mlp_fc1": gauss_matrix(rng, 4 * N_EMBD, N_EMBD), "mlp_fc2": gauss_matrix(rng, N_EMBD, 4 * N_EMBD)}


def init_weights(vocab, rng):
    return {**embedding_weights(vocab, rng), **mlp_weights(rng)}


class Hidden(Embeddings):
    init_weights = staticmethod(init_weights)

    def mlp(self, x):
        h = [v.relu() for v in linear(x, self.params["mlp_fc1"])]
        return linear(h, self.params["mlp_fc2"])

    def forward(self, token, pos, cache):
        x = self.mlp(self.embed(token, pos))
        return linear(x, self.params["lm_head"])
