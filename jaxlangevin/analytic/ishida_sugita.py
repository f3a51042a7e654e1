"""Closed forms of Ishida and Sugita, weak-coupling master equation of spin chains (seed 004), Sec. IV B, App. B.

Model: two spins-1/2 in a field h along z, H = h (sigma^z0 + sigma^0z) + lambda sigma^z'_1 sigma^z'_2 with
sigma^z' = cos(theta) sigma^z - sin(theta) sigma^x (tilted Ising, Eq. 104-110), spin 1 coupled through
lambda sigma^z' to a bath at T_L, spin 2 to one at T_R (Appendix B; ``jaxlangevin.spins.SpinChain.tilted_ising``
with n = 2). Each bath enters through t_alpha = tanh(beta_alpha h) (Eq. B12) and two rates (Eq. B32-B33),
c_alpha = (Phi~(2h) + Phi~(-2h)) / 2 and d_alpha = Phi~(0) (``spins.ConstantSpectrum(c, d)``), with
a_alpha = c_alpha sin(theta), b_alpha = d_alpha cos(theta) (Eq. B10-B11). Units: hbar = k_B = 1; t, g, K
and rho_0 are dimensionless, c and d only enter through their ratios.

The zeroth-order (lambda -> 0) steady state is (Eq. 103, site 1 = first tensor factor)

    rho_0 = rho_LE(beta_1) (x) rho_LE(beta_2) + ((t_2 - t_1) / 8) gamma rho^A + g sigma^zz,
    rho_LE(beta_l) = (1 - t_l sigma^z) / 2 (Eq. 100),  rho^A = sigma^xx + sigma^yy (Eq. 79),
    gamma = -sin^2(theta) / ((t_L - t_R) cos^2(theta))                                     (Eq. B22)

with t_1, t_2, g fixed by Eq. B23-B25. These are linear in t_1, t_2 (gamma does not depend on them) and
solved exactly here (derived for this module; the paper gives only the equal-bath form B26-B29). With
Delta = t_L - t_R, cbar = (c_L + c_R) / 2, dbar = (d_L + d_R) / 2,

    r = 2 dbar cos^2(theta) + cbar sin^2(theta),   Q = c_L c_R Delta^2 cos^4(theta) + cbar r sin^2(theta),
    t_1 = t_L - c_R Delta r sin^2(theta) / (2 Q),   t_2 = t_R + c_L Delta r sin^2(theta) / (2 Q),
    g = -(c_L c_R)^2 Delta^4 r sin^2(theta) cos^4(theta) / (16 cbar Q^2),
    (t_2 - t_1) gamma = c_L c_R Delta^2 sin^2(theta) cos^2(theta) / Q.

(B24 divided by sin(theta): u := c_L (t_1 - t_L) = -c_R (t_2 - t_R); B25 times Delta^2 cos^4 / sin^2 is then
linear in u; B23 divided by sin(theta) gives g = u (t_1 - t_2) / (8 cbar).) This form has no removable
singularity: Q > 0 whenever sin(theta) != 0 and cbar > 0, so the two limits where gamma diverges are
regular (values and gradients):
- t_L = t_R (equilibrium, Delta alpha_z = 0 in Eq. B21): t_1 = t_2 = t_L, g = 0, no rho^A term -- the Gibbs
  state of the two bare spins; (t_2 - t_1) gamma -> 0 like Delta^2.
- cos(theta) = 0 (transverse Ising, alpha_zz = 0): t_1 = t_2 = (c_L t_L + c_R t_R) / (c_L + c_R), g = 0, no
  rho^A term: a flat profile (Eq. 2), at the mean (t_L + t_R) / 2 when c_L = c_R (K = 0).
sin(theta) = 0 or c_L = c_R = 0 is refused (ValueError for concrete inputs): then a_L = a_R = 0, the baths
never flip a spin, Eq. B23-B25 hold for every t_1, t_2, g and the steady state is not unique. The limit
theta -> 0 is t_1 -> t_L, t_2 -> t_R, g -> 0 (K = 1).

With c_L = c_R = c and d_L = d_R = d this is exactly Eq. B26-B29 (= Eq. 111-114) for every t_L, t_R: the
paper's "ignoring higher-order terms with respect to t_L - t_R" only concerns a_L ~ a_R, b_L ~ b_R. For
c_L != c_R the K form with the averages of Eq. B30-B31 is off at first order in (c_L - c_R) / (c_L + c_R)
(e.g. at cos(theta) = 0 it gives (t_L + t_R) / 2 instead of the c-weighted mean); d_L, d_R enter the exact
solution only through dbar.

Functions (jax.numpy, jit/grad-able in every argument; O(1)):
- ``ishida_sugita_two_spin``        t_1, t_2, g: the exact solution of Eq. B23-B25 above
- ``ishida_sugita_k``               K of Eq. B29 (= Eq. 114)
- ``ishida_sugita_two_spin_state``  rho_0 of Eq. 103 as a (4, 4) matrix in the ``jaxlangevin.spins`` basis

Checked (tests/test_spins_analytic.py) against the dense Liouvillian of ``jaxlangevin.spins``: rho_0 solves
Eq. 45-47 to 1e-16, the printed Eq. B17-B18 hold for unequal baths, and the exact NESS tends to rho_0 like
lambda (like lambda^2 for t_1, t_2 at theta = pi/2). Misprint: Eq. B14 should read D sigma_x =
-2 b (sigma_x cos(theta) + sigma_z sin(theta)) (a direct computation from Eq. B2 and B9); it does not enter
B17-B18, which only involve sigma_0, sigma_z, rho^A.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float

from .._validation import check_values, finite, is_concrete, nonnegative

__all__ = [
    "ishida_sugita_two_spin",
    "ishida_sugita_k",
    "ishida_sugita_two_spin_state",
]

_SX = np.array([[0.0, 1.0], [1.0, 0.0]])
_SY = np.array([[0.0, -1j], [1j, 0.0]])
_SZ = np.array([[1.0, 0.0], [0.0, -1.0]])
_EYE = np.eye(2)
# rho^A = sigma^x sigma^x + sigma^y sigma^y (Eq. 79) = 2 (|up,down><down,up| + h.c.): real
_RHO_A = np.kron(_SX, _SX) + np.kron(_SY, _SY).real


def _f(*vals):
    return tuple(jnp.asarray(v, dtype=jnp.result_type(float)) for v in vals)


def _polarizations(t_left, t_right):
    ok = lambda a: abs(a) <= 1  # noqa: E731  (False for nan and inf)
    t_left = check_values("t_left", t_left, ok, "a polarization tanh(h / T_L) in [-1, 1]")
    t_right = check_values("t_right", t_right, ok, "a polarization tanh(h / T_R) in [-1, 1]")
    return t_left, t_right


def _solve(t_left, t_right, theta, c_left, c_right, d_left, d_right):
    """(t_1, t_2, g, (t_2 - t_1) gamma) of the exact solution (module docstring)."""
    t_left, t_right, theta, *rates = _f(t_left, t_right, theta, c_left, c_right, d_left, d_right)
    t_left, t_right = _polarizations(t_left, t_right)
    c_left, c_right, d_left, d_right = (
        nonnegative(name, v) for name, v in zip(("c_left", "c_right", "d_left", "d_right"), rates)
    )
    theta = finite("theta", theta)
    s2, c2 = jnp.sin(theta) ** 2, jnp.cos(theta) ** 2
    cbar, dbar = (c_left + c_right) / 2, (d_left + d_right) / 2
    if all(is_concrete(v) for v in (theta, cbar)) and bool(np.any(np.asarray(s2 * cbar) == 0)):
        raise ValueError(
            "Ishida-Sugita Eq. B23-B25 need a spin-flip rate a = c sin(theta) != 0: with sin(theta) = 0 or "
            f"c_left = c_right = 0 (got theta = {np.asarray(theta)}, c_left = {np.asarray(c_left)}, c_right = "
            f"{np.asarray(c_right)}) the baths never flip a spin, every t_1, t_2, g solves them and the steady "
            "state is not unique. The limit theta -> 0 is t_1 -> t_L, t_2 -> t_R, g -> 0 (K = 1)."
        )
    delta = t_left - t_right
    r = 2 * dbar * c2 + cbar * s2
    cc = c_left * c_right
    q = cc * delta**2 * c2**2 + cbar * r * s2
    shift = delta * r * s2 / (2 * q)
    t1 = t_left - c_right * shift
    t2 = t_right + c_left * shift
    g = -(cc**2) * delta**4 * r * s2 * c2**2 / (16 * cbar * q**2)
    gamma_dt = cc * delta**2 * s2 * c2 / q
    return t1, t2, g, gamma_dt


def ishida_sugita_two_spin(
    t_left, t_right, theta, c_left=1.0, c_right=1.0, d_left=1.0, d_right=1.0
) -> tuple[Float[Array, "..."], Float[Array, "..."], Float[Array, "..."]]:
    """(t_1, t_2, g) of the two-spin zeroth-order state rho_0 (Eq. 103): Ishida-Sugita Eq. B23-B25 solved exactly.

        t_1 = t_L - c_R Delta r sin^2 / (2 Q),   t_2 = t_R + c_L Delta r sin^2 / (2 Q),
        g = -(c_L c_R)^2 Delta^4 r sin^2 cos^4 / (16 cbar Q^2),
        Delta = t_L - t_R, r = 2 dbar cos^2 + cbar sin^2, Q = c_L c_R Delta^2 cos^4 + cbar r sin^2

    (derivation and limits in the module docstring), with gamma from Eq. B22 and a = c sin(theta),
    b = d cos(theta) (Eq. B10-B11, B32-B33). For c_L = c_R, d_L = d_R it equals Eq. B26-B28 with K of Eq. B29
    exactly (see ``ishida_sugita_k``).

    Args:
        t_left: t_L = tanh(h / T_L) of the left bath (Eq. B12), in [-1, 1], dimensionless.
        t_right: t_R = tanh(h / T_R) of the right bath.
        theta: tilt of the field, sigma^z' = cos(theta) sigma^z - sin(theta) sigma^x (Eq. 106); sin(theta) != 0.
        c_left: c_L >= 0 of Eq. B32, (Phi~(2h) + Phi~(-2h)) / 2 of the left bath (``spins.ConstantSpectrum(c, d)``);
            c_L + c_R > 0. The rates have units of frequency; only their ratios matter.
        c_right: c_R >= 0, the same for the right bath.
        d_left: d_L = Phi~(0) >= 0 of Eq. B33, left bath.
        d_right: d_R >= 0, right bath.

    Returns t_1, t_2 (= -<sigma^z> of spin 1, 2: the local temperature is T_l = h / artanh(t_l)) and g (the
    sigma^zz weight; <sigma^z sigma^z> = t_1 t_2 + 4 g), each with the broadcast shape of the arguments.
    t_L = t_R gives the Gibbs product (t_1 = t_2 = t_L, g = 0); cos(theta) = 0 a flat profile. ValueError
    if sin(theta) = 0 or c_L = c_R = 0 (no unique steady state) or |t| > 1. Cost O(1).
    """
    t1, t2, g, _ = _solve(t_left, t_right, theta, c_left, c_right, d_left, d_right)
    return t1, t2, g


def ishida_sugita_k(t_left, t_right, theta, c=1.0, d=1.0) -> Float[Array, "..."]:
    """K of Ishida-Sugita Eq. B29 (= Eq. 114), the fraction of the bath difference t_L - t_R kept across the chain.

        K = c Delta^2 cos^4 / (c Delta^2 cos^4 + sin^2 (2 d cos^2 + c sin^2)),   Delta = t_L - t_R,

    so that t_1 - t_2 = K Delta (Eq. B26-B27, Eq. 111-112) and g = -K (1 - K) Delta^2 / 16 (Eq. B28, Eq. 113).
    0 <= K <= 1; K = 0 at cos(theta) = 0 (flat profile) and K = 1 at theta = 0, Delta != 0.

    With c_L = c_R = c and d_L = d_R = d, Eq. B26-B28 are the exact solution of Eq. B23-B25 for every t_L,
    t_R (not only to leading order in t_L - t_R as the paper states; checked in exact rational arithmetic in
    tests/test_spins_analytic.py): then Q = c (c Delta^2 cos^4 + sin^2 r) in ``ishida_sugita_two_spin`` and
    its t_1, t_2, g are those of this K. For c_L != c_R use ``ishida_sugita_two_spin``: with the averages c,
    d of Eq. B30-B31 the K form is only right to zeroth order in c_L - c_R.

    Args: t_left, t_right = tanh(h / T_L), tanh(h / T_R) in [-1, 1]; theta (radians); c, d >= 0 (Eq. B30-B33).
    Dimensionless. ValueError where K is 0/0 (e.g. theta = 0 with t_L = t_R). Cost O(1).
    """
    t_left, t_right, theta, c, d = _f(t_left, t_right, theta, c, d)
    t_left, t_right = _polarizations(t_left, t_right)
    c, d, theta = nonnegative("c", c), nonnegative("d", d), finite("theta", theta)
    s2, c2 = jnp.sin(theta) ** 2, jnp.cos(theta) ** 2
    num = c * (t_left - t_right) ** 2 * c2**2
    den = num + s2 * (2 * d * c2 + c * s2)
    if is_concrete(den) and bool(np.any(np.asarray(den) == 0)):
        raise ValueError(
            f"K of Ishida-Sugita Eq. B29 is 0/0 at t_left = {np.asarray(t_left)}, t_right = {np.asarray(t_right)}, "
            f"theta = {np.asarray(theta)}, c = {np.asarray(c)}, d = {np.asarray(d)}."
        )
    return num / den


def ishida_sugita_two_spin_state(
    t_left, t_right, theta, c_left=1.0, c_right=1.0, d_left=1.0, d_right=1.0
) -> Float[Array, "... 4 4"]:
    """rho_0 of Ishida-Sugita Eq. 103: the lambda -> 0 steady state of the two-spin tilted Ising model.

        rho_0 = rho_LE(beta_1) (x) rho_LE(beta_2) + ((t_2 - t_1) / 8) gamma rho^A + g sigma^z (x) sigma^z,
        rho_LE = (1 - t sigma^z) / 2 (Eq. 100),  rho^A = sigma^x sigma^x + sigma^y sigma^y (Eq. 79),

    with t_1, t_2, g from ``ishida_sugita_two_spin`` and (t_2 - t_1) gamma (gamma of Eq. B22) in its finite
    form c_L c_R Delta^2 sin^2 cos^2 / Q (module docstring), which vanishes at t_L = t_R and cos(theta) = 0.
    Basis of ``jaxlangevin.spins``: spin 1 (site 0, bath L) is the first Kronecker factor, index 0 is spin up
    (sigma^z = +1). Real symmetric, trace 1, positive semi-definite; it is what
    ``spins.steady_state(SpinChain.tilted_ising(2, lambda, theta, h, (T_L, T_R), ConstantSpectrum(c, d))).rho``
    tends to as lambda -> 0 (error O(lambda)). Arguments as ``ishida_sugita_two_spin``; returns shape
    (..., 4, 4) for arguments of broadcast shape (...). Cost O(1).
    """
    t1, t2, g, gamma_dt = jnp.broadcast_arrays(*_solve(t_left, t_right, theta, c_left, c_right, d_left, d_right))
    batch = (1,) * t1.ndim

    def term(coef, op):  # coef (...) times a constant (4, 4) operator, without implicit rank promotion
        return coef[..., None, None] * jnp.asarray(op).reshape(batch + (4, 4))

    rho = term(jnp.ones_like(t1) / 4, np.eye(4)) - term(t1 / 4, np.kron(_SZ, _EYE)) - term(t2 / 4, np.kron(_EYE, _SZ))
    return rho + term(t1 * t2 / 4 + g, np.kron(_SZ, _SZ)) + term(gamma_dt / 8, _RHO_A)
