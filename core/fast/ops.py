"""The numpy pieces every fast chapter shares: one place per formula, each forward next to its backward.

Activations are float64 arrays with one row per position: a batch of B documents padded to L positions is
N = B * L rows. Weights are stored [out][in] as in microgpt, so a linear layer is `x @ w.T`.
"""
from __future__ import annotations

import ctypes
import functools
import sys
from itertools import chain

import numpy as np

from core.model import WEIGHT_LIMIT, Model


def keep_freed_memory():
    """A batched step's temporaries are a few hundred KiB each. glibc hands blocks that size back to the system
    when they are freed, and the next step page-faults them in again (half the time of a --batch 32 step here):
    keep them in the process's heap instead."""
    if sys.platform.startswith("linux"):
        try:
            mallopt = ctypes.CDLL("libc.so.6").mallopt
        except (OSError, AttributeError):
            return  # not glibc
        mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks below 32 MiB come from the heap
        mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD: the heap keeps up to 128 MiB of freed memory


keep_freed_memory()


# --- formulas ---------------------------------------------------------------------------------------
# Arrays here are tiny (a document is a handful of 16-wide rows), so each numpy call costs more than its
# arithmetic: these use the cheapest call that says the same thing (ufunc reduce, np.dot).
_row_max = np.maximum.reduce
_columns: dict[tuple[int, float], np.ndarray] = {}


def row_sum(x, scale=1.0):
    """scale * the sum over the last axis, kept as an axis of 1: a product with a column of scales, which is far
    cheaper than numpy's reduce along a short last axis."""
    key = (x.shape[-1], scale)
    column = _columns.get(key)
    if column is None:
        column = _columns[key] = np.full((key[0], 1), scale)
    return np.dot(x, column)


def row_mean(x):
    return row_sum(x, 1.0 / x.shape[-1])


def total(x, axis=-1):
    """The sum along an axis, kept as an axis of 1. Along the first axis, numpy adds whole slabs in order (cheap);
    along the last, row_sum."""
    return np.add.reduce(x, axis=0, keepdims=True) if axis == 0 else row_sum(x)


def softmax(logits, axis=-1):
    """Along an axis (the last, or the first); the max is subtracted first so exp never overflows. Logits of
    -inf get probability 0 (every row needs one finite logit)."""
    exps = np.exp(logits - _row_max(logits, axis=axis, keepdims=True))
    exps *= 1.0 / total(exps, axis)  # microgpt divides as a * b**-1
    return exps


def softmax_backward(probs, dprobs, axis=-1):
    """Gradient of the softmax's input from the gradient of its output (written over dprobs):
    ds_i = p_i * (dp_i - sum_j p_j * dp_j)."""
    dprobs -= total(dprobs * probs, axis)
    dprobs *= probs
    return dprobs


def rmsnorm(x):
    """Rows scaled to unit root mean square; returns the scales too, for the backward pass."""
    scale = (row_mean(x * x) + 1e-5) ** -0.5
    return x * scale, scale


def rmsnorm_backward(dy, y, scale):
    """For y = x * scale: x's gradient, written with the y the forward pass kept."""
    return scale * (dy - y * row_mean(dy * y))


def linear(x, w):
    """y = x @ w.T: w is stored [out][in]."""
    return np.dot(x, w.T)


def linear_backward(dy, x, w, dw):
    """For y = x @ w.T: writes w's gradient into dw and returns x's gradient."""
    np.dot(dy.T, x, out=dw)
    return np.dot(dy, w)


def relu_backward(dy, pre):
    """ReLU passes the gradient where its input was positive, nothing elsewhere."""
    return dy * (pre > 0)


def take_rows(x, indices):
    """x[indices], indices along the first axis: the array's take method, which numpy runs faster."""
    return x.take(indices, axis=0)


def embed(wte, wpe, inputs, real=None, start=0):
    """Token plus position embedding of inputs (B, L): a row per position, or per real position with padding
    (real: their flat indices). Everything but attention works on the real rows alone."""
    if real is None:
        return (take_rows(wte, inputs) + wpe[start : start + inputs.shape[1]]).reshape(inputs.size, -1)
    return take_rows(wte, take_rows(inputs.ravel(), real)) + take_rows(wpe, real % inputs.shape[1])


def real_rows(x, real):
    """The rows of a padded batch's real positions (all rows when nothing is padded)."""
    return x if real is None else take_rows(x, real)


def padded_rows(dx, real, n):
    """Back from real_rows, for gradients: each real row in its place, zeros for the padding."""
    if real is None:
        return dx
    full = np.zeros((n, dx.shape[1]))
    full[real] = dx
    return full


_identities: dict[int, np.ndarray] = {}


def identity(n):
    if n not in _identities:
        _identities[n] = np.eye(n)
    return _identities[n]


def embedding_backward(dx, inputs, real, dwte, dwpe):
    """Writes the gradients of embed(wte, wpe, inputs, real): each row of dx goes to its token's row and its
    position's row, as a product with one-hot rows (unused rows get 0)."""
    batch, length = inputs.shape
    np.dot(take_rows(identity(len(dwte)), real_rows(inputs.ravel(), real)).T, dx, out=dwte)
    if real is None:
        np.dot(identity(len(dwpe))[:length].T, np.add.reduce(dx.reshape(batch, length, -1), axis=0), out=dwpe)
    else:
        np.dot(take_rows(identity(len(dwpe)), real % length).T, dx, out=dwpe)


WHOLE_MASK_LIMIT = 1 << 16  # scores per shape kept as whole masks: at most ~0.6 MB a shape


@functools.lru_cache(maxsize=32)
def causal_masks(shape):
    """For attention's scores laid out (keys, B, heads, queries): which of them a query reads (key j is read by
    the queries from position j on), and the same as a mask to add: 0 where read, -inf where not (its weight
    comes out 0). Read-only, kept per shape, and whole arrays while small: adding a mask broadcast over the batch
    and the heads costs twice as much."""
    reads = np.tri(shape[0], dtype=bool).T[:, None, None, :]
    masks = reads, np.where(reads, 0.0, -np.inf)
    if np.prod(shape) <= WHOLE_MASK_LIMIT:
        masks = tuple(np.ascontiguousarray(np.broadcast_to(m, shape)) for m in masks)
    for m in masks:
        m.setflags(write=False)
    return masks


def padded_softmax(scores, real):
    """softmax over the keys (axis 0) of a padded batch's causal scores, (keys, B, heads, queries), already
    masked with causal_masks, for the queries at real positions (flat indices into B x queries); a padded
    query's weights all come out 0. Written over scores. exp is attention's costliest step, and in a --batch 32
    step only about a quarter of the scores are read by a real query: only those get one."""
    keys, batch, heads, length = scores.shape
    is_real = np.zeros(batch * length, dtype=bool)
    is_real[real] = True
    is_real = np.repeat(is_real.reshape(batch, 1, length), heads, axis=1)  # per head: no broadcast in the ops below
    reads, _ = causal_masks(scores.shape)
    scores -= _row_max(scores, axis=0, keepdims=True)
    att = np.zeros(scores.shape)
    np.exp(scores, out=att, where=reads & is_real)
    att *= 1.0 / (total(att, 0) + ~is_real)  # a padded query's total is 0: 1 / 1 keeps its 0s
    return att


def split_heads(qkv, batch, n_head):
    """(N, 3D) rows of [q | k | v] -> q, k, v each shaped (B, heads, L, head_dim)."""
    n, width = qkv.shape
    parts = qkv.reshape(batch, n // batch, 3, n_head, width // 3 // n_head).transpose(2, 0, 3, 1, 4)
    return parts[0], parts[1], parts[2]  # indexed: unpacking an array iterates it, three times slower


def attention(q, k, v, causal=False, real=None):
    """Scaled dot-product attention over (B, heads, positions, head_dim), each query reading the keys before it
    and itself when causal (else all: a KV cache holds only earlier keys); returns (out, weights), out (N, D) with
    the heads side by side as microgpt concatenates them. A causal, padded batch gives real, the flat indices of
    its real positions (see padded_softmax). The scores and weights are laid out keys first, (keys, B, heads,
    queries): the softmax's max and sum over keys then add whole slabs, far cheaper than numpy's reductions
    along a short last axis."""
    b, h, length, head_dim = q.shape
    scores = np.empty((k.shape[2], b, h, length))
    np.matmul(k, q.swapaxes(-1, -2), out=scores.transpose(1, 2, 0, 3))
    scores *= head_dim**-0.5
    if causal:
        _, mask = causal_masks(scores.shape)
        scores += mask
    att = softmax(scores, axis=0) if real is None else padded_softmax(scores, real)
    out = np.empty((b, length, h, head_dim))
    np.matmul(att.transpose(1, 2, 3, 0), v, out=out.transpose(0, 2, 1, 3))  # written straight in the merged layout
    return out.reshape(b * length, h * head_dim), att


def attention_backward(dout, q, k, v, att):
    """From the gradient of attention's output (N, D) to that of q, k, v side by side (N, 3D)."""
    b, h, length, head_dim = q.shape
    dout = dout.reshape(b, length, h, head_dim).transpose(0, 2, 1, 3)
    dqkv = np.empty((b, length, 3, h, head_dim))
    parts = dqkv.transpose(2, 0, 3, 1, 4)
    dq, dk, dv = parts[0], parts[1], parts[2]  # views: the matmuls below write straight into dqkv
    by_key = (1, 2, 0, 3)  # (keys, B, heads, queries) -> (B, heads, keys, queries)
    np.matmul(att.transpose(by_key), dout, out=dv)
    datt = np.empty(att.shape)
    np.matmul(v, dout.swapaxes(-1, -2), out=datt.transpose(by_key))
    dscores = softmax_backward(att, datt, axis=0)
    dscores *= head_dim**-0.5
    np.matmul(dscores.transpose(1, 2, 3, 0), k, out=dq)
    np.matmul(dscores.transpose(by_key), q, out=dk)
    return dqkv.reshape(b * length, 3 * h * head_dim)


class KVCache:
    """Keys and values of the positions generated so far, for sampling one position at a time."""

    def __init__(self):
        self.k = self.v = None
        self.length = 0

    def append(self, k, v):
        """k, v shaped (1, heads, 1, head_dim): the newest position's."""
        if self.k is None:
            self.k, self.v = k, v
        else:
            self.k, self.v = np.concatenate((self.k, k), axis=2), np.concatenate((self.v, v), axis=2)
        self.length += 1


_rows: dict[int, np.ndarray] = {}


def row_indices(n):
    """0..n-1, kept: with the targets it picks each row's target entry."""
    if n not in _rows:
        _rows[n] = np.arange(n)
    return _rows[n]


def log_loss(logits, targets, shares):
    """softmax, -log p(target) at each row, and the gradient of sum(shares * losses) wrt the logits: for each row,
    d(-log p_target)/d logit_j = p_j - [j is the target], times the row's share."""
    rows = row_indices(len(targets))
    probs = softmax(logits)
    losses = -np.log(probs[rows, targets])
    dlogits = probs * shares[:, None]
    dlogits[rows, targets] -= shares
    return probs, losses, dlogits


def load_into(views, arrays, what):
    """Copy arrays by name into a model's views, refusing a name or a shape the model does not have."""
    for name, array in arrays.items():
        if name not in views:
            raise KeyError(name)
        array = np.asarray(array, dtype=np.float64)
        if array.shape != views[name].shape:
            raise ValueError(f"{what} {name!r} has shape {array.shape}, the model {views[name].shape}")
        views[name][...] = array


# --- the model every fast chapter builds on ---------------------------------------------------------
class FastModel(Model):
    """Parameters live in one flat float64 buffer with a named view per matrix, so the optimizer updates
    all of them with a few whole-buffer operations.

    A subclass takes its scalar twin's `init_weights(vocab, rng)` (so both draw the same numbers, in the same
    order), maps token inputs to logits (`forward`) and writes the parameter gradients from the logits' gradient
    (`backward`).
    """

    has_loss = True
    has_gradients = True
    trainable = True
    loss_formula = "-log p"
    loss_head = staticmethod(log_loss)
    init_weights = None  # the scalar chapter's: {name: nested lists of floats}, drawn from rng

    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        initial = {name: np.array(values, dtype=np.float64) for name, values in self.init_weights(vocab, rng).items()}
        self.data = np.concatenate([w.ravel() for w in initial.values()])
        self.grad = np.zeros_like(self.data)
        self.offsets, offset = {}, 0
        for name, w in initial.items():
            self.offsets[name] = (offset, offset + w.size, w.shape)
            offset += w.size
        self.params = self.views(self.data)
        self.param_grads = self.views(self.grad)

    def views(self, flat):
        return {name: flat[a:b].reshape(shape) for name, (a, b, shape) in self.offsets.items()}

    # what a chapter defines
    def forward(self, inputs, real=None):
        """inputs (B, L) token ids -> (logits of the real positions (all when real is None), what backward needs)."""
        raise NotImplementedError

    def backward(self, dlogits, saved):
        """Writes every parameter's gradient into self.param_grads."""
        raise NotImplementedError

    # batches: documents padded to the longest; the padding is dropped as soon as positions stop mixing
    def pack(self, batch):
        """Inputs (B, L) padded with the end token; the flat indices of the real positions (None when nothing is
        padded); their targets; their shares of the loss, 1 / (B * n): the mean over a document, then over the batch."""
        end, size = self.vocab.end, len(batch)
        rows = [self.targets(ids) for ids in batch]
        if size == 1:  # the common case: nothing to pad; each position reads the token before its target
            tokens = np.array([end] + rows[0])
            return tokens[None, :-1], None, tokens[1:], np.full(len(rows[0]), 1.0 / len(rows[0]))
        counts = np.array([len(r) for r in rows])
        length = counts.max()
        targets = np.fromiter(chain.from_iterable(rows), dtype=np.intp, count=counts.sum())
        real = np.flatnonzero(row_indices(length) < counts[:, None])  # target i of document b sits at b * length + i
        inputs = np.full(size * length + 1, end)
        inputs[real + 1] = targets  # each position reads the target before it...
        inputs = inputs[:-1].reshape(size, length)
        inputs[:, 0] = end  # ...and the first reads the end token (padding is never read: its value does not matter)
        shares = np.repeat(1.0 / (size * counts), counts)
        return inputs, real if len(real) < inputs.size else None, targets, shares

    def run(self, batch):
        """Forward, loss and backward on a batch; fills self.grad and returns the mean document loss."""
        inputs, real, targets, shares = self.pack(batch)
        logits, saved = self.forward(inputs, real)
        _, losses, dlogits = self.loss_head(logits, targets, shares)
        self.backward(dlogits, saved)
        return float(losses @ shares)

    def document(self, ids):
        """probs, -log p (or 1 - p) at each position of one document, and their shares of its loss."""
        inputs, _, targets, shares = self.pack([ids])
        logits, _ = self.forward(inputs)
        probs, losses, _ = self.loss_head(logits, targets, shares)
        return probs, losses, shares

    # the contract ---------------------------------------------------------------------------------------
    def probs(self, ids):
        return self.document(ids)[0].tolist()

    def position_losses(self, ids):
        return self.document(ids)[1].tolist()

    def loss(self, ids):
        _, losses, shares = self.document(ids)
        return float(losses @ shares)

    def gradients(self, ids):
        kept = self.grad.copy()  # grads() keeps showing the last training step
        loss = self.run([ids])
        result = {name: g.copy() for name, g in self.param_grads.items()}
        self.grad[:] = kept
        return loss, result

    def train_step(self, batch, lr, t):
        loss = self.run(batch)
        self.update(lr, t)
        return loss

    def update(self, lr, t):
        """Plain gradient descent; chapter 12 replaces it with Adam."""
        self.data -= lr * self.grad

    def weights(self):
        return {name: w.copy() for name, w in self.params.items()}

    def set_weight(self, name, index, value):
        self.params[name][tuple(index)] = float(value)

    def load_weights(self, weights):
        load_into(self.params, weights, "weights")

    def grads(self):
        return {name: g.copy() for name, g in self.param_grads.items()}

    # Run keeps a checkpoint before every step: flat copies are far cheaper than weights()
    def state_buffers(self):
        """Every array a training step changes (chapter 12 adds Adam's moments); the gradients too, which the
        playground shows as the last step's."""
        return [self.data, self.grad]

    def checkpoint(self):
        return [buffer.copy() for buffer in self.state_buffers()]

    def restore(self, checkpoint):
        for buffer, kept in zip(self.state_buffers(), checkpoint):
            buffer[...] = kept

    def all_bounded(self):
        return bool(np.maximum.reduce(np.abs(self.data)) < WEIGHT_LIMIT)  # a NaN makes the max NaN: False

    def sampler(self, temperature=1.0):
        """Without a KV cache: the model reads the whole context again for every token (chapters 8-10; the scalar
        twins of 9 and 10 step one position at a time, with the same numbers: each position reads its own token)."""
        tokens = [self.vocab.end]

        def next_token_probs(token):
            if token != self.vocab.end:
                tokens.append(token)
            logits, _ = self.forward(np.array([tokens]))
            return softmax(logits[-1] / temperature).tolist()

        return next_token_probs
