"""jaxlangevin.mesoscopic: Panasyuk et al. Sec. VI, Eq. 78-83 (chain of subsystems linked by quantum mediators).

Parameters like the paper's Fig. 4: omega0 = 1, gamma_hat = (gamma1 + gamma2)/m = 0.1, D = 10, hbar = 1.
Error budget: the engine's J has absolute error ~1e-16 (checked against the Eq. 42 quadrature in
test_quantum / test_analytic); Newton converges quadratically, so equal link currents hold to ~1e-16 / J.
"""

import jax.numpy as jnp
import numpy as np
import pytest

import jaxlangevin as jl

M = jl.mesoscopic
PARAMS = dict(omega0=1.0, gamma1=0.05, gamma2=0.05, cutoff=10.0)


@pytest.fixture(scope="module")
def warm():
    """Quantum chain n = 4 at T ~ hbar omega0: steady state and a long relaxation from a cold start."""
    chain = M.MediatorChain(4, **PARAMS, hbar=1.0, heat_capacity=1.0)
    T, J = M.steady_state(chain, 1.5, 0.5)
    times = np.array([0.0, 50.0, 500.0, 2000.0, 4000.0])
    ev = M.evolve(chain, jnp.full(4, 0.5), 1.5, 0.5, times)
    return chain, T, J, ev


def test_steady_state_equal_currents_and_long_time_limit(warm):
    chain, T, J, ev = warm
    # the n + 1 link currents, from the already compiled Newton step
    _, _, links = M._newton_step(chain, T, jnp.asarray(1.5), jnp.asarray(0.5))
    assert np.max(np.abs(np.asarray(links) / J - 1)) < 1e-10
    assert np.all(np.diff(np.asarray(T)) < 0) and 0.5 < float(T[-1]) and float(T[0]) < 1.5
    # Slowest relaxation rate ~ 4 K sin^2(pi / (2 (n + 1))) / C with C ~ T ~ 1, K ~ 0.024: lambda ~ 0.009, so
    # at t = 4000 the transient is ~exp(-37): below the RK4 error (O(dt^4), dt ~ 10, lambda dt ~ 0.1 -> ~1e-6
    # per decay time but acting on the decayed transient only). Check 1e-8.
    assert np.max(np.abs(np.asarray(ev.temperatures[-1]) - np.asarray(T))) < 1e-8
    assert np.max(np.abs(np.asarray(ev.temperatures[1]) - np.asarray(T))) > 1e-3  # t = 50 still transient


def test_energy_conservation_of_evolve(warm):
    chain, _, _, ev = warm
    U = np.asarray(M.energy(chain, ev.temperatures).sum(axis=1))
    np.testing.assert_allclose(U, np.asarray(ev.temperatures**2).sum(axis=1) / 2, rtol=1e-14)  # C = T
    balance = U - U[0] - np.asarray(ev.heat_from_left - ev.heat_to_right)
    # Telescoping sum is exact; only round-off of ~ (steps) x eps x U accumulates.
    assert np.max(np.abs(balance)) < 1e-11 * U[-1]
    assert float(ev.heat_from_left[-1]) > 1.0  # a non-trivial amount of heat went through


def test_classical_limit_linear_profile():
    chain = M.MediatorChain(6, **PARAMS, hbar=None)
    K = float(M.conductance(chain, 1.0))
    np.testing.assert_allclose(K, float(jl.analytic.panasyuk_conductance_classical(1.0, 0.05, 0.05, 10.0)),
                               rtol=1e-12)  # Eq. 47, T-independent
    T, J = M.steady_state(chain, 1.5, 0.5)
    linear = 1.5 - np.arange(1, 7) / 7.0
    assert np.max(np.abs(np.asarray(T) - linear)) < 1e-10
    np.testing.assert_allclose(J, K * 1.0 / 7, rtol=1e-10)  # J = K (T_L - T_R) / (n + 1)


@pytest.mark.parametrize("n", [4, 8])  # n = 4 is the `warm` chain: its Newton step is already compiled
def test_quantum_low_t_curved_profile_matches_kirchhoff(n):
    T_L, T_R = 0.3, 0.1
    chain = M.MediatorChain(n, **PARAMS, hbar=1.0, heat_capacity=1.0)
    _, K_series, _ = M.kirchhoff_transform(chain, T_R, T_L)
    K_L, K_R = K_series(T_L), K_series(T_R)
    assert 10 < K_L / K_R < 60  # K strongly T-dependent (T^3 law: 27; resonance corrections at T = 0.3)
    T, J = M.steady_state(chain, T_L, T_R)
    k = np.arange(1, n + 1)
    linear = T_L + (T_R - T_L) * k / (n + 1)
    assert np.max(np.abs(np.asarray(T) - linear)) > 0.02  # clearly not Fourier with constant kappa
    Tf, Jf, err = M.fourier_profile(chain, T_L, T_R, k)
    assert err < 1e-14
    # Eq. 42 is of Landauer form J(Ta, Tb) = Phi(Ta) - Phi(Tb), so the discrete steady state IS the Kirchhoff
    # profile at x = k: no O(1/n^2) discreteness error, only the J round-off (~1e-16 / J ~ 1e-11 here) and the
    # Chebyshev error. Both n agree to 1e-11 relative.
    np.testing.assert_allclose(np.asarray(T), Tf, rtol=1e-11)
    np.testing.assert_allclose(J, Jf, rtol=1e-10)


def test_landauer_additivity_of_the_mediator_current(warm):
    """J(a, b) + J(b, c) = J(a, c) and J(c, a) = -J(a, c): the property behind the exact Kirchhoff form."""
    chain = warm[0]
    a, b, c = 0.9, 0.4, 0.15
    # link currents of the n = 4 chain with T_L = a and T = (b, c, a, c): J(a,b), J(b,c), J(c,a), J(a,c), J(c,R)
    _, _, J = M._newton_step(chain, jnp.array([b, c, a, c]), jnp.asarray(a), jnp.asarray(0.5))
    Jab, Jbc, Jca, Jac = (float(v) for v in J[:4])
    assert abs(Jab + Jbc - Jac) < 1e-14 * Jac
    assert abs(Jca + Jac) < 1e-14 * Jac


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_subsystems=0), "n_subsystems"),
    (dict(n_subsystems=2.5), "n_subsystems"),
    (dict(n_subsystems=3, omega0=-1.0), "omega0"),
    (dict(n_subsystems=3, gamma1=0.0), "gamma1"),
    (dict(n_subsystems=3, gamma2=float("nan")), "gamma2"),
    (dict(n_subsystems=3, cutoff=-2.0), "cutoff"),
    (dict(n_subsystems=3, mass=0.0), "mass"),
    (dict(n_subsystems=3, hbar=0.0), "hbar"),
    (dict(n_subsystems=3, heat_capacity=-1.0), "heat_capacity"),
])
def test_bad_input_raises(kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        M.MediatorChain(**kwargs)


def test_bad_call_arguments_raise():
    chain = M.MediatorChain(3)
    with pytest.raises(ValueError, match="T_initial"):
        M.evolve(chain, jnp.ones(2), 1.0, 0.5, [1.0])
    with pytest.raises(ValueError, match="T_L"):
        M.steady_state(chain, -1.0, 0.5)
