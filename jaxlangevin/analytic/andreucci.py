"""Classical closed-form results of Andreucci, Lepri, Ruffo, Trombettoni (seed 000), Sec. 3 and 5.

Their model (Eq. 2-4): equal masses m, Phi_ij = 2 k_A (delta_ij - 1/N), no pinning, two Ohmic baths of
friction gamma, intensive (sites 1 and N, Eq. 7) or extensive (the first N_L = alpha_L N and the last
N_R = alpha_R N sites, Eq. 8). In CONVENTIONS this is ``MeanField.from_andreucci(k_A)``, i.e. the
mean-field stiffness k = 2 k_A with Kac factor Nt = N: every function here takes the paper's k_A and
converts at the edge. Dimensionless variables of the paper: y = w sqrt(m / (2 k_A)) (Eq. 19 prints
"y = w sqrt(2k/m)"; the integrand fixes y^2 = m w^2 / (2 k_A)) and k1^2 = gamma^2 / (2 m k_A) (Eq. 20).

The paper evaluates I1, I2 only for large N; here they are given exactly (closed forms derived in
``jaxlangevin.analytic.finite_n`` and checked against quadrature of the printed integrands):

    I1(k1, N) = pi k1 (N - 1) / ((N - 1)^2 + k1^2 N)      (Eq. 19; large N: pi k1 / N, Eq. 23)
    I2(k1, N) = pi / (N - 2)                                 (Eq. 29; large N: pi / N = I1 / k1)
    I5(k1, aL, aR) = 4 pi k1 aL aR (2 - a) / (a [(2 - a)^2 + 2 k1^2 a]),   a = aL + aR   (Eq. 63)
    I6(aL, aR) = pi / (a (1 - a))                            (Eq. 66, corrected: see ``andreucci_i6``)

All functions use jax.numpy (jit/grad-able). Units: CONVENTIONS (k_B = 1).
"""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Float

from .finite_n import mean_field_equal_mass_steady_state

__all__ = [
    "andreucci_k1",
    "andreucci_i1",
    "andreucci_i1_large_n",
    "andreucci_i2",
    "andreucci_flux_intensive",
    "andreucci_flux_intensive_large_n",
    "andreucci_bulk_temperature_intensive",
    "andreucci_bulk_temperature_intensive_large_n",
    "andreucci_bath_site_temperatures_intensive",
    "andreucci_i5",
    "andreucci_i6",
    "andreucci_flux_extensive",
    "andreucci_bulk_temperature_extensive",
    "andreucci_bath_site_temperatures_extensive",
]


def _f(*vals):
    return tuple(jnp.asarray(v, dtype=jnp.result_type(float)) for v in vals)


def andreucci_k1(k_A=1.0, m=1.0, gamma=1.0) -> Float[Array, ""]:
    """Dimensionless bath coupling k1 = gamma / sqrt(2 m k_A): Andreucci et al. Eq. 20 (k1^2 = gamma^2/(2 m k_A)).

    ``k_A`` is the paper's coupling (CONVENTIONS k = 2 k_A, Nt = N). Cost O(1).
    """
    k_A, m, gamma = _f(k_A, m, gamma)
    return gamma / jnp.sqrt(2 * m * k_A)


def andreucci_i1(k1, N) -> Float[Array, ""]:
    """I1(k1, N) of Andreucci et al. Eq. 19, exactly: I1 = pi k1 (N - 1) / ((N - 1)^2 + k1^2 N).

        I1 = (2 k1^2 / N^2) int dy (y^2-1)^2 / ((y^2-1)^2 + k1^2 y^2) / (y^2 (y^2-1)^2 + k1^2 (y^2 - 2/N)^2)

    Closed form derived here (``finite_n``); as N -> inf it is Eq. 23, pi k1 / N. Maximal at
    k1 = (N - 1)/sqrt(N) (the maximum of their Fig. 1a). Dimensionless; ``N`` may be a float. O(1).
    """
    k1, N = _f(k1, N)
    return jnp.pi * k1 * (N - 1) / ((N - 1) ** 2 + k1**2 * N)


def andreucci_i1_large_n(k1, N) -> Float[Array, ""]:
    """Leading large-N form of I1: Andreucci et al. Eq. 23, I1 ~ pi k1 / N (relative error O(1/N)). O(1)."""
    k1, N = _f(k1, N)
    return jnp.pi * k1 / N


def andreucci_i2(k1, N) -> Float[Array, ""]:
    """I2(k1, N) of Andreucci et al. Eq. 29, exactly: I2 = pi / (N - 2), independent of k1.

        I2 = (4 k1 / N^2) int_0^inf dy / (y^2 (y^2-1)^2 + k1^2 (y^2 - 2/N)^2)

    The paper gives the leading order I2 ~ I1/k1 ~ pi/N. Derived here (``finite_n``): the integral is
    the kinetic energy of the bulk centre of mass, in equilibrium at (T_L + T_R)/2. ``k1`` is accepted
    for the paper's signature (the result does not depend on it). Needs N > 2. Dimensionless; O(1).
    """
    k1, N = _f(k1, N)
    return jnp.pi / (N - 2) + 0 * k1


def andreucci_flux_intensive(
    N: int, k_A=1.0, gamma=1.0, m=1.0, T_L=1.5, T_R=0.5
) -> Float[Array, ""]:
    """Exact classical flux, intensive baths: Andreucci et al. Eq. 18 with I1 of Eq. 19 in closed form.

        J = (T_L - T_R) sqrt(2 k_A / m) I1(k1, N) / (2 pi)
          = (gamma / m) (T_L - T_R) (N - 1) / (2 [(N - 1)^2 + k1^2 N])

    Model: ``MeanField.from_andreucci(k_A)`` (k = 2 k_A, Nt = N), equal masses m, ``jl.intensive`` with
    friction gamma. Units: energy/time. Exact; cost O(1).
    """
    k_A, gamma, m, T_L, T_R = _f(k_A, gamma, m, T_L, T_R)
    return (
        (T_L - T_R)
        * jnp.sqrt(2 * k_A / m)
        * andreucci_i1(andreucci_k1(k_A, m, gamma), N)
        / (2 * jnp.pi)
    )


def andreucci_flux_intensive_large_n(
    N, k_A=1.0, gamma=1.0, m=1.0, T_L=1.5, T_R=0.5
) -> Float[Array, ""]:
    """Leading large-N classical flux, intensive baths: Andreucci et al. Eq. 24.

        J = (T_L - T_R) sqrt(2 k_A / m) k1 / (2 N) = gamma (T_L - T_R) / (2 m N)

    (= Defaveri Eq. 25). Relative error O(1/N): exact / this = N (N-1) / ((N-1)^2 + k1^2 N). O(1).
    """
    k_A, gamma, m, T_L, T_R, N = _f(k_A, gamma, m, T_L, T_R, N)
    return (T_L - T_R) * jnp.sqrt(2 * k_A / m) * andreucci_k1(k_A, m, gamma) / (2 * N)


def andreucci_bulk_temperature_intensive(N, T_L=1.5, T_R=0.5) -> Float[Array, ""]:
    """Exact kinetic temperature of every bulk site, intensive baths, from rest: Eq. 28 with exact I2.

        T_i = (T_L + T_R) I2 / (2 pi) = (T_L + T_R) / (2 (N - 2)),   i = 2..N-1 (paper), 1..N-2 (Python)

    Andreucci et al. Eq. 28-29 (the paper keeps the leading order, Eq. 30). Exact for every k_A, gamma,
    m -- and for every Kac factor and pinning (``finite_n``). Valid for the start from rest only
    (Sec. 3.3): other starts leave energy in the N - 3 dark bulk modes. Needs N > 2. Units: temperature.
    """
    T_L, T_R, N = _f(T_L, T_R, N)
    return (T_L + T_R) / (2 * (N - 2))


def andreucci_bulk_temperature_intensive_large_n(N, T_L=1.5, T_R=0.5) -> Float[Array, ""]:
    """Bulk temperature at leading order in 1/N: Andreucci et al. Eq. 30, T_i = (T_L + T_R) / (2 N).

    Relative error -2/N against the exact (T_L + T_R)/(2 (N - 2)). From rest. Units: temperature.
    """
    T_L, T_R, N = _f(T_L, T_R, N)
    return (T_L + T_R) / (2 * N)


def andreucci_bath_site_temperatures_intensive(N: int, k_A=1.0, gamma=1.0, m=1.0, T_L=1.5, T_R=0.5):
    """Exact temperatures (T_1, T_N) of the two bath sites (paper's numbering), intensive coupling.

        T_1 = T_L - m J / gamma,   T_N = T_R + m J / gamma   (energy balance at the bath site)

    The paper (after Eq. 27) gives T_1 = T_L + O(1/N), "the O(1/N) term proportional to the heat flux";
    this is that term exactly, with J of ``andreucci_flux_intensive``. Returns a pair. Units: temperature.
    """
    J = andreucci_flux_intensive(N, k_A, gamma, m, T_L, T_R)
    T_L, T_R, gamma, m = _f(T_L, T_R, gamma, m)
    return T_L - m * J / gamma, T_R + m * J / gamma


def andreucci_i5(k1, alpha_L, alpha_R) -> Float[Array, ""]:
    """I5(k1, aL, aR) of Andreucci et al. Eq. 63, exactly (closed form derived here).

        I5 = 2 aL aR k1^2 int dy (y^2-1)^2 / ([(y^2-1)^2 + k1^2 y^2] [y^2 (y^2-1)^2 + k1^2 (y^2 - a)^2])
           = 4 pi k1 aL aR (2 - a) / (a [(2 - a)^2 + 2 k1^2 a]),     a = aL + aR <= 1.

    With aL = aR = 1/N it equals I1 (Eq. 19). Dimensionless; O(1).
    """
    k1, alpha_L, alpha_R = _f(k1, alpha_L, alpha_R)
    a = alpha_L + alpha_R
    return 4 * jnp.pi * k1 * alpha_L * alpha_R * (2 - a) / (a * ((2 - a) ** 2 + 2 * k1**2 * a))


def andreucci_i6(alpha_L, alpha_R) -> Float[Array, ""]:
    """I6 of Andreucci et al. Eq. 66, as Eq. 65 needs it: I6 = pi / (a (1 - a)), a = aL + aR < 1.

    CORRECTED: Eq. 66 as printed, k1 int dy 1/([(y^2-1)^2 + k1^2 y^2][y^2 (y^2-1)^2 + k1^2 (y^2-a)^2]),
    has a spurious factor [(y^2-1)^2 + k1^2 y^2] in the denominator: it depends on k1, does not reduce
    to Eq. 29 for aL = aR = 1/N, and with Eq. 65 does not give the exact bulk temperature. The integral
    that Eq. 65 needs (from |G_{i l}|^2 = u^2 / |Den|^2, ``finite_n``) is

        I6 = k1 int_{-inf}^{inf} dy / (y^2 (y^2-1)^2 + k1^2 (y^2 - a)^2) = pi / (a (1 - a)),

    independent of k1, as their Fig. 8 (I6 against aL + aR alone) implies; with aL = aR = 1/N,
    I6 = N^2 I2 / 2 (the paper says "a factor 2N"). Dimensionless; O(1).
    """
    alpha_L, alpha_R = _f(alpha_L, alpha_R)
    a = alpha_L + alpha_R
    return jnp.pi / (a * (1 - a))


def andreucci_flux_extensive(
    k_A=1.0, gamma=1.0, m=1.0, alpha_L=0.25, alpha_R=0.25, T_L=1.5, T_R=0.5
):
    """Classical flux, extensive baths: Andreucci et al. Eq. 62 with I5 of Eq. 63 in closed form.

        J = (T_L - T_R) sqrt(2 k_A / m) I5(k1, aL, aR) / (2 pi)
          = 2 (gamma/m) (T_L - T_R) aL aR (2 - a) / (a [(2 - a)^2 + 2 k1^2 a]),   a = aL + aR

    Independent of N and exact for every N with integer aL N, aR N (``jl.extensive(N, fractions=(aL, aR))``)
    and model ``MeanField.from_andreucci(k_A)``. Units: energy/time. Cost O(1).
    """
    k_A, gamma, m, T_L, T_R = _f(k_A, gamma, m, T_L, T_R)
    return (
        (T_L - T_R)
        * jnp.sqrt(2 * k_A / m)
        * andreucci_i5(andreucci_k1(k_A, m, gamma), alpha_L, alpha_R)
        / (2 * jnp.pi)
    )


def andreucci_bulk_temperature_extensive(N, alpha_L=0.25, alpha_R=0.25, T_L=1.5, T_R=0.5):
    """Kinetic temperature of every bath-free site, extensive baths, from rest: Andreucci et al. Eq. 65.

        T_i = (aL T_L + aR T_R) I6 / (pi N) = (aL T_L + aR T_R) / (a (1 - a) N),   a = aL + aR < 1,

    with I6 as corrected in ``andreucci_i6``. Exact for integer aL N, aR N, every k_A, gamma, m (and every
    Kac factor and pinning: ``finite_n``). Start from rest. Units: temperature. Cost O(1).
    """
    alpha_L, alpha_R, T_L, T_R, N = _f(alpha_L, alpha_R, T_L, T_R, N)
    return (alpha_L * T_L + alpha_R * T_R) * andreucci_i6(alpha_L, alpha_R) / (jnp.pi * N)


def andreucci_bath_site_temperatures_extensive(
    N: int, k_A=1.0, gamma=1.0, m=1.0, alpha_L=0.25, alpha_R=0.25, T_L=1.5, T_R=0.5
):
    """Exact temperatures of the left- and right-bath sites, extensive coupling (Andreucci Sec. 5.2).

        T_left = T_L - m J / (gamma N_L),   T_right = T_R + m J / (gamma N_R),   N_L = round(aL N), ...

    The paper gives T_L, T_R at leading order; the correction is O(1/N) since J (Eq. 62) does not depend
    on N. J here is exact for the integer site counts (``finite_n``). Returns a pair. Units: temperature.
    """
    n_l, n_r = int(round(float(alpha_L) * N)), int(round(float(alpha_R) * N))
    r = mean_field_equal_mass_steady_state(
        N, n_l, n_r, 2 * jnp.asarray(k_A), "N", m, gamma, 0.0, T_L, T_R
    )
    return r.T_left, r.T_right
