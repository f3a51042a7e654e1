"""Quantum closed-form results of Andreucci, Lepri, Ruffo, Trombettoni (seed 000), Sec. 4.

Same model and conversions as ``jaxlangevin.analytic.andreucci`` (the paper's k_A; frequency unit
sqrt(2 k_A / m); k1 = gamma / sqrt(2 m k_A)), with hbar. Intensive baths, linear response around T.

Eq. (49) is misprinted. The large-N conductance comes from the single overdamped pole at
w = -i a, a = 2 k1 sqrt(2 k_A / m) / N (Eq. 22), weighted by the derivative of the Bose factor; its exact
Matsubara sum is

    g(x) = 1 - 2 x / pi + (2 x^2 / pi^2) psi1(1 + x / pi),    x = T_N / T,

which equals the printed (x^2/pi^2)[psi1(1 + x/pi) - psi1(1 - x/pi)] + x^2/sin^2(x) - 2x with the last
term read as -2x/pi (reflection formula of psi1). The printed form goes negative for x > 0.54 and does
not have the limit (pi/3) T/T_N that the paper states next; the corrected one has both limits,
g(0) = 1 and g ~ pi/(3x) at large x (Eq. 51). ``andreucci_g_as_printed`` keeps the printed form for
comparison.

Eq. (55) is also misprinted, by a factor pi/4: Eq. (53), from which it is derived (and which is
CONVENTIONS' quantum <v_n^2>), gives <v_i^2> = (2 hbar gamma / (pi m^2)) I4, not hbar gamma I4 / (2 m^2).
Checked by direct quadrature of Eq. (53) at T = 0 (N = 20 and 500: agreement with the Green's-function
engine to 1e-12, and ratio 4/pi = 1.27324 to the printed prefactor at N = 500). Eq. (58) for I4 itself is
right (quadrature of Eq. 56: O(1/N)), so Eq. (59) holds with the corrected prefactor.
All functions use jax.numpy (jit/grad-able); cost O(1).
"""

from __future__ import annotations

import jax.numpy as jnp
from jax.scipy.special import polygamma
from jaxtyping import Array, Float

from .._validation import is_concrete
from .andreucci import _f, andreucci_k1

__all__ = [
    "andreucci_theta",
    "andreucci_temperature_scale",
    "andreucci_g",
    "andreucci_g_as_printed",
    "andreucci_quantum_conductance_intensive_large_n",
    "quantum_of_thermal_conductance",
    "andreucci_i4_zero_temperature",
    "andreucci_bulk_temperature_quantum_low_t",
    "andreucci_geometric_factor",
    "andreucci_quantum_conductance_extensive_low_t",
    "andreucci_i7_low_t",
    "andreucci_i8_1_low_t",
]


def andreucci_theta(T, k_A=1.0, m=1.0, hbar=1.0) -> Float[Array, ""]:
    """Dimensionless temperature theta = 2 T / (hbar sqrt(2 k_A / m)): Andreucci et al. Eq. 46."""
    T, k_A, m, hbar = _f(T, k_A, m, hbar)
    return 2 * T / (hbar * jnp.sqrt(2 * k_A / m))


def andreucci_temperature_scale(N, k_A=1.0, m=1.0, gamma=1.0, hbar=1.0) -> Float[Array, ""]:
    """T_N = k1 hbar sqrt(2 k_A / m) / N, below which the flux is quantum: Andreucci et al. Eq. 50."""
    N, k_A, m, hbar = _f(N, k_A, m, hbar)
    return andreucci_k1(k_A, m, gamma) * hbar * jnp.sqrt(2 * k_A / m) / N


def andreucci_g(x) -> Float[Array, ""]:
    """Quantum-to-classical flux ratio g(x), x = T_N / T: Andreucci et al. Eq. 49, corrected (module
    docstring): g = 1 - 2x/pi + (2x^2/pi^2) psi1(1 + x/pi). g(0) = 1; g ~ pi/(3x) for x >> 1."""
    (x,) = _f(x)
    z = x / jnp.pi
    return 1 - 2 * z + 2 * z**2 * polygamma(1, 1 + z)


def andreucci_g_as_printed(x) -> Float[Array, ""]:
    """Eq. 49 exactly as printed: (x^2/pi^2)[psi1(1 + x/pi) - psi1(1 - x/pi)] + x^2/sin^2(x) - 2x."""
    (x,) = _f(x)
    z = x / jnp.pi
    return z**2 * (polygamma(1, 1 + z) - polygamma(1, 1 - z)) + x**2 / jnp.sin(x) ** 2 - 2 * x


def andreucci_quantum_conductance_intensive_large_n(N, T, k_A=1.0, m=1.0, gamma=1.0, hbar=1.0):
    """Leading large-N conductance K = J / Delta T = (k1 / (2N)) sqrt(2 k_A / m) g(T_N / T): Andreucci et al.
    Eq. 48 (classical limit Eq. 24). Relative error O(1/N)."""
    N, T, k_A, m = _f(N, T, k_A, m)
    k1 = andreucci_k1(k_A, m, gamma)
    return k1 / (2 * N) * jnp.sqrt(2 * k_A / m) * andreucci_g(andreucci_temperature_scale(N, k_A, m, gamma, hbar) / T)


def quantum_of_thermal_conductance(T, hbar=1.0) -> Float[Array, ""]:
    """pi^2 k_B^2 T / (3 h) = pi T / (6 hbar): the low-temperature conductance of one perfectly
    transmitting channel, Andreucci et al. Eq. 51."""
    T, hbar = _f(T, hbar)
    return jnp.pi * T / (6 * hbar)


def andreucci_i4_zero_temperature(k1, N) -> Float[Array, ""]:
    """I4(theta = 0) of Andreucci et al. Eq. 58 (large N), for k1 < 2:
    (1/(2N^2)) [2 log(N/(2 k1)) + R/sqrt(1 - R^2) (pi/2 + arctan(R/sqrt(1 - R^2)))], with R = 1 - k1^2/2
    the real part of the two roots of s (s - 1)^2 + k1^2 s^2 that stay finite (Eq. 21 at N -> infinity)."""
    k1, N = _f(k1, N)
    if is_concrete(k1) and not bool(jnp.all((k1 > 0) & (k1 < 2))):
        raise ValueError(f"`k1` must lie in (0, 2) for Eq. 58 (complex roots, |R| < 1), got {k1}.")
    r = 1 - k1**2 / 2
    q = r / jnp.sqrt(1 - r**2)
    return (2 * jnp.log(N / (2 * k1)) + q * (jnp.pi / 2 + jnp.arctan(q))) / (2 * N**2)


def andreucci_bulk_temperature_quantum_low_t(N, T, k_A=1.0, m=1.0, gamma=1.0, hbar=1.0):
    """Bulk quantum kinetic temperature for T << T_N, large N: Andreucci et al. Eq. 59 with the prefactor of
    Eq. 55 corrected (module docstring): T_i = (2 hbar gamma / (pi m)) [I4(0) + pi^2 theta^2 / (48 k1^2)].
    At T = 0 it is the zero-point temperature. Relative error O(1/N) and O(theta^4)."""
    N, T, m, gamma, hbar = _f(N, T, m, gamma, hbar)
    k1 = andreucci_k1(k_A, m, gamma)
    theta = andreucci_theta(T, k_A, m, hbar)
    i4 = andreucci_i4_zero_temperature(k1, N) + jnp.pi**2 * theta**2 / (48 * k1**2)
    return 2 * hbar * gamma / (jnp.pi * m) * i4


def andreucci_geometric_factor(alpha_L, alpha_R) -> Float[Array, ""]:
    """4 aL aR / (aL + aR)^2, the share of the quantum of thermal conductance that extensive baths
    transmit at low T: Andreucci et al. Eq. 71 (1 for aL = aR)."""
    alpha_L, alpha_R = _f(alpha_L, alpha_R)
    return 4 * alpha_L * alpha_R / (alpha_L + alpha_R) ** 2


def andreucci_quantum_conductance_extensive_low_t(T, alpha_L, alpha_R, hbar=1.0) -> Float[Array, ""]:
    """Low-temperature conductance with extensive baths: (pi^2 T / (3h)) 4 aL aR / (aL + aR)^2,
    Andreucci et al. Eq. 71 (independent of N, k_A, gamma). Relative error O(T^2)."""
    return quantum_of_thermal_conductance(T, hbar) * andreucci_geometric_factor(alpha_L, alpha_R)


def andreucci_i7_low_t(theta, alpha_L, alpha_R) -> Float[Array, ""]:
    """I7 of Andreucci et al. Eq. 68 at small theta: (pi^2 / 3) aL aR theta / (aL + aR)^2 (Eq. 70).
    The conductance is K = sqrt(2 k_A / m) I7 / pi (Eq. 67 divided by Delta T)."""
    theta, alpha_L, alpha_R = _f(theta, alpha_L, alpha_R)
    return jnp.pi**2 / 3 * alpha_L * alpha_R * theta / (alpha_L + alpha_R) ** 2


def andreucci_i8_1_low_t(theta, k1, alpha_L, alpha_R) -> Float[Array, ""]:
    """I8^(1) of Andreucci et al. Eq. 77 at small theta: pi^2 theta / (3 k1^2 (aL + aR)^2) (Eq. 78); it sets
    the part of the bath-free temperature linear in Delta T (Eq. 75)."""
    theta, k1, alpha_L, alpha_R = _f(theta, k1, alpha_L, alpha_R)
    return jnp.pi**2 * theta / (3 * k1**2 * (alpha_L + alpha_R) ** 2)
