"""Exact finite-N classical steady state of the equal-mass mean-field model (derived here).

Model (CONVENTIONS): N sites of equal mass m, mean-field coupling F_n += (k / Nt) sum_j (q_j - q_n)
with Kac factor Nt in {N-1, N, 1}, pinning k0, and two Ohmic baths of equal friction gamma: the left
one on ``n_left`` sites, the right one on ``n_right`` other sites (intensive: n_left = n_right = 1,
sites 0 and N-1; extensive: the first/last alpha N sites). The remaining n_B = N - n_left - n_right
sites are the bulk. Result: the NEGF steady state of CONVENTIONS, i.e. the one reached from rest.

Derivation (u = k/Nt, c = N u + k0, x(w) = c - m w^2, y(w) = k0 - m w^2, n_E = n_left + n_right).
Phi = c I - u 1 1^T is diagonal plus rank one, so (Sherman-Morrison, as in Defaveri Eq. 11-14 and
Andreucci Eq. 15)

    G_ij = delta_ij / a_i + u / (a_i a_j D),  D = 1 - u sum_n 1/a_n,
    a_n = x - i w gamma (bath sites),  a_n = x (bulk sites).

Two products of this are all that is needed:

    G_{r l} = u x / (a Den),   G_{b l} = G_{b r} = u / Den    (l left, r right, b bulk sites),
    Den(w) = x y - i w gamma (x - u n_B),   a = x - i w gamma,

a quartic in w. The integrals of CONVENTIONS "Classical steady state" are then integrals of rational
functions of degree <= 12 over the real line; done in closed form (Hurwitz / H2-norm formula, checked
symbolically and by quadrature) they are

    int dw/2pi w^2 / |Den|^2             = 1 / (2 gamma m u^2 n_B n_E),
    int dw/2pi w^2 x^2 / (|a|^2 |Den|^2)  = (N + n_B) / (gamma n_E [m u^2 (N + n_B)^2 + 2 gamma^2 (u n_E + 2 k0)]).

Hence, exactly, for every N, Nt, k > 0, k0 >= 0, m, gamma > 0:

    J        = 2 gamma (T_L - T_R) n_left n_right u^2 (N + n_B)
               / ( n_E [ m u^2 (N + n_B)^2 + 2 gamma^2 (u n_E + 2 k0) ] ),
    T_bulk   = (n_left T_L + n_right T_R) / (n_E n_B),
    T_left   = T_L - m J / (gamma n_left),     T_right = T_R + m J / (gamma n_right).

The last line is energy balance: J_L = sum_{n in S_L} <(eta_n - gamma v_n) v_n> = (gamma/m) sum (T_L - T_n),
and all left-bath sites are equivalent. Physical reading: the relative motions inside a bath group
are single damped oscillators in equilibrium with their own bath; the bulk relative motions are dark
(zero energy from rest); the bulk centre of mass holds one mode's worth of kinetic energy at the
n-weighted mean bath temperature, shared by n_B sites -- whence T_bulk ~ 1/N (Andreucci Sec. 3.3).
For the intensive case these give Defaveri Eq. 16-18 and Eq. 31 integrated in closed form and
Andreucci Eq. 18-19 and 28-29 without the large-N approximation.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
from jaxtyping import Array, Float

__all__ = [
    "EqualMassSteadyState",
    "kac_factor",
    "mean_field_equal_mass_steady_state",
    "mean_field_equal_mass_temperatures",
    "mean_field_equal_mass_profile",
]

_KAC = ("N-1", "N", "1")


class EqualMassSteadyState(NamedTuple):
    """Steady state of the equal-mass mean-field model from rest (a tuple: unpack it).

    ``T_left``: kinetic temperature of every left-bath site (site 0 when intensive); ``T_bulk``: of every
    site held by no bath (nan when there is none); ``T_right``: of every right-bath site (site N-1 when
    intensive); ``flux``: J_L, heat per unit time from the left bath into the system (= -J_R).
    """

    T_left: Float[Array, ""]
    T_bulk: Float[Array, ""]
    T_right: Float[Array, ""]
    flux: Float[Array, ""]


def kac_factor(N: int, kac: str) -> int:
    """Kac factor Nt of CONVENTIONS: "N-1" -> N - 1, "N" -> N, "1" -> 1 (Defaveri Eq. 1, 5)."""
    if kac not in _KAC:
        raise ValueError(f"`kac` must be one of {_KAC} (Kac factor Nt = N-1, N or 1), got {kac!r}.")
    return {"N-1": N - 1, "N": N, "1": 1}[kac]


def _check_sizes(N, n_left, n_right):
    for name, v in (("N", N), ("n_left", n_left), ("n_right", n_right)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise ValueError(f"`{name}` must be a Python int (it fixes the structure), got {v!r}.")
    if N < 2:
        raise ValueError(f"`N` must be >= 2 (two baths on distinct sites), got {N}.")
    if n_left < 1 or n_right < 1 or n_left + n_right > N:
        raise ValueError(
            f"need n_left >= 1, n_right >= 1 and n_left + n_right <= N; got {n_left}, {n_right}, N = {N}."
        )


def mean_field_equal_mass_steady_state(
    N: int,
    n_left: int = 1,
    n_right: int = 1,
    k=1.0,
    kac: str = "N-1",
    m=1.0,
    gamma=1.0,
    k0=0.0,
    T_L=1.5,
    T_R=0.5,
) -> EqualMassSteadyState:
    """Exact flux and kinetic temperatures of the equal-mass mean-field model, reached from rest.

    Closed form derived in this module's docstring (Sherman-Morrison Green's function as in Defaveri
    Eq. 11-14 / Andreucci Eq. 15, frequency integrals of CONVENTIONS done exactly):

        J      = 2 gamma (T_L - T_R) nL nR u^2 (N + nB) / (nE [m u^2 (N + nB)^2 + 2 gamma^2 (u nE + 2 k0)])
        T_bulk = (nL T_L + nR T_R) / (nE nB)
        T_left = T_L - m J / (gamma nL),   T_right = T_R + m J / (gamma nR)

    with u = k / Nt, nE = nL + nR, nB = N - nE. Intensive baths: n_left = n_right = 1 (sites 0, N-1);
    extensive (``jl.extensive``): n_left = round(alpha_L N), n_right = round(alpha_R N).

    Parameters (CONVENTIONS units, k_B = 1): ``N`` sites (int); ``k`` mean-field stiffness and ``kac``
    ("N-1", "N" or "1") the Kac factor Nt; ``m`` the common mass; ``gamma`` the common Ohmic friction
    of both baths; ``k0`` pinning; ``T_L``, ``T_R`` bath temperatures. Needs k > 0 (with k = 0 the bulk
    is disconnected and holds no energy from rest; the T_bulk formula does not apply), m, gamma > 0.
    Andreucci's k_A: pass k = 2 k_A, kac = "N".

    Returns ``EqualMassSteadyState(T_left, T_bulk, T_right, flux)``; T_bulk is nan if nB = 0.
    Start: from rest (bulk relative modes never touch the baths and keep zero energy). Exact to
    rounding; cost O(1) in N; jit/grad-compatible in k, m, gamma, k0, T_L, T_R (N, n_left, n_right,
    kac static).
    """
    _check_sizes(N, n_left, n_right)
    nt = kac_factor(N, kac)
    k, m, gamma, k0, T_L, T_R = (
        jnp.asarray(v, dtype=jnp.result_type(float)) for v in (k, m, gamma, k0, T_L, T_R)
    )
    u = k / nt
    n_e = n_left + n_right
    n_b = N - n_e
    s = N + n_b
    flux = (
        2
        * gamma
        * (T_L - T_R)
        * n_left
        * n_right
        * u**2
        * s
        / (n_e * (m * u**2 * s**2 + 2 * gamma**2 * (u * n_e + 2 * k0)))
    )
    t_bulk = (
        (n_left * T_L + n_right * T_R) / (n_e * n_b) if n_b > 0 else jnp.full_like(flux, jnp.nan)
    )
    t_left = T_L - m * flux / (gamma * n_left)
    t_right = T_R + m * flux / (gamma * n_right)
    return EqualMassSteadyState(t_left, jnp.asarray(t_bulk, flux.dtype), t_right, flux)


def mean_field_equal_mass_temperatures(
    N: int, k=1.0, kac: str = "N-1", m=1.0, gamma=1.0, k0=0.0, T_L=1.5, T_R=0.5
) -> EqualMassSteadyState:
    """Intensive baths (sites 0 and N-1): exact (T_0, T_bulk, T_{N-1}, J) from rest.

    Defaveri et al. PRE 105, 054149 (2022) Eq. 16-18 and Eq. 31, integrated exactly for equal masses
    (this module's docstring); Andreucci et al. Eq. 18-19, 27-29 without the large-N limit:

        J      = gamma (T_L - T_R) u^2 (N - 1) / (2 [m u^2 (N - 1)^2 + gamma^2 (u + k0)]),  u = k / Nt
        T_bulk = (T_L + T_R) / (2 (N - 2))                 (independent of k, k0, m, gamma, Nt)
        T_0    = T_L - m J / gamma,   T_{N-1} = T_R + m J / gamma

    For Nt = N - 1: J = gamma k^2 dT / (2 [(N - 1)(m k^2 + gamma^2 k0) + gamma^2 k]).
    Units: CONVENTIONS (k_B = 1). Returns ``EqualMassSteadyState`` (a 4-tuple). T_bulk is nan for N = 2.
    Cost O(1). See ``mean_field_equal_mass_steady_state`` for parameters.
    """
    return mean_field_equal_mass_steady_state(N, 1, 1, k, kac, m, gamma, k0, T_L, T_R)


def mean_field_equal_mass_profile(
    N: int,
    n_left: int = 1,
    n_right: int = 1,
    k=1.0,
    kac: str = "N-1",
    m=1.0,
    gamma=1.0,
    k0=0.0,
    T_L=1.5,
    T_R=0.5,
) -> Float[Array, " N"]:
    """Kinetic temperature of every site, shape (N,), in the layout of ``jl.intensive``/``jl.extensive``.

    Sites 0..n_left-1 hold the left bath, N-n_right..N-1 the right one (CONVENTIONS, Andreucci Eq. 7-8).
    Values from ``mean_field_equal_mass_steady_state`` (exact, from rest; Defaveri Eq. 31 / Andreucci
    Eq. 27, 64 in closed form). Cost O(N) (filling the array).
    """
    r = mean_field_equal_mass_steady_state(N, n_left, n_right, k, kac, m, gamma, k0, T_L, T_R)
    n_b = N - n_left - n_right
    return jnp.concatenate(
        [jnp.full((n_left,), r.T_left), jnp.full((n_b,), r.T_bulk), jnp.full((n_right,), r.T_right)]
    )
