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
- ``panasyuk_temperatures``: the kinetic and potential temperatures T_p = <p^2>/m and T_x = k <x^2> (Eq. 63,
  k = m omega0^2 the bare spring constant of Eq. 2: the counter-term of Eq. 4 keeps it bare) in the
  non-equilibrium steady state, from Eq. 64-67, exact and O(1) (numpy + scipy.special.psi; not jit-able).
  The engine's counterparts are ``negf_steady_state(system, hbar).temperature`` and ``k *
  .position_variance``. ``panasyuk_temperature_weak_coupling``: their common weak-coupling, high-T value,
  Eq. 72 (-> (T1 + T2)/2, Eq. 73).

Misprint in Eq. 66 (established by scipy quadrature of its own integral, tests/test_drude.py): the closed
form of I_n = int_0^inf x dx / ((x^2 + 1)(x^2 + mu_hat^2)) = -Log(mu_hat^2) / (2 (1 - mu_hat^2)) needs
a = (mu_r^2 - mu_i^2) / (2 mu_r mu_i), not the printed (mu_r^2 - mu_i^2) / (mu_r mu_i) (arctan(a) - (pi/2)
sign(b) must equal -Arg(mu_hat^2) = -2 arg(mu_n)), and sign(b) must be read as +1 at the real root mu_3
(b = 0), where the printed form otherwise adds a spurious i pi / (4 (1 - mu_hat_3^2)). Here I_n is the
principal-branch Log form. Eq. 64-65 are written for gamma1 = gamma2; for gamma1 != gamma2 the thermal
terms I_n1 + I_n2 become 2 (gamma1 I_n1 + gamma2 I_n2) / gamma (bath nu supplies the fraction gamma_nu /
gamma of the noise, the same rule that turns 1/(2 tau_p) into 2 gamma1 gamma2 / (gamma m) in Eq. 42).
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
    "panasyuk_temperatures",
    "panasyuk_temperature_weak_coupling",
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


def _i_n(mu_hat):
    """I_n of Eq. 66 = -Log(mu_hat^2) / (2 (1 - mu_hat^2)) (principal Log; Re mu_hat > 0), 1/2 at mu_hat^2 = 1."""
    u = np.asarray(mu_hat, complex) ** 2
    near = np.abs(u - 1) < 1e-6
    us = np.where(near, 2.0, u)
    return np.where(near, 0.5 - (u - 1) / 4 + (u - 1) ** 2 / 6, np.log(us) / (2 * (us - 1)))


def _i_n_as_printed(mu_hat):
    """Eq. 66 exactly as printed, for the misprint test: a = (mu_r^2 - mu_i^2)/(mu_r mu_i), numpy's sign(0) = 0."""
    mu_hat = np.asarray(mu_hat, complex)
    mr, mi = mu_hat.real, mu_hat.imag
    with np.errstate(divide="ignore"):
        a = np.where(mi == 0, np.inf, (mr**2 - mi**2) / (mr * mi))
    return (1j * (np.arctan(a) - np.pi / 2 * np.sign(mr * mi)) - np.log(np.abs(mu_hat) ** 2)) / (2 * (1 - mu_hat**2))


# B_2k / (2k), k = 1..9: ln z - 1/(2z) - psi(z) ~ sum_k B_2k / (2k z^2k) (Stirling; |z| >= 10: < 1e-16 relative)
_B2K_OVER_2K = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160, 43867 / 14364)


def _i_n_nu(c):
    """I_n,nu of Eq. 67, int_0^inf x dx / ((e^x - 1)(x^2 + c^2)) with c = tau_h,nu mu_n, Re c > 0, in closed
    form: x = 2 pi t turns it into Binet's second integral, = (1/2) [ln z - 1/(2z) - psi(z)], z = c / (2 pi).
    c = inf (T = 0) gives 0."""
    z = np.asarray(c, complex) / (2 * np.pi)
    big = np.abs(z) >= 10
    zs = np.where(big, 10.0, z)
    small = 0.5 * (np.log(zs) - 0.5 / zs - _psi(zs))
    zb = np.where(big & np.isfinite(z), z, 10.0)
    series = 0.5 * sum(b / zb ** (2 * k + 2) for k, b in enumerate(_B2K_OVER_2K))
    return np.where(np.isfinite(z), np.where(big, series, small), 0.0)


def _psi(z):
    from scipy.special import psi

    return psi(z)


def _temperature_brackets(T1, T2, omega0, gamma1, gamma2, cutoff, m, hbar):
    """g_n, mu_n and the bracket of Eq. 64-65, I_n (1 - mu_hat_n^2) + 2 (gamma1 I_n1 + gamma2 I_n2) / gamma."""
    mu, g = panasyuk_roots(omega0, gamma1, gamma2, cutoff, m)
    mu_hat = mu / float(cutoff)

    def thermal(t):
        return np.zeros_like(mu) if t == 0 else _i_n_nu(hbar * mu / t)  # c = tau_h mu_n, tau_h = hbar / T

    gam = gamma1 + gamma2
    bracket = _i_n(mu_hat) * (1 - mu_hat**2) + 2 * (gamma1 * thermal(T1) + gamma2 * thermal(T2)) / gam
    return mu, g, bracket


def panasyuk_temperatures(T1, T2, omega0, gamma1, gamma2, cutoff, m=1.0, hbar=1.0):
    """Kinetic and potential temperatures (T_p, T_x) of Panasyuk et al. Eq. 63-67.

    T_p = <p^2>/m and T_x = k <x^2> = m omega0^2 <x^2> (bare omega0) of the oscillator between two Drude
    baths at T1, T2 (k_B = 1; temperatures 0 allowed), symmetrized quantum averages in the steady state:

        T_x = (hbar omega0^2 / pi) sum_n g_n B_n                (Eq. 64),
        T_p = -(hbar / pi) sum_n g_n mu_n^2 B_n                   (Eq. 65),
        B_n = I_n (1 - mu_hat_n^2) + 2 (gamma1 I_n1 + gamma2 I_n2) / gamma,   mu_hat_n = mu_n / D,

    with I_n of Eq. 66 (misprint corrected, module docstring) and I_n,nu of Eq. 67 in closed form (Binet's
    integral, ``_i_n_nu``); for gamma1 = gamma2 the bracket is the printed I_n (1 - mu_hat^2) + I_n1 + I_n2.
    The I_n term is the zero-point motion, the I_n,nu terms the thermal one (coth = 1 + 2 n(w)). Classical
    limit (hbar -> 0): T_x = T_p = (gamma1 T1 + gamma2 T2) / gamma exactly, at any coupling and cutoff.
    Returns two floats; roots and g_n from ``panasyuk_roots``, O(1).
    """
    mu, g, bracket = _temperature_brackets(T1, T2, omega0, gamma1, gamma2, cutoff, m, hbar)
    t_x = hbar * omega0**2 / np.pi * np.sum(g * bracket)
    t_p = -hbar / np.pi * np.sum(g * mu**2 * bracket)
    return float(t_p.real), float(t_x.real)


def panasyuk_temperature_weak_coupling(T1, T2, omega0, gamma1=1.0, gamma2=1.0, hbar=1.0):
    """T_x ~ T_p ~ [U(T1) + U(T2)] / 2 (Panasyuk et al. Eq. 72), U(T) = (hbar omega0 / 2) coth(hbar omega0 / 2T)
    the mean energy of a quantum oscillator (written there as hbar omega0/2 + hbar omega0 n(omega0)): the
    limit gamma_hat_D = D^2 gamma_hat / (D^2 + omega0^2) << omega0 (Eq. 68) and T1, T2 >> hbar gamma_hat_D
    (Eq. 71); high temperature: (T1 + T2) / 2 (Eq. 73). For gamma1 != gamma2 the mean is weighted,
    (gamma1 U(T1) + gamma2 U(T2)) / gamma (each bath supplies the fraction gamma_nu / gamma of the noise at
    the resonance); the default gamma1 = gamma2 is the printed Eq. 72."""
    def u(t):
        return hbar * omega0 / 2 if t == 0 else hbar * omega0 / 2 / np.tanh(hbar * omega0 / (2 * t))

    return (gamma1 * u(T1) + gamma2 * u(T2)) / (gamma1 + gamma2)
