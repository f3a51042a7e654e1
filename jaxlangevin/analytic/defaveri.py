"""Closed-form results of Defaveri, Olivares, Anteneodo, Phys. Rev. E 105, 054149 (2022) (seed 001).

Model: N equal masses m, mean-field coupling k with Kac factor Nt ("N-1", "N" or "1"), pinning k0,
two Ohmic baths of friction gamma on sites 0 and N-1 (the paper's sites 1 and N). The paper's
parameters are those of CONVENTIONS (F_n = -k0 q_n + (k/Nt) sum_j (q_j - q_n), Eq. 5), so no
conversion is needed. Its Fourier convention (x(w) = int x(t) e^{-i w t} dt, c = +i w gamma, Eq. 10)
is the complex conjugate of ours: G_paper(w) = conj(G(w)); every modulus below is unaffected.

Notation: u = k/Nt (= -b of Eq. 9), x(w) = N u + k0 - m w^2 (= a - b), y(w) = k0 - m w^2 (= a - b + N b).

Functions (all jax.numpy: jit/grad-able in the float parameters; N, kac static):

- ``defaveri_green_end_to_end``   Eq. 18 (with its phase): G_{0,N-1}(w)
- ``defaveri_transmission``        Eq. 20-22 (Eq. 23 at k0 = 0): T(w) = 4 gamma^2 w^2 |G_{0,N-1}|^2
- ``defaveri_resonance_frequency`` Eq. 26: w_c where T(w_c) = 1
- ``defaveri_lorentzian_a``        Eq. 29: the width factor A
- ``defaveri_transmission_lorentzian`` Eq. 24 (k0 = 0) and Eq. 28 (k0 > 0)
- ``defaveri_flux_large_n``        Eq. 25 and Eq. 30: J = dT / (2 A N)
- ``defaveri_flux``                Eq. 16 with Eq. 20 integrated exactly (finite N)
"""

from __future__ import annotations

import jax.numpy as jnp
from jaxtyping import Array, Complex, Float

from .finite_n import kac_factor, mean_field_equal_mass_temperatures

__all__ = [
    "defaveri_green_end_to_end",
    "defaveri_transmission",
    "defaveri_resonance_frequency",
    "defaveri_lorentzian_a",
    "defaveri_transmission_lorentzian",
    "defaveri_flux_large_n",
    "defaveri_flux",
]


def _f(*vals):
    dt = jnp.result_type(float)
    return tuple(jnp.asarray(v, dtype=jnp.result_type(dt, jnp.asarray(v).dtype)) for v in vals)


def _check_n(N):
    if not isinstance(N, int) or isinstance(N, bool) or N < 2:
        raise ValueError(f"`N` must be a Python int >= 2, got {N!r}.")


def defaveri_green_end_to_end(
    omega, N: int, k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1"
) -> Complex[Array, "..."]:
    """G_{0,N-1}(w) of the equal-mass mean-field chain: Defaveri et al. PRE 105, 054149 Eq. 18, with phase.

        G_{0,N-1}(w) = u x / ( (x - i w gamma) (x y - i w gamma (y + 2u)) )

    u = k/Nt, x = N u + k0 - m w^2, y = k0 - m w^2. CONVENTIONS sign (retarded, self-energy -i w gamma):
    the paper's G is the complex conjugate; |G| is their Eq. 18. Units: CONVENTIONS (length/force).
    ``omega`` any real array; cost O(1) per frequency.
    """
    _check_n(N)
    u = k / kac_factor(N, kac)
    omega, u, gamma, m, k0 = _f(omega, u, gamma, m, k0)
    x = N * u + k0 - m * omega**2
    y = k0 - m * omega**2
    return u * x / ((x - 1j * omega * gamma) * (x * y - 1j * omega * gamma * (y + 2 * u)))


def defaveri_transmission(
    omega, N: int, k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1"
) -> Float[Array, "..."]:
    """Transmission T(w) = 4 gamma^2 w^2 |G_{0,N-1}|^2: Defaveri et al. PRE 105, 054149 Eq. 20-22 (Eq. 23).

        T(w) = 4 gamma^2 w^2 u^2 x^2 / (f(w) Delta(w)),
        f = x^2 + gamma^2 w^2                                          (Eq. 21)
        Delta = gamma^2 w^2 (2u + k0 - m w^2)^2 + (k0 - m w^2)^2 x^2    (Eq. 22)

    u = k/Nt, x = N k/Nt + k0 - m w^2. Equals CONVENTIONS Tr_LR(w) (``jl.transmission(system, w, 0, 1)``)
    for equal masses and intensive baths. Exact identity (derived here): 1 - T = P^2 / (f Delta) with
    P = y x^2 + gamma^2 w^2 (y + 2u), y = k0 - m w^2, so T <= 1 with equality at the real roots of P
    (the resonances of Eq. 26). Dimensionless; ``omega`` any real array; cost O(1) per frequency.
    """
    _check_n(N)
    u = k / kac_factor(N, kac)
    omega, u, gamma, m, k0 = _f(omega, u, gamma, m, k0)
    w2 = omega**2
    x = N * u + k0 - m * w2
    y = k0 - m * w2
    f = x**2 + gamma**2 * w2
    # At k0 = 0, w = 0 both w^2 and Delta vanish; T -> 1 there (the peak of Eq. 23-24). Return that
    # limit and keep the other branch finite, so that gradients through jnp.where stay finite.
    origin = (k0 == 0) & (w2 == 0)
    w2_safe = jnp.where(origin, 1.0, w2)
    delta = gamma**2 * w2_safe * (2 * u + y) ** 2 + y**2 * x**2
    general = 4 * gamma**2 * w2_safe * u**2 * x**2 / (f * delta)
    return jnp.where(origin, jnp.ones_like(general), general)


def defaveri_resonance_frequency(
    N: int, k=1.0, gamma=1.0, m=1.0, k0=1.0, kac: str = "N-1"
) -> Float[Array, ""]:
    """Resonance w_c (T(w_c) = 1) for k0 > 0 to first order in 1/N: Defaveri et al. Eq. 26.

        w_c = w0 + (w0 / N) (k gamma^2 / m) / (k^2 + w0^2 gamma^2) + O(N^-2)   (Nt = N - 1 or N)
        w_c = w0 + O(N^-2)                                                   (Nt = 1)

    w0 = sqrt(k0/m). The paper states Nt = N - 1; Nt = N has the same first-order term (u N = k instead
    of k + O(1/N); derived here from the exact condition P(w_c) = 0 of ``defaveri_transmission``).
    Units: 1/time. Cost O(1).
    """
    _check_n(N)
    kac_factor(N, kac)
    k, gamma, m, k0 = _f(k, gamma, m, k0)
    w0 = jnp.sqrt(k0 / m)
    if kac == "1":
        return w0
    return w0 + (w0 / N) * (k * gamma**2 / m) / (k**2 + w0**2 * gamma**2)


def defaveri_lorentzian_a(k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1") -> Float[Array, ""]:
    """Width factor A of the Lorentzian peaks: Defaveri et al. Eq. 29.

        A = (m/gamma) (1 + w0^2 gamma^2 / k^2)   (Nt = N - 1; also Nt = N, same leading order)
        A = m/gamma                              (Nt = 1)

    w0^2 = k0/m. Each peak of T(w) has half width 1/(N A). Units: time. Cost O(1).
    """
    kac_factor(2, kac)
    k, gamma, m, k0 = _f(k, gamma, m, k0)
    if kac == "1":
        return m / gamma
    return (m / gamma) * (1 + (k0 / m) * gamma**2 / k**2)


def defaveri_transmission_lorentzian(
    omega, N: int, k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1"
) -> Float[Array, "..."]:
    """Large-N Lorentzian form of the transmission: Defaveri et al. Eq. 24 (k0 = 0) and Eq. 28-29 (k0 > 0).

        k0 = 0:  T(w) ~ 1 / (1 + N^2 (m / 2 gamma)^2 w^2)                          (Eq. 24)
        k0 > 0:  T(w) ~ sum_{W = +-w_c} 1 / (1 + N^2 A^2 (w - W)^2)                (Eq. 28)

    with w_c from Eq. 26 (``defaveri_resonance_frequency``) and A from Eq. 29. Valid for large N
    (Eq. 27: N >> 4 k gamma^2 (k^2 - w0^2 gamma^2) / (m (k^2 + w0^2 gamma^2)^2) for Nt = N - 1,
    N^2 >> 4 gamma^2/(m k) - 2 w0^2 gamma^2 / k^2 for Nt = 1) and, for k0 > 0, peaks that do not
    overlap (w0 >> 1/(N A)); both forms integrate to the flux of Eq. 25/30. Dimensionless; O(1) per w.
    """
    _check_n(N)
    kac_factor(N, kac)
    omega, k, gamma, m, k0 = _f(omega, k, gamma, m, k0)
    free = 1 / (1 + N**2 * (m / (2 * gamma)) ** 2 * omega**2)
    a = defaveri_lorentzian_a(k, gamma, m, k0, kac)
    wc = defaveri_resonance_frequency(N, k, gamma, m, k0, kac)
    pinned = 1 / (1 + (N * a * (omega - wc)) ** 2) + 1 / (1 + (N * a * (omega + wc)) ** 2)
    return jnp.where(k0 == 0, free, pinned)


def defaveri_flux_large_n(
    N: int, k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1", T_L=1.5, T_R=0.5
) -> Float[Array, ""]:
    """Large-N heat flux J_L: Defaveri et al. Eq. 25 (k0 = 0 or Nt = 1) and Eq. 30 (otherwise).

        J = (T_L - T_R) / (2 A N)

    A from Eq. 29 (``defaveri_lorentzian_a``); at k0 = 0 this is Eq. 25, J = gamma (T_L - T_R) / (2 m N),
    for every Kac factor. Relative error O(1/N): from the exact ``defaveri_flux``,
    J_exact / J_large_n - 1 = (m k^2 + gamma^2 k0 - gamma^2 k) / ((N-1)(m k^2 + gamma^2 k0) + gamma^2 k)
    for Nt = N - 1. Units: energy/time (k_B = 1). Cost O(1).
    """
    _check_n(N)
    T_L, T_R = _f(T_L, T_R)
    return (T_L - T_R) / (2 * defaveri_lorentzian_a(k, gamma, m, k0, kac) * N)


def defaveri_flux(
    N: int, k=1.0, gamma=1.0, m=1.0, k0=0.0, kac: str = "N-1", T_L=1.5, T_R=0.5
) -> Float[Array, ""]:
    """Exact finite-N flux for equal masses: Defaveri et al. Eq. 16 with Eq. 20 integrated in closed form.

        J = (T_L - T_R)/(4 pi) int T(w) dw
          = gamma (T_L - T_R) u^2 (N - 1) / (2 [m u^2 (N - 1)^2 + gamma^2 (u + k0)]),   u = k / Nt

    (for Nt = N - 1: J = gamma k^2 dT / (2 [(N - 1)(m k^2 + gamma^2 k0) + gamma^2 k])). Derivation in
    ``jaxlangevin.analytic.finite_n``; it tends to Eq. 25/30 as N -> infinity. Units: energy/time.
    Exact to rounding; cost O(1).
    """
    return mean_field_equal_mass_temperatures(N, k, kac, m, gamma, k0, T_L, T_R).flux
