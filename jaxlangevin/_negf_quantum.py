"""Exact quantum steady state and linear-response conductance from the Green's function.

CONVENTIONS "Quantum steady state" (Andreucci et al. Eq. 42 and 52): the classical residue sums of
``jaxlangevin._negf`` with each pole lambda_k weighted by Q(lambda_k, T) (``jaxlangevin._quantum``), which
is exact: the Bose factor's Matsubara poles are summed in closed form by the digamma function. Same
poles, same cost as the classical engine (O(N^2) for mean-field with random masses, O(1) in N for equal
masses, O(N^3) for other couplings), times the number of distinct weights (one per bath, plus one for the
conductance).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax.tree_util import Partial

from ._embedding import conductance_from_powers, embedded_coefficients, embedded_steady_state
from ._initial import AtRest
from ._negf import _bath_gammas, _bath_temperatures, _check, _coefficients, _warn_result
from ._quantum import thermal_weight, thermal_weight_derivative
from ._solution import QuantumSteadyState
from ._validation import as_float_array, positive


def _hbar(hbar):
    return positive("hbar", as_float_array("hbar", hbar, ndim=0))


# pole weights as pytrees (Partial of module-level functions), so the jitted residue sums are reused across
# calls with new temperatures instead of recompiled for a new closure
def _flux_and_conductance_weights(temp_b, t_mean, hbar, lam):
    return jnp.concatenate([thermal_weight(lam, temp_b, hbar), thermal_weight_derivative(lam, t_mean[None], hbar)])


def _conductance_weights(t, hbar, lam):
    return thermal_weight_derivative(lam, t[None], hbar)


def _conductance_matrix(system, kd):
    """dJ_b/dT_c from K'[c, n] (derivative weights). An Ohmic bath's power from source c is
    -gamma_b sum_{n in S_b} <v_n^2>_c, so this is ``conductance_from_powers`` of those powers."""
    fm = jnp.asarray(system.bath_masks(), system.masses.dtype)
    powers = -_bath_gammas(system)[None, :] * jnp.einsum("cn,bn->cb", kd, fm)  # dP[c, b]
    return conductance_from_powers(powers)


def quantum_steady_state(system, hbar) -> QuantumSteadyState:
    """``negf_steady_state(system, hbar)`` (see its docstring)."""
    _check(system, "the quantum Green's-function engine")
    hbar = _hbar(hbar)
    if system.has_memory_baths():
        return embedded_steady_state(system, hbar)
    temp_b = _bath_temperatures(system)
    nb = temp_b.shape[0]
    t_mean = jnp.mean(temp_b)

    weights = Partial(_flux_and_conductance_weights, temp_b, t_mean, hbar)
    k, k_err, rate, converged, method = _coefficients(system, weights)
    kt, et = k[:nb], k_err[:nb]  # K[t, c, n]: bath c's integral under bath t's temperature
    m = system.masses
    fm = jnp.asarray(system.bath_masks(), m.dtype)
    gam_b = _bath_gammas(system)
    diag = jnp.arange(nb)
    own, own_err = kt[diag, diag], et[diag, diag]  # (c, n): bath c under its own temperature
    flux = gam_b * jnp.einsum("bcn,bn->b", kt - own[None], fm)
    flux_err = gam_b * jnp.einsum("bcn,bn->b", et + own_err[None], fm)
    divergent = np.asarray(system.bath_masks()).any(axis=0)  # every bath is Ohmic (checked)
    temperature = jnp.where(jnp.asarray(divergent), jnp.inf, m * jnp.sum(own, axis=0))
    temperature_error = jnp.where(jnp.asarray(divergent), 0.0, m * jnp.sum(own_err, axis=0))
    result = QuantumSteadyState(
        flux=flux,
        flux_error=flux_err,
        conductance=_conductance_matrix(system, k[nb]),
        site_temperature=temperature,
        temperature_error=temperature_error,
        hbar=hbar,
        slowest_relaxation_time=1.0 / rate,
        start=AtRest(),
        converged=converged,
        method=method,
        divergent_sites=tuple(int(i) for i in np.nonzero(divergent)[0]),
    )
    _warn_result(result)
    return result


def thermal_conductance(system, temperature, hbar=None):
    """Linear-response thermal conductance dJ_b/dT_c (n_baths, n_baths) with every bath at ``temperature``.

    Quantum (``hbar`` > 0): the Landauer conductance sum_c int_0^inf dw/(2 pi) hbar w Tr_bc(w) dn(w, T)/dT
    (Andreucci et al. Eq. 44), exactly, by residues (each pole weighted by dQ/dT, ``jaxlangevin._quantum``).
    Classical (``hbar=None``): the T-independent Tr_bc integrals. With two baths the conductance of
    J = K (T_L - T_R) is K = result[0, 0] = -result[0, 1]; each row sums to zero. Cost: one classical
    steady state. Differentiable in every parameter and in ``temperature``.
    """
    _check(system, "the Green's-function engine")
    hbar = None if hbar is None else _hbar(hbar)
    t = positive("temperature", as_float_array("temperature", temperature, ndim=0))
    weights = Partial(_conductance_weights, t, hbar)
    if system.has_memory_baths():
        return conductance_from_powers(embedded_coefficients(system, weights)[1][0])
    return _conductance_matrix(system, _coefficients(system, weights)[0][0])
