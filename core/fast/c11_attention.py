"""Chapter 11, fast engine: one causal attention head between the embeddings and the MLP.

Training reads every position of a document at once, a mask hiding the later ones; sampling goes one
position at a time and keeps the keys and values of the earlier positions (the KV cache)."""
import numpy as np

from core.chapters.c09_embeddings import N_EMBD
from core.chapters.c11_attention import init_weights
from core.fast.c10_hidden import Hidden
from core.fast.ops import (
    KVCache, attention, attention_backward, embed, embedding_backward, linear, linear_backward,
    padded_rows, real_rows, softmax, split_heads,
)


class Attention(Hidden):
    init_weights = staticmethod(init_weights)  # wte, wpe, lm_head, attn_wq, wk, wv, wo, mlp_fc1, fc2
    n_head = 1  # one head that sees all 16 dimensions

    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        # wq, wk and wv lie one after the other in the flat buffers: one (48, 16) matrix, one matmul for all three
        first, last = self.offsets["attn_wq"][0], self.offsets["attn_wv"][1]
        self.wqkv = self.data[first:last].reshape(3 * N_EMBD, N_EMBD)
        self.gqkv = self.grad[first:last].reshape(3 * N_EMBD, N_EMBD)

    def attention_heads(self, x, shape, real, cache):
        """The heads' outputs side by side, for every row of x (the real positions of a batch shaped (B, L)): the
        scalar attention() but for its attn_wo, which forward applies. Each position attends to itself and the
        positions before it. Attention needs whole (L, L) blocks: the padding joins as zero rows
        here and goes again after."""
        batch, length = shape
        q, k, v = split_heads(padded_rows(linear(x, self.wqkv), real, batch * length), batch, self.n_head)
        if cache is None:
            heads, att = attention(q, k, v, causal=True, real=real)
        else:
            cache.append(k, v)
            heads, att = attention(q, cache.k, cache.v)
        self.last_attention = att.transpose(1, 2, 3, 0)  # (B, heads, queries, keys), for attention_maps
        return real_rows(heads, real), (q, k, v, att)

    @staticmethod
    def attention_heads_backward(da, real, saved):
        """From the gradient of the heads' outputs to that of its q, k, v rows (real rows in, real rows out)."""
        q, k, v, att = saved
        return real_rows(attention_backward(padded_rows(da, real, q.shape[0] * q.shape[2]), q, k, v, att), real)

    def attention_maps(self, ids):
        """Each head's attention weights over a document: [head][reading position][position read]."""
        self.probs(ids)
        return self.last_attention[0].tolist()

    def forward(self, inputs, real=None, start=0, cache=None):
        """With a KV cache (sampling), inputs are the newest positions, from position `start`."""
        p = self.params
        x0 = embed(p["wte"], p["wpe"], inputs, real, start)
        a, qkv_att = self.attention_heads(x0, inputs.shape, real, cache)
        x1 = linear(a, p["attn_wo"])
        x2, mlp_saved = self.mlp(x1)
        return linear(x2, p["lm_head"]), (inputs, real, x0, qkv_att, a, mlp_saved, x2)

    def backward(self, dlogits, saved):
        p, g = self.params, self.param_grads
        inputs, real, x0, qkv_att, a, mlp_saved, x2 = saved
        dx2 = linear_backward(dlogits, x2, p["lm_head"], g["lm_head"])
        dx1 = self.mlp_backward(dx2, mlp_saved)
        da = linear_backward(dx1, a, p["attn_wo"], g["attn_wo"])
        dx0 = linear_backward(self.attention_heads_backward(da, real, qkv_att), x0, self.wqkv, self.gqkv)
        embedding_backward(dx0, inputs, real, g["wte"], g["wpe"])

    def sampler(self, temperature=1.0):
        """One position at a time: each new position's keys and values join the cache."""
        cache = KVCache()

        def next_token_probs(token):
            logits, _ = self.forward(np.array([[token]]), start=cache.length, cache=cache)
            return softmax(logits[0] / temperature).tolist()

        return next_token_probs
