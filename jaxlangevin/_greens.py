"""Green's functions and transmission at given frequencies (CONVENTIONS "Fourier transform").

G(w) = [Phi - w^2 M - i w sum_b gammaTilde_b(w) P_b]^-1. ``green`` returns the dense matrix (for small N
and checks); ``transmission`` uses the coupling's structure: O(N) per frequency for diagonal-plus-rank-one
(Sherman-Morrison) and tridiagonal Phi, a dense solve otherwise.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Complex, Float

from ._coupling.structure import DiagonalPlusRankOne, Tridiagonal
from ._system import System


def _self_energy_diag(system: System, w):
    """sum_b gammaTilde_b(w) [n in S_b] for one scalar w: (N,) complex."""
    out = jnp.zeros((system.n_sites,), jnp.result_type(system.masses.dtype, 1j))
    for b in system.baths:
        out = out.at[jnp.asarray(b.sites)].add(b.friction_kernel(w))
    return out


def _zdiag(system: System, w, diag):
    return diag - w * w * system.masses - 1j * w * _self_energy_diag(system, w)


def green(system: System, omega) -> Complex[Array, "... N N"]:
    """Dense retarded Green's function G(w), shape omega.shape + (N, N). O(N^3) per frequency."""
    system.require_linear("green")
    omega = jnp.asarray(omega)
    phi = system.stiffness()

    def one(w):
        z = phi - jnp.diag(w * w * system.masses + 1j * w * _self_energy_diag(system, w))
        return jnp.linalg.inv(z)

    flat = jax.vmap(one)(omega.reshape(-1))
    return flat.reshape(omega.shape + flat.shape[-2:])


def _pair_sum(system: System, w, a: int, b: int):
    """sum_{i in S_a, j in S_b} |G_ij(w)|^2 using the stiffness structure."""
    n = system.n_sites
    sa, sb = list(system.baths[a].sites), list(system.baths[b].sites)
    st = system.coupling.structure(n)
    if isinstance(st, DiagonalPlusRankOne):
        x = 1.0 / _zdiag(system, w, st.diag)
        h = 1.0 - st.u * jnp.sum(x)
        r = st.u / h
        both = sorted(set(sa) & set(sb))
        ax2 = jnp.abs(x) ** 2
        out = jnp.abs(r) ** 2 * jnp.sum(ax2[jnp.asarray(sa)]) * jnp.sum(ax2[jnp.asarray(sb)])
        if both:
            xb = x[jnp.asarray(both)]
            out = out + jnp.sum(jnp.abs(xb) ** 2 + 2 * jnp.real(jnp.conj(xb) * r * xb * xb))
        return out
    rhs = jnp.zeros((n, len(sb)), jnp.result_type(system.masses.dtype, 1j))
    rhs = rhs.at[jnp.asarray(sb), jnp.arange(len(sb))].set(1.0)
    if isinstance(st, Tridiagonal):
        d = _zdiag(system, w, st.diag)
        off = st.off.astype(d.dtype)
        dl = jnp.concatenate([jnp.zeros((1,), d.dtype), off])
        du = jnp.concatenate([off, jnp.zeros((1,), d.dtype)])
        cols = jax.lax.linalg.tridiagonal_solve(dl, d, du, rhs)
    else:
        z = st.to_dense() - jnp.diag(w * w * system.masses + 1j * w * _self_energy_diag(system, w))
        cols = jnp.linalg.solve(z, rhs)
    return jnp.sum(jnp.abs(cols[jnp.asarray(sa), :]) ** 2)


def transmission(system: System, omega, a: int = 0, b: int = 1) -> Float[Array, "..."]:
    """Tr_ab(w) = 4 Tr[Gamma_a(w) G(w) Gamma_b(w) G(w)^dagger] (CONVENTIONS; Defaveri Eq. 16).

    ``a``, ``b`` index ``system.baths``; ``omega`` any real array. Cost per frequency: O(N) for
    mean-field/pinning/walls and nearest-neighbour couplings, O(N^3) for dense ones.
    """
    system.require_linear("transmission")
    nb = len(system.baths)
    for name, i in (("a", a), ("b", b)):
        if not (isinstance(i, int) and 0 <= i < nb):
            raise ValueError(f"`{name}` must be a bath index in 0..{nb - 1}, got {i!r}.")
    omega = jnp.asarray(omega)
    ba, bb = system.baths[a], system.baths[b]
    ti = system.coupling.structure(system.n_sites).translation_invariant
    # free centre of mass: G(w) -> 1 1^T / (-i w sum_n gammaTilde_n(0)) as w -> 0, so Tr_ab(0) is the
    # finite limit 4 Gamma'_a Gamma'_b / (sum_c Gamma'_c)^2 with Gamma'_c = |S_c| Re gammaTilde_c(0)
    # (the 0/0 at w = 0 exactly would otherwise give nan).
    zero = jnp.zeros((), system.masses.dtype)
    width = [len(c.sites) * c.friction_kernel(zero).real for c in system.baths]
    limit = 4 * width[a] * width[b] / sum(width) ** 2

    def one(w):
        safe = jnp.where(w == 0, 1.0, w)
        tr = 4 * ba.spectral_width(safe) * bb.spectral_width(safe) * _pair_sum(system, safe, a, b)
        return jnp.where(w == 0, jnp.where(ti, limit, 0.0), tr)

    flat = jax.vmap(one)(omega.reshape(-1).astype(system.masses.dtype))
    return flat.reshape(omega.shape)
