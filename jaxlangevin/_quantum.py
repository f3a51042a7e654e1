"""Quantum (Bose) statistics in the residue sums: the thermal weight of each pole of G.

CONVENTIONS "Quantum steady state" replaces a bath temperature T by the frequency-dependent
Theta(w, T) = (hbar w / 2) coth(hbar w / (2 T)) inside the frequency integrals. The classical integrands
are even rational functions F(w) = sum_p A_p 2 lambda_p / (w^2 - lambda_p^2) over the poles lambda_p of G
(all in the lower half plane), and int dw F(w) = -2 pi i sum_p A_p (``jaxlangevin._residues``). With
the Matsubara expansion Theta(w, T) = T + sum_{k>=1} 2 T w^2 / (w^2 + nu_k^2), nu_k = 2 pi k T / hbar, each
term is again a residue sum (poles -lambda_p and i nu_k), and the sum over k is a digamma function:

    int dw F(w) Theta(w, T) = -2 pi i sum_p A_p Q(lambda_p, T),
    Q(lambda, T) = T S(z) - (i hbar lambda / pi) log(i lambda),   z = i hbar lambda / (2 pi T),
    S(z) = 1 - 2 z [psi(1 + z) - log z],

up to a term (i hbar lambda / pi) log(cutoff) that is the same for every pole and temperature. It drops
out wherever sum_p A_p lambda_p = 0, i.e. wherever F decays faster than w^-2: at every site not held by
an Ohmic bath, and in every Landauer difference Theta(w, T_a) - Theta(w, T_b). At a site held by an Ohmic
bath it is the logarithmic divergence of Andreucci et al. Eq. (54), and the engine refuses that number.
Limits: hbar -> 0 gives Q = T (classical); T -> 0 gives S -> 0 and Q = -(i hbar lambda / pi) log(i lambda),
the zero-point motion. Re z >= 0 for poles in the lower half plane, so psi(1 + z) is regular.

The digamma function of a complex argument (not in jax.scipy) is its Stirling series after shifting
the argument to |z| >= 10: relative accuracy ~1e-16 everywhere on Re z >= 0, differentiable.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

# Bernoulli numbers B_2k / (2k), k = 1..8: psi(z) ~ log z - 1/(2z) - sum_k B_2k / (2k z^2k)
_B2K_OVER_2K = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160)
_LARGE = 10.0
_SHIFT = 10


def _tail(z):
    """sum_k B_2k / (2k z^2k) for |z| >= 10 (truncation below 1e-18 relative)."""
    w = 1.0 / (z * z)
    acc = jnp.zeros_like(z)
    for c in reversed(_B2K_OVER_2K):
        acc = (acc + c) * w
    return acc


def psi1p_minus_log(z):
    """D(z) = psi(1 + z) - log z for Re z >= 0, z != 0, without cancellation at large |z|.

    |z| >= 10: D = 1/(2z) - sum_k B_2k / (2k z^2k). Otherwise psi(1 + z) = psi(1 + z + n) - sum_{j=1}^n
    1/(z + j) with n = 10, and the series at 1 + z + n.
    """
    large = jnp.abs(z) >= _LARGE
    zl = jnp.where(large, z, _LARGE)
    d_large = 0.5 / zl - _tail(zl)
    zs = jnp.where(large, 1.0, z)
    w = zs + 1 + _SHIFT
    psi_w = jnp.log(w) - 0.5 / w - _tail(w)
    shift = sum(1.0 / (zs + j) for j in range(1, _SHIFT + 1))
    d_small = psi_w - shift - jnp.log(zs)
    return jnp.where(large, d_large, d_small)


def _s(z):
    """S(z) = 1 - 2 z D(z); for |z| >= 10 directly as sum_k B_2k / (k z^(2k-1)) (no cancellation)."""
    large = jnp.abs(z) >= _LARGE
    zl = jnp.where(large, z, _LARGE)
    s_large = 2.0 * zl * _tail(zl)
    zs = jnp.where(large, 1.0, z)
    return jnp.where(large, s_large, 1.0 - 2.0 * zs * psi1p_minus_log(zs))


def thermal_weight(lam, temperature, hbar):
    """Q(lambda, T) of the module docstring for poles ``lam`` (..., K) and temperatures (n_t,) -> (n_t, ..., K).

    ``hbar = None`` gives the classical weight T. T = 0 is allowed (zero-point motion only).
    """
    lam = jnp.asarray(lam)
    t = jnp.asarray(temperature)
    t_b = t.reshape(t.shape + (1,) * lam.ndim)  # explicit ranks: (n_t, 1, ...) against (1, ...)
    shape = t.shape + lam.shape
    if hbar is None:
        return jnp.broadcast_to(t_b, shape).astype(jnp.result_type(lam))
    il = (1j * lam).reshape((1,) * t.ndim + lam.shape)
    il_safe = jnp.where(il == 0, 1.0, il)
    zero_point = jnp.broadcast_to(-(hbar / jnp.pi) * il * jnp.log(il_safe), shape)
    hot = jnp.broadcast_to(t_b > 0, shape)
    zero = jnp.broadcast_to(il == 0, shape)
    z = hbar * il / (2 * jnp.pi * jnp.where(t_b > 0, t_b, 1.0))
    t_full = jnp.broadcast_to(t_b, shape)
    thermal = jnp.where(hot & ~zero, t_full * _s(jnp.where(zero, 1.0, z)), jnp.where(zero, t_full, 0.0))
    return thermal + zero_point


def thermal_weight_derivative(lam, temperature, hbar):
    """dQ/dT (n_t, ..., K), the weight of the linear-response conductance (forward-mode derivative of
    ``thermal_weight``: each row depends on its own temperature only). Classical: 1."""
    t = jnp.asarray(temperature, jnp.result_type(float))
    return jax.jvp(lambda tt: thermal_weight(lam, tt, hbar), (t,), (jnp.ones_like(t),))[1]
