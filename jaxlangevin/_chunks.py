"""Chunked loops over poles: O(chunk x R) memory instead of O(K x R) for K poles and R groups.

Both helpers checkpoint the chunk body, so reverse-mode differentiation recomputes a chunk instead of
storing it: memory stays O(chunk x R) in the gradient too.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

#: complex entries held at once per chunk (2^21 x 16 bytes = 32 MiB per temporary)
_BUDGET = 2**21


def _split(xs, width):
    k = xs[0].shape[0]
    c = max(1, min(k, _BUDGET // max(width, 1)))
    pad = (-k) % c
    parts = tuple(jnp.pad(x, [(0, pad)] + [(0, 0)] * (x.ndim - 1)).reshape((-1, c) + x.shape[1:]) for x in xs)
    return k, parts


def map_poles(fn, *xs, width: int):
    """Apply ``fn`` (vectorised over a leading axis) chunk by chunk; returns per-pole outputs."""
    k, parts = _split(xs, width)
    out = jax.lax.map(jax.checkpoint(lambda a: fn(*a)), parts)
    return jax.tree.map(lambda o: o.reshape((-1,) + o.shape[2:])[:k], out)


def sum_over_poles(fn, *xs, width: int):
    """sum_k fn(x_k), accumulated chunk by chunk. Padding entries are zero: ``fn`` must mask them."""
    _, parts = _split(xs, width)
    body = jax.checkpoint(lambda a: fn(*a))
    first = jax.tree.map(lambda p: p[0], parts)
    init = jax.tree.map(jnp.zeros_like, jax.eval_shape(body, first))

    def step(acc, a):
        return jax.tree.map(jnp.add, acc, body(a)), None

    return jax.lax.scan(step, init, parts)[0]
