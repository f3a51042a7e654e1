"""A secular (Bloch-Redfield-like) approximation P of L in the eigenbasis of H_eff: the GMRES preconditioner.

In the eigenbasis H_eff = U diag(eps) U^dagger the coherent part of L is diagonal, -i w_ab with
w_ab = eps_a - eps_b, and the dissipator lambda^2 D has the matrix elements (Eq. 7, rho = |c><d|)

    <a| D(|c><d|) |b> = -(X S)_ac delta_bd + S_ac X_db - delta_ac (S^dagger X)_db + X_ac (S^dagger)_db

with X, S (``_liouvillian.bath_operators``) rotated into the eigenbasis. P keeps, of lambda^2 D,
- the "slow sector": the populations rho_aa and the ``num_pairs`` most nearly degenerate coherences
  (both rho_ab and rho_ba), coupled among themselves exactly, by one dense LU of dimension
  2^N + 2 num_pairs. Its populations block is the Pauli rate matrix; the near-degenerate coherences
  (|w_ab| ~ lambda^2 rates, and exact degeneracies, e.g. of the free-fermion XX chain) are where the plain
  secular approximation fails, so they are solved together with the populations;
- for every other coherence the diagonal -i w_ab + lambda^2 <a|D(|a><b|)|b>, accurate for |w_ab| >> lambda^2.
P is trace preserving (its population columns sum to zero), so like L it maps onto traceless matrices;
the slow-sector matrix M is bordered, M + u t^T with t the trace row, which is invertible and gives
both P^+ (traceless in, traceless out) and P's own steady state (M x = 0, t^T x = 1), as ``Dense`` does.

Hermitian matrices are handled "packed": v = S + i A (S symmetric, A antisymmetric) is stored as the real
matrix S + A. L and P preserve Hermiticity, so GMRES runs over the reals on packed matrices, and when U is
real (H_eff real: sigma^x, sigma^z, sigma^y sigma^y terms only, every chain of the paper) a change of basis
U^T (S + A) U keeps S and A apart: two real (2^N)^3 products instead of four for a complex matrix.
Whether U is real is decided at run time (``lax.cond``); a complex U takes the complex path.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from ._chain import SpinChain
from ._liouvillian import bath_operators, hamiltonian
from ._operators import apply_left


def pack(v):
    """Real (d, d) S + A of the Hermitian part S + i A of a complex (d, d) v."""
    re, im = jnp.real(v), jnp.imag(v)
    return 0.5 * (re + re.T) + 0.5 * (im - im.T)


def pack_hermitian(v):
    """``pack`` for a v known to be Hermitian: Re v + Im v, with no transpose.

    A transpose would be fused into the producer of v (e.g. the ~60 flipped reads of L rho), which then
    runs in strided order, several times slower; rounding-level anti-Hermitian parts are simply kept.
    """
    return jnp.real(v) + jnp.imag(v)


def unpack(r):
    """The Hermitian matrix sym(r) + i antisym(r) stored in a real (d, d) r."""
    return jax.lax.complex(0.5 * (r + r.T), 0.5 * (r - r.T))


class SecularPreconditioner(eqx.Module):
    """P ~ L in the eigenbasis of H_eff (see the module docstring). Build once per chain.

    Attributes:
        basis: U, (2^N, 2^N) complex; ``is_real``: whether U is real (then ``basis.imag`` is 0).
        rows, cols: (m,) the slow-sector elements rho_ab, populations first.
        lu: LU factors of the bordered slow-sector matrix M + u t^T; ``border``: u.
        diagonal: (2^N, 2^N) P's diagonal for the coherences outside the slow sector (1 inside it).
    """

    basis: jnp.ndarray
    is_real: jnp.ndarray
    rows: jnp.ndarray
    cols: jnp.ndarray
    lu: tuple
    border: jnp.ndarray
    diagonal: jnp.ndarray

    def __init__(self, chain: SpinChain, num_pairs: int):
        n = chain.n
        d = 2**n
        h = hamiltonian(chain)
        is_real = jnp.all(jnp.imag(h) == 0)

        def real_eigh(h):
            eps, u = jnp.linalg.eigh(jnp.real(h))
            return eps, u.astype(complex)

        def complex_eigh(h):
            eps, u = jnp.linalg.eigh(h)
            return eps, u

        eps, u = jax.lax.cond(is_real, real_eigh, complex_eigh, h)
        self.basis, self.is_real = u, is_real

        def rotate(op, site):  # U^dagger A U for a one-spin operator A: A U is O(4^N), then one product
            au = apply_left(op, site, u, n)
            return jax.lax.cond(
                is_real,
                lambda au: _real_times_complex(u.real.T, au),
                lambda au: u.conj().T @ au,
                au,
            )

        # the slow sector: populations, then the num_pairs smallest |w_ab| (a < b), then their transposes
        upper_a, upper_b = np.triu_indices(d, 1)
        num_pairs = min(num_pairs, upper_a.size)
        _, pick = jax.lax.top_k(-jnp.abs(eps[upper_a] - eps[upper_b]), num_pairs)
        pa, pb = jnp.asarray(upper_a)[pick], jnp.asarray(upper_b)[pick]
        rows = jnp.concatenate([jnp.arange(d), pa, pb])
        cols = jnp.concatenate([jnp.arange(d), pb, pa])
        self.rows, self.cols = rows, cols

        w = eps[:, None] - eps[None, :]
        same_a = rows[:, None] == rows[None, :]
        same_b = cols[:, None] == cols[None, :]
        m = -1j * jnp.diag(w[rows, cols]).astype(complex)
        diag = -1j * w.astype(complex)
        lam2 = chain.coupling**2
        r_i, r_j, c_i, c_j = rows[:, None], rows[None, :], cols[:, None], cols[None, :]
        for bath in chain.baths:
            x_op, s_op = bath_operators(chain, bath)
            x, s = rotate(x_op, bath.site), rotate(s_op, bath.site)
            xs, sdx = rotate(x_op @ s_op, bath.site), rotate(s_op.conj().T @ x_op, bath.site)
            sd = s.conj().T
            # <a| D(|c><d|) |b> on the slow sector: a, b = rows_i, cols_i and c, d = rows_j, cols_j
            m = m + lam2 * (
                -jnp.where(same_b, xs[r_i, r_j], 0)
                + s[r_i, r_j] * x[c_j, c_i]
                - jnp.where(same_a, sdx[c_j, c_i], 0)
                + x[r_i, r_j] * sd[c_j, c_i]
            )
            # <a| D(|a><b|) |b> for every pair
            dx, ds, dsd = jnp.diagonal(x), jnp.diagonal(s), jnp.diagonal(sd)
            diag = diag + lam2 * (
                -jnp.diagonal(xs)[:, None]
                + ds[:, None] * dx[None, :]
                - jnp.diagonal(sdx)[None, :]
                + dx[:, None] * dsd[None, :]
            )
        trace_row = (jnp.arange(rows.size) < d).astype(complex)
        scale = jnp.mean(jnp.abs(jnp.diagonal(m)[:d]))  # the typical population decay rate
        self.border = trace_row * scale / d
        self.lu = jsl.lu_factor(m + jnp.outer(self.border, trace_row))
        self.diagonal = diag.at[rows, cols].set(1.0)

    def _sandwich(self, r, to_eigen: bool):
        u = self.basis
        left, right = (u.conj().T, u) if to_eigen else (u, u.conj().T)
        return jax.lax.cond(
            self.is_real,
            lambda r: left.real @ r @ right.real,
            lambda r: pack(left @ unpack(r) @ right),
            r,
        )

    def to_eigen(self, r):
        """Packed U^dagger v U of a packed Hermitian v."""
        return self._sandwich(r, True)

    def from_eigen(self, r):
        """Packed U v U^dagger of a packed Hermitian v."""
        return self._sandwich(r, False)

    def _solve_eigen(self, vt):
        xt = vt / self.diagonal
        return xt.at[self.rows, self.cols].set(jsl.lu_solve(self.lu, vt[self.rows, self.cols]), unique_indices=True)

    def solve(self, r):
        """Packed P^+ v for a packed traceless Hermitian v: the traceless x with P x = v."""
        return self.from_eigen(pack_hermitian(self._solve_eigen(unpack(self.to_eigen(r)))))

    def steady_state(self):
        """Packed P's own steady state: P x = 0, Tr x = 1."""
        d = self.diagonal.shape[0]
        xt = jnp.zeros((d, d), dtype=complex).at[self.rows, self.cols].set(jsl.lu_solve(self.lu, self.border))
        return self.from_eigen(pack(xt))

    def solve_bordered(self, v, rho_p):
        """(P + u t^T)^-1 v for any complex (d, d) v, with u t^T v = Tr(v) 1 / d (``Dense``'s border).

        Complex-linear (not packed), for the tangent and cotangent solves of ``GMRES``' derivative:
        s = Tr v, x = P^+(v - s 1 / d) + s rho_P, with ``rho_p`` (complex) P's steady state.
        """
        u = self.basis
        d = u.shape[0]
        s = jnp.trace(v)
        v = v - s * jnp.eye(d) / d

        def sandwich(v, left, right):
            return jax.lax.cond(
                self.is_real,
                lambda v: _real_times_complex(left.real, _real_times_complex(right.real.T, v.T).T),
                lambda v: left @ v @ right,
                v,
            )

        xt = self._solve_eigen(sandwich(v, u.conj().T, u))
        return sandwich(xt, u, u.conj().T) + s * rho_p


def _real_times_complex(a, v):
    """a @ v for real a and complex v, as one real product on the stacked real and imaginary parts."""
    d = v.shape[1]
    w = a @ jnp.concatenate([v.real, v.imag], axis=1)
    return jax.lax.complex(w[:, :d], w[:, d:])
