"""Drude-Ullersma baths (issue 5, item 2) in the exact engine: the Markovian embedding against independent
quadrature with each bath's own kernel gamma D / (D - i w), classical and quantum; the Ohmic limit
D -> infinity; finite quantum temperatures at Drude bath sites; refusal by the engines that need white
noise. Tolerances: quadrature at epsrel 1e-12, so 1e-10 relative (measured 1e-16 to 3e-14)."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from test_quantum import _quadrature  # noqa: E402

import jaxlangevin as jl  # noqa: E402


def _systems():
    return {
        "one oscillator between two Drude baths (Panasyuk)": jl.System(
            jnp.array([1.0]), jl.Pinning(1.0), [jl.DrudeBath((0,), 0.5, 1.5, 3.0), jl.DrudeBath((0,), 0.3, 0.5, 2.0)]),
        "chain, Drude left, Ohmic right": jl.System(
            jnp.array([1.0, 0.7, 1.3, 0.9]), jl.NearestNeighbour(1.0) + jl.Pinning(0.3),
            [jl.DrudeBath((0,), 0.8, 1.5, 4.0), jl.OhmicBath((3,), 0.6, 0.5)]),
        "mean field, extensive Drude baths": jl.System(
            jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7]), jl.MeanField(1.0) + jl.Pinning(0.1),
            [jl.DrudeBath((0, 1), 1.0, 1.5, 2.0), jl.DrudeBath((5,), 1.0, 0.5, 5.0)]),
    }


@pytest.mark.parametrize("name", list(_systems()))
@pytest.mark.parametrize("hbar", [pytest.param(None, marks=pytest.mark.slow), 1.0])
def test_agrees_with_quadrature(name, hbar):
    s = _systems()[name]
    r = jl.negf_steady_state(s, hbar=hbar)
    flux, finite, temps = _quadrature(s, hbar)
    np.testing.assert_allclose(r.flux, flux, rtol=1e-10)
    t = r.temperature if hbar is None else r.temperature_at(finite)
    np.testing.assert_allclose(np.asarray(t)[np.asarray(finite)] if hbar is None else t, temps, rtol=1e-10)
    assert abs(float(r.energy_balance)) < 1e-13 * np.max(np.abs(flux))
    assert np.all(np.asarray(r.flux_error) < 1e-10 * np.max(np.abs(flux)))
    assert r.method == "embedded-modal"


def test_drude_bath_sites_have_a_finite_quantum_temperature():
    """The cutoff removes the divergence of Andreucci Eq. 54: only Ohmic sites are refused."""
    q = jl.negf_steady_state(_systems()["chain, Drude left, Ohmic right"], hbar=1.0)
    assert q.divergent_sites == (3,)
    assert np.isfinite(float(q.temperature_at(0)[0]))
    q = jl.negf_steady_state(_systems()["mean field, extensive Drude baths"], hbar=1.0)
    assert q.divergent_sites == ()
    assert np.all(np.isfinite(np.asarray(q.temperature)))


def test_ohmic_limit():
    """D -> infinity: gammaTilde = gamma (1 + i w / D + ...), so results move by O(w_max / D): rtol 1e-4 at
    D = 1e5 (w_max ~ 2)."""
    ohmic = jl.System(jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7]), jl.MeanField(1.0) + jl.Pinning(0.1),
                      [jl.OhmicBath((0, 1), 1.0, 1.5), jl.OhmicBath((5,), 1.0, 0.5)])
    drude = jl.System(ohmic.masses, ohmic.coupling, [jl.DrudeBath((0, 1), 1.0, 1.5, 1e5),
                                                     jl.DrudeBath((5,), 1.0, 0.5, 1e5)])
    a, b = jl.negf_steady_state(ohmic), jl.negf_steady_state(drude)
    np.testing.assert_allclose(b.flux, a.flux, rtol=1e-4)
    np.testing.assert_allclose(b.temperature, a.temperature, rtol=1e-4)
    np.testing.assert_allclose(jl.thermal_conductance(drude, 0.7, hbar=1.0),
                               jl.thermal_conductance(ohmic, 0.7, hbar=1.0), rtol=1e-4)


def test_gradient_in_the_cutoff_matches_finite_differences():
    s = _systems()["chain, Drude left, Ohmic right"]

    def flux(d):
        baths = [jl.DrudeBath((0,), 0.8, 1.5, d), s.baths[1]]
        return jl.negf_steady_state(jl.System(s.masses, s.coupling, baths), hbar=1.0).flux[0]

    g = float(jax.grad(flux)(4.0))
    h = 1e-4
    fd = (float(flux(4.0 + h)) - float(flux(4.0 - h))) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6)


def test_white_noise_engines_refuse_drude_baths_and_name_the_one_that_handles_them():
    s = _systems()["chain, Drude left, Ohmic right"]
    for call in (lambda: jl.lyapunov_steady_state(s), lambda: jl.covariance_evolution(s, jl.AtRest(), [1.0]),
                 lambda: jl.simulate(s, n_traj=4, dt=0.01, t_relax=0.0, t_measure=1.0, key=jax.random.key(0))):
        with pytest.raises(ValueError, match=r"`baths\[0\]` is DrudeBath; .* handles OhmicBath only "
                                             r"\(jl.negf_steady_state handles DrudeBath"):
            call()
    with pytest.raises(ValueError, match="cutoff"):
        jl.DrudeBath((0,), 1.0, 1.0, cutoff=0.0)


def _panasyuk(d, g1, g2, t1, t2):
    return jl.System(jnp.array([1.0]), jl.Pinning(1.0), [jl.DrudeBath((0,), g1, t1, d), jl.DrudeBath((0,), g2, t2, d)])


@pytest.mark.parametrize("d, g1, g2", [(3.0, 0.25, 0.25), (0.5, 0.4, 0.1), (20.0, 0.05, 0.05), (0.01, 0.05, 0.05)])
def test_panasyuk_heat_current_and_conductance(d, g1, g2):
    """One oscillator (m = omega0 = 1) between two Drude baths: Panasyuk et al. Eq. 42 and 43 (the three
    roots of Eq. 21, scipy quad of the printed integrals, with the paper's rule for gamma1 != gamma2)
    against the engine, across the quantum-classical crossover; Eq. 47 (classical conductance, exact);
    Eq. 51 (T^3 law; the next order is O((2 pi T / w_c)^2) with w_c = min(omega0, D), tolerance 3 of those:
    measured 0.3 to 0.5 of it)."""
    a = jl.analytic
    mu, g = a.panasyuk_roots(1.0, g1, g2, d)  # the text after Eq. 46: sum_n g_n mu_n^k = ((-1)^k - 1)/2
    np.testing.assert_allclose([np.sum(g * mu**k) for k in range(3)], [0, -1, 0], atol=1e-12)
    j = float(jl.negf_steady_state(_panasyuk(d, g1, g2, 2.0, 0.3), hbar=1.0).flux[0])
    np.testing.assert_allclose(j, a.panasyuk_heat_current(2.0, 0.3, 1.0, g1, g2, d), rtol=1e-10)
    for t in (0.05, 0.5, 5.0):
        k = float(jl.thermal_conductance(_panasyuk(d, g1, g2, t, t), t, hbar=1.0)[0, 0])
        np.testing.assert_allclose(k, a.panasyuk_conductance(t, 1.0, g1, g2, d), rtol=1e-10)
    k_cl = float(jl.thermal_conductance(_panasyuk(d, g1, g2, 1.0, 1.0), 1.0)[0, 0])
    np.testing.assert_allclose(k_cl, a.panasyuk_conductance_classical(1.0, g1, g2, d), rtol=1e-10)  # 1e-12 at D=0.01
    t = 0.003
    k = float(jl.thermal_conductance(_panasyuk(d, g1, g2, t, t), t, hbar=1.0)[0, 0])
    assert abs(k / float(a.panasyuk_conductance_low_t(t, 1.0, g1, g2)) - 1) < 3 * (2 * np.pi * t / min(1.0, d)) ** 2
