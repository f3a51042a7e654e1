"""Double-double arithmetic: a value as an unevaluated sum hi + lo of two floats, ~2x the precision.

Built from the error-free transformations TwoSum (Knuth) and TwoProd (Dekker's product of split halves,
so no fused multiply-add is needed), as in Hida, Li & Bailey, "Algorithms for quad-double precision
floating point arithmetic" (ARITH 2001). The split rounds with ``lax.reduce_precision`` rather than
Veltkamp's t - (t - a), t = (2^27 + 1) a, which a compiler that contracts S a - a into one fused
multiply-add (XLA on GPU may) would break; contraction elsewhere only makes exact products exact.
Elementwise on arrays of any shape; a double-double is a tuple ``(hi, lo)``. Relative accuracy ~eps^2
(1e-32 in float64) per operation. Used where a root must be placed to the last bit although the function
that defines it cannot be evaluated to better than eps times the size of its terms
(``jaxlangevin._secular``: close pairs of secular roots).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def two_sum(a, b):
    """a + b = s + e exactly."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _quick_two_sum(a, b):
    """a + b = s + e exactly, given |a| >= |b|."""
    s = a + b
    return s, b - (s - a)


def _split(a):
    """a = hi + lo exactly, hi with 26 significant bits (float64) and lo with at most 27: products of
    halves are exact but lo * lo, whose rounding (~2^-107 |a|^2) is below double-double precision."""
    hi = jax.lax.reduce_precision(a, exponent_bits=11, mantissa_bits=25)
    return hi, a - hi


def two_prod(a, b):
    """a * b = p + e exactly."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def add(x, y):
    s, e = two_sum(x[0], y[0])
    t, f = two_sum(x[1], y[1])
    s, e = _quick_two_sum(s, e + t)
    return _quick_two_sum(s, e + f)


def neg(x):
    return -x[0], -x[1]


def mul(x, y):
    p, e = two_prod(x[0], y[0])
    return _quick_two_sum(p, e + (x[0] * y[1] + x[1] * y[0]))


def div(x, y):
    """x / y by two correction steps of long division."""
    q1 = x[0] / y[0]
    r = add(x, neg(mul(y, (q1, jnp.zeros_like(q1)))))
    q2 = r[0] / y[0]
    r = add(r, neg(mul(y, (q2, jnp.zeros_like(q2)))))
    q3 = r[0] / y[0]
    return add(_quick_two_sum(q1, q2), (q3, jnp.zeros_like(q3)))


def const(a):
    """A float (array) as a double-double."""
    a = jnp.asarray(a)
    return a, jnp.zeros_like(a)


def sum_last_axis(x):
    """Sum over the last axis by pairwise double-double additions (log2 of its length passes)."""
    hi, lo = x
    n = hi.shape[-1]
    while n > 1:
        if n % 2:
            pad = [(0, 0)] * (hi.ndim - 1) + [(0, 1)]
            hi, lo = jnp.pad(hi, pad), jnp.pad(lo, pad)
            n += 1
        hi, lo = add((hi[..., 0::2], lo[..., 0::2]), (hi[..., 1::2], lo[..., 1::2]))
        n //= 2
    return hi[..., 0], lo[..., 0]
