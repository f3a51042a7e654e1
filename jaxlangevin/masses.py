"""Mass profiles (CONVENTIONS: masses m_n > 0; Defaveri et al. Sec. II).

Each function returns a float array of shape ``(N,)``; any positive array works as masses too.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._validation import as_float_array, check_values, positive

__all__ = ["uniform", "graded", "random"]


def _check_n(n) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"`N` must be an integer >= 1, got {n!r}.")
    return n


def _check_delta(mean, delta):
    mean = positive("mean", as_float_array("mean", mean, ndim=0))
    delta = as_float_array("delta", delta, ndim=0)
    delta = check_values("delta", delta, lambda d: (d >= 0) & (d < mean), f"in [0, mean) = [0, {mean})")
    return mean, delta


def uniform(N: int, m=1.0):
    """Equal masses, m_n = m for all n."""
    _check_n(N)
    m = positive("m", as_float_array("m", m, ndim=0))
    return jnp.full((N,), m)


def graded(N: int, mean=1.0, delta=0.1):
    """Linearly graded masses m_n = mean - delta + 2 delta n / (N - 1) (Defaveri Sec. II).

    Site 0 is the lightest. ``delta`` must satisfy 0 <= delta < mean so every mass is positive.
    For N = 1 the single mass is ``mean``.
    """
    _check_n(N)
    mean, delta = _check_delta(mean, delta)
    if N == 1:
        return jnp.reshape(mean, (1,))
    n = jnp.arange(N, dtype=mean.dtype)
    return mean - delta + 2 * delta * n / (N - 1)


def random(key, N: int, mean=1.0, delta=0.1):
    """Independent masses uniform in [mean - delta, mean + delta] (Defaveri Sec. II); explicit key."""
    _check_n(N)
    mean, delta = _check_delta(mean, delta)
    u = jax.random.uniform(key, (N,), dtype=mean.dtype, minval=-1.0, maxval=1.0)
    return mean + delta * u
