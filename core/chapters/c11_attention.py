"""Chapter 11: attention. Each position makes a query, a key and a value from its x. Its query is compared with the
keys of every position so far (its own included); softmax turns the scores into weights, and the weighted sum of
the values is what it takes from its context. Keys and values are kept in a cache, so each position is computed
once, also while sampling. Five small matrices in a row (wv, wo, fc1, fc2, lm_head) shrink the starting signal:
with plain gradient descent the loss sits near ln(vocab) for a few hundred steps before it falls, and 2,000 steps
end behind chapters 9 and 10 (chapter 12's residual connections, RMSNorm and Adam fix that)."""
from core.chapters.c08_softmax import softmax
from core.chapters.c09_embeddings import N_EMBD, gauss_matrix, linear
from core.chapters.c09_embeddings import init_weights as embedding_weights
from core.chapters.c10_hidden import Hidden, mlp_weights
from core.value import dot


def attention_weights(rng):
    return {name: gauss_matrix(rng, N_EMBD, N_EMBD) for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo")}


def init_weights(vocab, rng):
    return {**embedding_weights(vocab, rng), **attention_weights(rng), **mlp_weights(rng)}


def attend(q, keys, values):
    """One head: how well q matches each key, as weights, then the weighted sum of the values."""
    scores = [dot(q, k) / len(q) ** 0.5 for k in keys]  # / sqrt(dim): longer vectors would saturate the softmax
    weights = softmax(scores)
    return [dot(weights, [v[j] for v in values]) for j in range(len(q))]


class Attention(Hidden):
    init_weights = staticmethod(init_weights)
    n_head = 1  # one head looking at all 16 numbers

    def new_cache(self):
        return [], []  # the keys and the values of the positions so far

    def attention(self, x, cache):
        p, (keys, values) = self.params, cache
        q, k, v = linear(x, p["attn_wq"]), linear(x, p["attn_wk"]), linear(x, p["attn_wv"])
        keys.append(k)
        values.append(v)
        head_size = len(x) // self.n_head
        heads = []
        for start in range(0, len(x), head_size):  # each head reads its own slice of q, k and v
            end = start + head_size
            heads += attend(q[start:end], [key[start:end] for key in keys], [value[start:end] for value in values])
        return linear(heads, p["attn_wo"])

    def forward(self, token, pos, cache):
        x = self.attention(self.embed(token, pos), cache)
        x = self.mlp(x)
        return linear(x, self.params["lm_head"])
