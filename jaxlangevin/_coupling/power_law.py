"""Long-range power-law coupling (Andreucci et al. Eq. 40; CONVENTIONS "power law")."""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .._validation import as_float_array, finite, nonnegative
from .base import AbstractCoupling
from .structure import DenseStiffness


class PowerLaw(AbstractCoupling):
    """F_n = (k / N_sigma) sum_{j != n} (q_j - q_n) / |n - j|^(1 + sigma).

    N_sigma = sum_{l=1}^{N} l^(-1-sigma); sigma = -1 is the mean-field term with Nt = N.
    The force is a Toeplitz product done by FFT in O(N log N); Phi is dense.
    Andreucci et al. Eq. 40 sums over ordered pairs: ``PowerLaw.from_andreucci(k, sigma)`` = PowerLaw(2 k, sigma).
    """

    k: Float[Array, ""]
    sigma: Float[Array, ""]

    def __init__(self, k=1.0, sigma=0.5):
        self.k = nonnegative("k", as_float_array("k", k, ndim=0))
        self.sigma = finite("sigma", as_float_array("sigma", sigma, ndim=0))

    @classmethod
    def from_andreucci(cls, k, sigma):
        """Andreucci et al. Eq. 40 with their k: PowerLaw(2 k, sigma)."""
        return cls(2 * jnp.asarray(k), sigma)

    def _weights(self, n):
        """w_l = (k / N_sigma) l^(-1-sigma) for l = 1..N (length N; w_N only enters N_sigma)."""
        ell = jnp.arange(1, n + 1, dtype=jnp.result_type(self.k, float))
        p = ell ** (-1.0 - self.sigma)
        return self.k * p / jnp.sum(p)

    def force(self, q):
        n = q.shape[-1]
        if n == 1:
            return jnp.zeros_like(q)
        w = self._weights(n)[: n - 1]  # distances 1..N-1
        # circulant embedding of the symmetric Toeplitz kernel with zero diagonal, length 2N
        kernel = jnp.concatenate([jnp.zeros((1,), w.dtype), w, jnp.zeros((1,), w.dtype), w[::-1]])
        qp = jnp.concatenate([q, jnp.zeros_like(q)], axis=-1)
        kernel_hat = jnp.fft.rfft(kernel).reshape((1,) * (q.ndim - 1) + (n + 1,))
        conv = jnp.fft.irfft(jnp.fft.rfft(qp, axis=-1) * kernel_hat, n=2 * n, axis=-1)[..., :n]
        cum = jnp.concatenate([jnp.zeros((1,), w.dtype), jnp.cumsum(w)])  # H(m) = sum_{l<=m} w_l
        idx = jnp.arange(n)
        rowsum = cum[idx] + cum[n - 1 - idx]
        return conv - rowsum.reshape((1,) * (q.ndim - 1) + (n,)) * q

    def structure(self, n: int):
        w = jnp.concatenate([jnp.zeros((1,), jnp.result_type(self.k, float)), self._weights(n)])
        idx = jnp.arange(n)
        off = -w[jnp.abs(idx[:, None] - idx[None, :])]
        phi = off - jnp.diag(jnp.sum(off, axis=1))
        return DenseStiffness(phi, jnp.asarray(True))
