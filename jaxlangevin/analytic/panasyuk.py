"""Closed forms of Panasyuk, Levin, Yerkes, "Heat exchange mediated by a quantum system" (seed 003), Sec. III.

One oscillator (mass m, frequency omega0) between two Drude-Ullersma baths with frictions gamma1, gamma2
and a common cutoff D (CONVENTIONS: ``System(masses=[m], coupling=Pinning(m omega0^2), baths=[DrudeBath((0,),
gamma1, T1, D), DrudeBath((0,), gamma2, T2, D)])``). The paper's gamma is the total friction gamma1 + gamma2:
gamma_hat = 1/tau_p = (gamma1 + gamma2)/m enters the response function g(t) (Eq. 17-21), and for
gamma1 != gamma2 the prefactor 1/(2 tau_p) of Eq. (42) becomes 2 gamma1 gamma2 / ((gamma1 + gamma2) m) (text
after Eq. 42); every function here takes gamma1 and gamma2 and applies that rule. Sign: the functions
return J_1, the heat per unit time from bath 1 into the oscillator (CONVENTIONS J_b), so K = dJ_1/dT_1.

- ``panasyuk_roots``: mu_n of Eq. 21 and g_n of Eq. 19-20 (numpy, O(1)).
- ``panasyuk_heat_current`` (Eq. 42) and ``panasyuk_conductance`` (Eq. 43): the printed integrals, with the
  sum over the three roots done inside the integrand in closed form, evaluated with scipy quad split at
  the resonances (numpy; not jit-able). Validated against the exact engine and 30-digit mpmath.
- ``panasyuk_conductance_classical``: Eq. 47, the high-temperature (classical) conductance in closed form,
  which is exact for the classical model; D -> infinity gives gamma1 gamma2 / ((gamma1 + gamma2) m) (Eq. 48).
- ``panasyuk_conductance_low_t``: Eq. 51, K = (2 pi^3 T^3 / (15 hbar^3 omega0^4)) (4 gamma1 gamma2 / (gamma m))
  gamma_hat, the Stefan-Boltzmann-like T^3 law (relative correction O((T / hbar omega0)^2)).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = [
    "panasyuk_roots",
    "panasyuk_heat_current",
    "panasyuk_conductance",
    "panasyuk_conductance_classical",
    "panasyuk_conductance_low_t",
]


def _prefactor(m, gamma1, gamma2):
    """1/tau_p of the prefactor of Eq. 42 with the rule for gamma1 != gamma2: 4 gamma1 gamma2 / (gamma m)."""
    return 4 * gamma1 * gamma2 / ((gamma1 + gamma2) * m)


def panasyuk_roots(omega0, gamma1, gamma2, cutoff, m=1.0):
    """Roots mu_n of (mu - D)(mu^2 + omega0^2) + gamma_hat D mu = 0 (Eq. 21) and the coefficients g_n of
    g(t) = sum_n g_n exp(-mu_n t) (Eq. 19), g_n = residue of g~(z) = (D + z)/P(z) at z = -mu_n (Eq. 20),
    P(z) = (D + z)(z^2 + omega0^2) + D gamma_hat z. Returns two complex arrays of length 3."""
    d, w0, gh = float(cutoff), float(omega0), (float(gamma1) + float(gamma2)) / float(m)
    mu = np.roots([1.0, -d, w0**2 + gh * d, -d * w0**2]).astype(complex)
    z = -mu
    dp = (z**2 + w0**2) + 2 * z * (d + z) + d * gh
    return mu, (d + z) / dp


def _series(omega0, gamma1, gamma2, cutoff, m, integrand):
    """sum_n g_n mu_n^2 int_0^inf dw integrand(w) / ((D^2 + w^2)(mu_n^2 + w^2)) by scipy quad.

    The sum over the three roots is taken inside the integral in closed form, sum_n g_n mu_n^2 / (mu_n^2 +
    w^2) = w Im g~(i w) (from g~(z) = sum_n g_n / (z + mu_n) and sum_n g_n = 0), which avoids the
    cancellation between the roots; the integration is split at the resonances |Im mu_n| +- a few Re mu_n
    (a resonance can be far narrower than any fixed grid when D << omega0)."""
    from scipy.integrate import quad

    mu, _ = panasyuk_roots(omega0, gamma1, gamma2, cutoff, m)
    d, w0, gh = float(cutoff), float(omega0), (float(gamma1) + float(gamma2)) / float(m)

    def root_sum(w):
        z = 1j * w
        return w * ((d + z) / ((d + z) * (z * z + w0**2) + d * gh * z)).imag

    def f(w):
        return root_sum(w) * integrand(w) / (d**2 + w**2)

    points = {0.0}
    for mu_n in mu:
        for k in (-1000, -100, -10, -3, -1, 0, 1, 3, 10, 100, 1000):
            points.add(max(0.0, abs(mu_n.imag) + k * abs(mu_n.real)))
    points = sorted(points | {d, w0, 10 * max(d, w0)})
    old = np.seterr(over="ignore")  # exp and sinh overflow to inf far in the tail: the integrand is then 0
    total = sum(quad(f, a, b, limit=500, epsabs=0, epsrel=1e-12)[0] for a, b in zip(points[:-1], points[1:]))
    total += quad(f, points[-1], np.inf, limit=500, epsabs=0, epsrel=1e-12)[0]
    np.seterr(**old)
    return total, d


def panasyuk_heat_current(T1, T2, omega0, gamma1, gamma2, cutoff, m=1.0, hbar=1.0):
    """J_th of Panasyuk et al. Eq. 42 (quantum, exact): -(hbar D^2 / (2 pi tau_p)) sum_n g_n mu_n^2
    int_0^inf dw w [n1(w) - n2(w)] / ((D^2 + w^2)(mu_n^2 + w^2)), the heat from bath 1 into the oscillator
    (= CONVENTIONS J_1, positive for T1 > T2)."""
    def bose_difference(w):
        return w * (1 / np.expm1(hbar * w / T1) - 1 / np.expm1(hbar * w / T2)) if w > 0 else (T1 - T2) / hbar

    s, d = _series(omega0, gamma1, gamma2, cutoff, m, bose_difference)
    return -hbar * d**2 / (2 * np.pi) * _prefactor(m, gamma1, gamma2) * s


def panasyuk_conductance(T, omega0, gamma1, gamma2, cutoff, m=1.0, hbar=1.0):
    """K(T) of Panasyuk et al. Eq. 43: -(tau_h^2 D^2 / (8 pi tau_p)) sum_n g_n mu_n^2
    int_0^inf dw w^2 cosech^2(hbar w / (2T)) / ((D^2 + w^2)(mu_n^2 + w^2)), tau_h = hbar / T."""
    def weight(w):
        return w * w / np.sinh(hbar * w / (2 * T)) ** 2 if w > 0 else (2 * T / hbar) ** 2

    s, d = _series(omega0, gamma1, gamma2, cutoff, m, weight)
    return -((hbar / T) ** 2) * d**2 / (8 * np.pi) * _prefactor(m, gamma1, gamma2) * s


def panasyuk_conductance_classical(omega0, gamma1, gamma2, cutoff, m=1.0):
    """K = (1 / (4 tau_p)) 2 D^2 / (2 (D^2 + omega0^2) + gamma_hat D): Panasyuk et al. Eq. 47 (high T)."""
    gh = (gamma1 + gamma2) / m
    return _prefactor(m, gamma1, gamma2) / 4 * 2 * cutoff**2 / (2 * (cutoff**2 + omega0**2) + gh * cutoff)


def panasyuk_conductance_low_t(T, omega0, gamma1, gamma2, m=1.0, hbar=1.0):
    """K = (2 pi^3 T^3 / (15 hbar^3 omega0^4)) gamma_hat / tau_p: Panasyuk et al. Eq. 51 (T << hbar omega0)."""
    gh = (gamma1 + gamma2) / m
    return 2 * jnp.pi**3 * T**3 / (15 * hbar**3 * omega0**4) * _prefactor(m, gamma1, gamma2) * gh
