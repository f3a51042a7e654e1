"""Pauli operators on a chain of N spins-1/2 and their local action on density matrices.

Basis: site 0 is the most significant factor of the tensor product; on each site index 0 is spin up
(sigma^z = +1, Ishida-Sugita's |1>), index 1 is spin down. A density matrix of N spins is a (2^N, 2^N)
array; ``as_tensor`` views it as (2,)*N + (2,)*N so that a one- or two-site operator acts in O(4^N)
instead of the O(8^N) of a dense product.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

IDENTITY = np.eye(2, dtype=complex)
SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
SIGMA_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
SIGMA_Z = np.array([[1, 0], [0, -1]], dtype=complex)
PAULI = (SIGMA_X, SIGMA_Y, SIGMA_Z)


def bond_operator(alpha):
    """sum_jk alpha_jk sigma^j (x) sigma^k: the (4, 4) coupling of one bond (Ishida-Sugita Eq. 118)."""
    return sum(alpha[j, k] * jnp.asarray(np.kron(PAULI[j], PAULI[k])) for j in range(3) for k in range(3))


def embed(op, site: int, n: int):
    """The (2^N, 2^N) operator acting as ``op`` on ``site`` .. ``site + k - 1`` (op is (2^k, 2^k))."""
    k = int(round(np.log2(op.shape[0])))
    left = jnp.eye(2**site, dtype=op.dtype)
    right = jnp.eye(2 ** (n - site - k), dtype=op.dtype)
    return jnp.kron(jnp.kron(left, op), right)


def as_tensor(rho, n: int):
    """View a (2^N, 2^N) matrix as a (2,)*2N tensor (row indices first)."""
    return rho.reshape((2,) * (2 * n))


def apply_left(op, site: int, rho, n: int):
    """(op on sites site..site+k-1) @ rho, for a (2^k, 2^k) op: cost O(2^k 4^N)."""
    k = int(round(np.log2(op.shape[0])))
    t = as_tensor(rho, n)
    t = jnp.moveaxis(t, tuple(range(site, site + k)), tuple(range(k)))
    shape = t.shape
    t = (op @ t.reshape(2**k, -1)).reshape(shape)
    t = jnp.moveaxis(t, tuple(range(k)), tuple(range(site, site + k)))
    return t.reshape(rho.shape)


def apply_right(op, site: int, rho, n: int):
    """rho @ (op on sites site..site+k-1): cost O(2^k 4^N)."""
    return apply_left(op.T, site, rho.T, n).T


def reduced(rho, sites: tuple[int, ...], n: int):
    """Reduced density matrix of ``sites`` (ascending), tracing out the rest: (2^k, 2^k), O(4^N)."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = list(letters[:n])
    cols = [rows[i] if i not in sites else letters[n + i] for i in range(n)]
    out = "".join(rows[i] for i in sites) + "".join(cols[i] for i in sites)
    k = len(sites)
    return jnp.einsum(f"{''.join(rows)}{''.join(cols)}->{out}", as_tensor(rho, n)).reshape(2**k, 2**k)


def expectation(rho, op, first_site: int, n: int):
    """Re Tr(rho op) for an operator on consecutive sites first_site.. (from the reduced matrix)."""
    k = int(round(np.log2(op.shape[0])))
    return jnp.real(jnp.trace(reduced(rho, tuple(range(first_site, first_site + k)), n) @ op))
