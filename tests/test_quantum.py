"""The quantum Green's-function engine (issue 5, item 1) against independent quadrature, its classical
limit, the closed forms of Andreucci et al. Sec. 4, and finite differences.

Tolerances: the engine is exact up to rounding (its ``flux_error``/``temperature_error`` estimates are
~1e-15 relative here); the references are scipy ``quad`` at epsrel 1e-12, so 1e-10 relative. Large-N
formulas of the paper hold to O(1/N); the tolerance is a few / N (the measured coefficient is ~1).
"""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.integrate import quad  # noqa: E402

import jaxlangevin as jl  # noqa: E402
from jaxlangevin._quantum import psi1p_minus_log, thermal_weight  # noqa: E402

MASSES = jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7])


def _systems():
    return {
        "chain (modal)": jl.System(jnp.array([1.0, 0.7, 1.3, 0.9]), jl.NearestNeighbour(1.0) + jl.Pinning(0.3),
                                   jl.intensive(4, (1.5, 0.5), 0.8)),
        "mean-field, unequal masses (secular)": jl.System(MASSES, jl.MeanField(1.0) + jl.Pinning(0.1),
                                                          jl.intensive(6, (1.5, 0.5), 1.0)),
        "mean-field, equal masses (collective)": jl.System(jnp.ones(6), jl.MeanField(1.0) + jl.Pinning(0.1),
                                                           jl.intensive(6, (1.5, 0.5), 1.0)),
        "walls, three baths (modal)": jl.System(
            jnp.array([1.0, 0.8, 1.2, 0.9, 1.1]), jl.NearestNeighbour(1.0) + jl.FixedWalls(0.5),
            [jl.OhmicBath((0,), 1.0, 2.0), jl.OhmicBath((2,), 0.3, 0.2), jl.OhmicBath((4,), 0.7, 0.7)]),
    }


def _quadrature(system, hbar):
    """CONVENTIONS "Classical/Quantum steady state" by scipy quad with a dense G and each bath's own
    friction kernel (``hbar=None``: classical): the Landauer flux of every bath and the kinetic temperature
    of every site whose temperature is finite (all sites except those held by an Ohmic bath, quantum)."""
    n = system.n_sites
    phi, m = np.asarray(system.stiffness()), np.asarray(system.masses)

    def kernel(b, w):  # CONVENTIONS gammaTilde_b(w), in numpy
        if isinstance(b, jl.DrudeBath):
            return float(b.gamma) * float(b.cutoff) / (float(b.cutoff) - 1j * w)
        return complex(float(b.gamma))

    def green(w):
        z = (phi - w * w * np.diag(m)).astype(complex)
        for b in system.baths:
            z[list(b.sites), list(b.sites)] += -1j * w * kernel(b, w)
        return np.linalg.inv(z)

    def theta(w, t):
        return t if hbar is None or w == 0 else hbar * w / 2 / np.tanh(hbar * w / (2 * t))

    def width(b, w):  # w Re gammaTilde_b(w)
        return w * kernel(b, w).real

    poles = sorted(np.sqrt(np.abs(np.linalg.eigvals(np.linalg.solve(np.diag(m), phi)))))
    top = 50 * poles[-1] + 50
    baths = system.baths
    pairs = [(a, c) for a in range(len(baths)) for c in range(len(baths)) if c != a]
    ohmic = {i for b in baths if isinstance(b, jl.OhmicBath) for i in b.sites} if hbar is not None else set()
    finite = [i for i in range(n) if i not in ohmic]

    def integrands(w):  # every flux and temperature integrand at once (one G per frequency)
        g = green(w)
        out = []
        for a, c in pairs:
            ba, bc = baths[a], baths[c]
            tr = 4 * width(ba, w) * width(bc, w) * np.sum(np.abs(g[np.ix_(list(ba.sites), list(bc.sites))]) ** 2)
            out.append(tr * (theta(w, float(ba.temperature)) - theta(w, float(bc.temperature))) / (2 * np.pi))
        for i in finite:
            out.append(sum(2 * width(b, w) * w * np.sum(np.abs(g[i, list(b.sites)]) ** 2)
                           * theta(w, float(b.temperature)) for b in baths) / np.pi)
        return np.array(out)

    def integral(f):
        return (quad(f, 0, top, points=poles, limit=2000, epsabs=0, epsrel=1e-12)[0]
                + quad(f, top, np.inf, limit=500, epsabs=0, epsrel=1e-12)[0])

    n_out = len(pairs) + len(finite)
    total = np.array([integral(lambda w, k=k: integrands(w)[k]) for k in range(n_out)])
    flux = [sum(total[k] for k, (a, _) in enumerate(pairs) if a == b) for b in range(len(baths))]
    temps = m[finite] * total[len(pairs):]
    return np.array(flux), finite, temps


@pytest.mark.parametrize("hbar", [1.0, pytest.param(3.0, marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", list(_systems()))
def test_agrees_with_quadrature(name, hbar):
    s = _systems()[name]
    q = jl.negf_steady_state(s, hbar=hbar)
    flux, finite, temps = _quadrature(s, hbar)
    np.testing.assert_allclose(q.flux, flux, rtol=1e-10)
    np.testing.assert_allclose(q.temperature_at(finite), temps, rtol=1e-10)
    assert abs(float(q.energy_balance)) < 1e-14 * np.max(np.abs(flux)) * 10
    assert np.all(np.asarray(q.flux_error) < 1e-10 * np.max(np.abs(flux)))  # the estimate, conservative


def test_classical_limit():
    """hbar -> 0: Theta(w, T) = T + hbar^2 w^2 / (12 T) + O(hbar^4), so the quantum results approach the
    classical engine's with a correction <= hbar^2 w_max^2 / (12 T_min) relative."""
    s = _systems()["mean-field, unequal masses (secular)"]
    c = jl.negf_steady_state(s)
    hbar, w_max, t_min = 1e-3, float(s.max_frequency()), 0.5
    bound = hbar**2 * w_max**2 / (12 * t_min)
    q = jl.negf_steady_state(s, hbar=hbar)
    np.testing.assert_allclose(q.flux, c.flux, rtol=bound)
    np.testing.assert_allclose(q.temperature_at(np.arange(1, 5)), c.temperature[1:5], rtol=bound)
    assert np.max(np.abs(np.asarray(q.temperature_at(np.arange(1, 5)) - c.temperature[1:5]))) > 1e-3 * bound


def test_ohmic_bath_sites_refuse_a_temperature():
    """Andreucci et al. Eq. 54: <v^2> at a site held by an Ohmic bath diverges logarithmically."""
    q = jl.negf_steady_state(_systems()["mean-field, unequal masses (secular)"], hbar=1.0)
    assert q.divergent_sites == (0, 5)
    with pytest.raises(ValueError, match=r"sites \[0, 5\] diverges logarithmically.*Eq. 54.*cutoff"):
        q.temperature
    with pytest.raises(ValueError, match=r"includes \[5\]"):
        q.temperature_at([2, 5])
    assert np.all(np.isfinite(np.asarray(q.temperature_at([1, 2, 3, 4]))))
    with pytest.raises(ValueError, match="hbar"):
        jl.negf_steady_state(_systems()["chain (modal)"], hbar=-1.0)


def test_conductance_is_the_derivative_of_the_flux():
    """thermal_conductance against central differences of the Landauer flux in T_L - T_R (step 1e-3:
    truncation ~ d^3J/dT^3 h^2 ~ 1e-7 relative), the steady state's own conductance at the mean
    temperature, and the classical limit J / (T_L - T_R)."""
    s = _systems()["mean-field, unequal masses (secular)"]
    t, h, hbar = 0.4, 1e-3, 1.0

    def flux_l(dt):
        baths = jl.intensive(6, (t + dt / 2, t - dt / 2), 1.0)
        return float(jl.negf_steady_state(jl.System(s.masses, s.coupling, baths), hbar=hbar).flux[0])

    fd = (flux_l(h) - flux_l(-h)) / (2 * h)
    k = np.asarray(jl.thermal_conductance(jl.System(s.masses, s.coupling, jl.intensive(6, (t, t), 1.0)), t, hbar))
    np.testing.assert_allclose(k[0, 0], fd, rtol=1e-6)
    np.testing.assert_allclose(k.sum(axis=1), 0.0, atol=1e-15)
    at_mean = jl.negf_steady_state(jl.System(s.masses, s.coupling, jl.intensive(6, (t + 0.05, t - 0.05), 1.0)),
                                   hbar=hbar)
    np.testing.assert_allclose(at_mean.conductance, k, rtol=1e-12)
    classical = jl.negf_steady_state(s)
    np.testing.assert_allclose(jl.thermal_conductance(s, 1.0)[0, 0], classical.flux[0] / 1.0, rtol=1e-12)


def test_low_temperature_conductance_is_the_quantum_of_thermal_conductance():
    """Andreucci et al. Eq. 51: an unpinned chain with equal couplings transmits perfectly at w -> 0,
    so K -> pi^2 T / (3 h) as T -> 0, with a relative correction O((T / (hbar w_1))^2)."""
    s = jl.System(MASSES, jl.MeanField(1.0), jl.intensive(6, (1.0, 1.0), 1.0))
    for t, tol in ((1e-3, 1e-4), (1e-4, 1e-6)):
        k = float(jl.thermal_conductance(s, t, hbar=1.0)[0, 0])
        assert abs(k / float(jl.analytic.quantum_of_thermal_conductance(t, 1.0)) - 1) < tol


@pytest.mark.parametrize("n", [500, 2000])
def test_andreucci_large_n_conductance_and_zero_point_temperature(n):
    """Eq. 48 with g of Eq. 49 (corrected, see jl.analytic.andreucci_g) and Eq. 58-59 (prefactor of Eq. 55
    corrected) at k_A = m = gamma = hbar = 1, across the quantum-classical crossover x = T_N / T."""
    a = jl.analytic
    s_at = lambda t: jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0), jl.intensive(n, (t, t), 1.0))  # noqa: E731
    t_n = float(a.andreucci_temperature_scale(n))
    for x in (0.1, 1.0, 10.0):
        k = float(jl.thermal_conductance(s_at(t_n / x), t_n / x, hbar=1.0)[0, 0])
        ref = float(a.andreucci_quantum_conductance_intensive_large_n(n, t_n / x))
        assert abs(k / ref - 1) < 2 / n, (x, k / ref - 1)
    for t in (0.0, 0.05 * t_n):
        q = jl.negf_steady_state(s_at(t), hbar=1.0)
        ref = float(a.andreucci_bulk_temperature_quantum_low_t(n, t))
        assert abs(float(q.temperature_at(n // 2)[0]) / ref - 1) < 4 / n


@pytest.mark.parametrize("fractions", [(1 / 3, 1 / 5), (0.25, 0.25), (1 / 20, 1 / 20)])
def test_andreucci_extensive_low_t_conductance_and_bulk_temperature(fractions):
    """Extensive baths (N = 240, k1 = 3): the low-T conductance is the quantum of thermal conductance
    times the geometric factor 4 aL aR / (aL + aR)^2 (Eq. 71; relative correction O(T^2), measured 2e-5
    at T = 1e-3), and the bath-free temperature is Eq. 73 with I8 of Eq. 74 by quadrature (exact at
    finite N with aL, aR = N_L / N, N_R / N)."""
    n, gamma = 240, 3 * np.sqrt(2)
    al, ar = fractions
    sys_at = lambda tl, tr: jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0),  # noqa: E731
                                      jl.extensive(n, fractions, (tl, tr), gamma))
    t = 1e-4
    k = float(jl.thermal_conductance(sys_at(t, t), t, hbar=1.0)[0, 0])
    assert abs(k / float(jl.analytic.andreucci_quantum_conductance_extensive_low_t(t, al, ar)) - 1) < 1e-5
    a_l, a_r = round(al * n) / n, round(ar * n) / n

    def i8(theta):  # Eq. 74 (k1 = 3)
        f = lambda y: y / np.tanh(y / theta) / (y * y * (y * y - 1) ** 2 + 9 * (y * y - a_l - a_r) ** 2)  # noqa: E731
        return 2 * sum(quad(f, lo, hi, limit=500, epsrel=1e-12, epsabs=0)[0]
                       for lo, hi in [(0, 0.5), (0.5, 1), (1, 2), (2, np.inf)])

    for tl, tr in ((0.5, 0.3), (0.05, 0.02)):
        q = jl.negf_steady_state(sys_at(tl, tr), hbar=1.0)
        theta = lambda t: float(jl.analytic.andreucci_theta(t))  # noqa: E731
        ref = gamma / (2 * np.pi * n) * (a_l * i8(theta(tl)) + a_r * i8(theta(tr)))
        np.testing.assert_allclose(q.temperature_at(n // 2), ref, rtol=1e-10)


def test_andreucci_extensive_bulk_temperature_gradient_at_low_t():
    """Eq. 75 and 78: with aL != aR the bath-free temperature gains (hbar gamma / (2 pi N m)) (aL - aR)
    Delta T / (hbar sqrt(2 k_A / m)) I8^(1), and I8^(1) -> pi^2 theta / (3 k1^2 (aL + aR)^2) with a relative
    correction O(theta^2) (measured 6.6e-6 at theta = 1e-3). dT/dDelta T by central differences of the
    exact engine (step 1e-2 T: truncation O(1e-4) relative in a quantity that is linear to O(Delta T^2))."""
    n, gamma, fr = 240, 3 * np.sqrt(2), (1 / 3, 1 / 5)
    a_l, a_r = round(fr[0] * n) / n, round(fr[1] * n) / n

    def bulk(tl, tr):
        s = jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0), jl.extensive(n, fr, (tl, tr), gamma))
        return float(jl.negf_steady_state(s, hbar=1.0).temperature_at(n // 2)[0])

    theta = 1e-3
    t = theta * np.sqrt(2) / 2  # Eq. 46 with k_A = m = hbar = 1
    h = 1e-2 * t
    slope = (bulk(t + h / 2, t - h / 2) - bulk(t - h / 2, t + h / 2)) / (2 * h)
    i8_1 = slope * 2 * np.pi * n / gamma / (a_l - a_r) * np.sqrt(2)
    assert abs(i8_1 / float(jl.analytic.andreucci_i8_1_low_t(theta, 3.0, a_l, a_r)) - 1) < 1e-4


def test_andreucci_g_limits_and_the_misprint():
    a = jl.analytic
    x = jnp.array([1e-4, 50.0, 500.0])
    g = np.asarray(a.andreucci_g(x))
    assert abs(g[0] - 1) < 1e-4
    xs = np.asarray(x[1:])
    assert np.all(np.abs(g[1:] / (np.pi / (3 * xs)) - 1) < (np.pi / xs) ** 2)  # next term O((pi / x)^2)
    # the printed Eq. 49 agrees at small x only, and turns negative
    assert abs(float(a.andreucci_g_as_printed(1e-3)) - float(a.andreucci_g(1e-3))) < 2e-3
    assert float(a.andreucci_g_as_printed(2.0)) < 0 < float(a.andreucci_g(2.0))


def test_thermal_weight_and_complex_digamma_against_mpmath():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.uniform(0, 30, 40) + 1j * rng.uniform(-40, 40, 40),
                        10 ** rng.uniform(-6, 3, 40) * np.exp(1j * rng.uniform(-1.5, 1.5, 40))])
    ref = np.array([complex(mp.digamma(1 + mp.mpc(v)) - mp.log(mp.mpc(v))) for v in z])
    np.testing.assert_allclose(np.asarray(psi1p_minus_log(jnp.asarray(z))), ref, rtol=1e-12)
    # Q(lam) - (lam/mu) Q(mu) against quadrature of Theta(w) [2 lam/(w^2 - lam^2) - 2 lam/(w^2 - mu^2)]
    mp.mp.dps = 20
    for lam, t in [(1.3 - 0.2j, 0.5), (0.4 - 1.1j, 2.0)]:
        q = np.asarray(thermal_weight(jnp.asarray([lam, 1.7 * lam]), jnp.asarray([t]), 1.0))[0]
        lm = mp.mpc(lam)

        def f(w, lm=lm, t=t):
            th = w / 2 * mp.coth(w / (2 * t)) if w != 0 else t
            return th * (2 * lm / (w**2 - lm**2) - 2 * lm / (w**2 - (1.7 * lm) ** 2))

        ref = complex(mp.quad(f, [-mp.inf, -10, -1, 0, 1, 10, mp.inf]) / (-2j * mp.pi))
        np.testing.assert_allclose(q[0] - q[1] / 1.7, ref, rtol=1e-12)


def test_quantum_flux_gradient_matches_finite_differences():
    s = _systems()["mean-field, unequal masses (secular)"]

    def flux(m):
        return jl.negf_steady_state(jl.System(m, s.coupling, s.baths), hbar=1.0).flux[0]

    g = np.asarray(jax.jit(jax.grad(flux))(s.masses))
    flux = jax.jit(flux)  # one compilation for the twelve evaluations
    h = 1e-5
    fd = [(float(flux(s.masses.at[i].add(h))) - float(flux(s.masses.at[i].add(-h)))) / (2 * h) for i in range(6)]
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)
