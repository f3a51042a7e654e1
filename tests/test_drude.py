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

    g = float(jax.jit(jax.grad(flux))(4.0))
    flux = jax.jit(flux)  # one compilation for both evaluations (eagerly each is dispatched op by op)
    h = 1e-4
    fd = (float(flux(4.0 + h)) - float(flux(4.0 - h))) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6)


def test_white_noise_engines_refuse_drude_baths_and_name_the_one_that_handles_them():
    s = _systems()["chain, Drude left, Ohmic right"]
    for call in (lambda: jl.lyapunov_steady_state(s), lambda: jl.covariance_evolution(s, jl.AtRest(), [1.0])):
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


# --- potential (configurational) quantities: <q_n^2>, Panasyuk's T_x and T_p (Eq. 63-73) ---------------


def _position_quadrature(system, hbar):
    """<q_n^2> = sum_b (1/pi) int_0^inf dw 2 Theta_b(w) Re gammaTilde_b(w) sum_{j in S_b} |G_nj(w)|^2 (the
    CONVENTIONS <v_n^2> integral without w^2; Theta_b = T_b classically) for every site at once, by scipy
    quad_vec (epsrel 1e-12) with a dense G and each bath's own kernel, split at the normal-mode frequencies."""
    from scipy.integrate import quad_vec

    phi, m = np.asarray(system.stiffness()), np.asarray(system.masses)
    kernels = [(list(b.sites), float(b.gamma), float(b.temperature),
                float(b.cutoff) if isinstance(b, jl.DrudeBath) else np.inf) for b in system.baths]

    def f(w):
        z = (phi - w * w * np.diag(m)).astype(complex)
        for sites, gam, _, d in kernels:
            z[sites, sites] += -1j * w * (gam if np.isinf(d) else gam * d / (d - 1j * w))
        g = np.linalg.inv(z)
        out = np.zeros(len(m))
        for sites, gam, t, d in kernels:
            re = gam if np.isinf(d) else gam * d * d / (d * d + w * w)
            theta = t if hbar is None or w == 0 else hbar * w / 2 / np.tanh(hbar * w / (2 * t))
            out += 2 * theta * re * np.sum(np.abs(g[:, sites]) ** 2, axis=1)
        return out / np.pi

    poles = sorted(np.sqrt(np.abs(np.linalg.eigvals(np.linalg.solve(np.diag(m), phi)))))
    top = 50 * poles[-1] + 50
    pts = sorted({0.0, *poles, top})
    return sum(quad_vec(f, a, b, epsabs=0, epsrel=1e-12, limit=2000)[0] for a, b in zip(pts[:-1], pts[1:])) + \
        quad_vec(f, top, np.inf, epsabs=0, epsrel=1e-12, limit=500)[0]


@pytest.mark.parametrize("name", ["one oscillator between two Drude baths (Panasyuk)",
                                  "chain, Drude left, Ohmic right"])
@pytest.mark.parametrize("hbar", [None, 1.0])
def test_position_variance_agrees_with_quadrature(name, hbar):
    """The embedded engine's <q_n^2> (the q rows of the covariance it already assembles) against quadrature,
    classical and quantum; finite at the Ohmic site 3 in the quantum case (integrand ~ w^-4), where <v^2>
    diverges. Measured: 1e-15 to 6e-14."""
    s = _systems()[name]
    r = jl.negf_steady_state(s, hbar=hbar)
    np.testing.assert_allclose(r.position_variance, _position_quadrature(s, hbar), rtol=1e-10)


# (T1, T2, gamma1, gamma2, D): weak coupling at low and high D, gamma1 != gamma2, strong coupling, the
# intermediate-plateau regime D << omega0, zero temperature, and a strongly overdamped case
_PANASYUK_T = [(1.5, 0.5, 0.5, 0.3, 3.0), (1.0, 1.0, 0.05, 0.05, 10.0), (1.0, 2.0, 5.0, 5.0, 1.0),
               (0.1, 0.05, 0.05, 0.05, 0.01), (0.0, 0.0, 0.4, 0.1, 0.5), (0.02, 3.0, 50.0, 50.0, 20.0)]


def test_panasyuk_kinetic_and_potential_temperatures():
    """Panasyuk et al. Eq. 63-67 (roots of Eq. 21, Eq. 66 corrected, Eq. 67 by Binet's integral, the
    gamma1 != gamma2 weights) against the engine, T_p = m <v^2> and T_x = m omega0^2 <q^2> (measured
    <= 3e-14, 1e-12 at D = 0.01); the classical engine gives T_x = T_p = (gamma1 T1 + gamma2 T2) / gamma
    exactly (any coupling); at equilibrium and hbar -> 0 the closed forms give T; Eq. 72 at weak coupling
    (gamma_hat_D / omega0 = 0.02, D = 10: T_p is off by +1.1%, T_x by -0.03%; the zero-point part of T_p
    carries (hbar gamma_hat_D / pi) ln(D / omega0)-type corrections)."""
    a = jl.analytic
    for t1, t2, g1, g2, d in _PANASYUK_T:
        s = _panasyuk(d, g1, g2, t1, t2)
        q = jl.negf_steady_state(s, hbar=1.0)
        t_p, t_x = a.panasyuk_temperatures(t1, t2, 1.0, g1, g2, d)
        np.testing.assert_allclose([float(q.temperature[0]), float(q.position_variance[0])], [t_p, t_x], rtol=1e-10)
        assert t_p > t_x  # the paper's Fig. 2: Delta T_px > 0 at any finite coupling
        c = jl.negf_steady_state(s)
        mean = (g1 * t1 + g2 * t2) / (g1 + g2)
        # measured <= 3e-15, 1.1e-12 at D = 0.01 (the engine's rounding: slow poles ~ D next to omega0)
        np.testing.assert_allclose([float(c.temperature[0]), float(c.position_variance[0])], mean, rtol=1e-10)
    # T_p - T ~ hbar^2 <w^2> / (12 T), <w^2> ~ gamma_hat D = 9: ~1e-10 at hbar = 1e-5 (measured 1.7e-10)
    np.testing.assert_allclose(a.panasyuk_temperatures(0.7, 0.7, 1.0, 2.0, 1.0, 3.0, hbar=1e-5), 0.7, rtol=1e-9)
    # Eq. 72: T_x ~ T_p ~ (U(T1) + U(T2))/2 at gamma_hat_D << omega0; Eq. 73 at T >> hbar omega0
    t_p, t_x = a.panasyuk_temperatures(1.0, 0.5, 1.0, 0.01, 0.01, 10.0)
    u = a.panasyuk_temperature_weak_coupling(1.0, 0.5, 1.0)
    assert abs(t_p / u - 1) < 0.02 and abs(t_x / u - 1) < 0.02
    assert abs(a.panasyuk_temperature_weak_coupling(300.0, 100.0, 1.0) / 200.0 - 1) < 1e-5


def test_panasyuk_eq66_misprint_and_eq67():
    """Eq. 66 against scipy quadrature of its own integral at the roots of Eq. 21: the principal-Log form
    agrees to 1e-12; the printed a = (mu_r^2 - mu_i^2)/(mu_r mu_i) misses a factor 2 (wrong imaginary part
    at the complex roots) and with sign(0) = 0 adds i pi/2 / (2 (1 - mu_hat^2)) at the real root. Eq. 67's
    closed form (Binet) against its integral, both branches of |z| = |tau_h mu / 2 pi| around 10."""
    from scipy.integrate import quad

    from jaxlangevin.analytic import panasyuk as p

    def cquad(f):
        return complex(*(quad(lambda x: (f(x) * u).real, 0, np.inf, epsabs=0, epsrel=1e-13, limit=500)[0]
                         for u in (1, -1j)))

    mu, _ = jl.analytic.panasyuk_roots(1.0, 0.25, 0.25, 3.0)  # one real root, one complex pair
    mh = mu / 3.0
    exact = np.array([cquad(lambda x, a=a: x / ((x * x + 1) * (x * x + a * a))) for a in mh])
    np.testing.assert_allclose(p._i_n(mh), exact, rtol=1e-12)
    # numerators 2 (1 - mu_hat^2) I_n = -Log(mu_hat^2): the printed one has the right modulus (real part) and
    # the wrong argument (imaginary part), off by ~0.2 at the complex pair and by pi/2 at the real root
    num, num_printed = (2 * (1 - mh**2) * i for i in (exact, p._i_n_as_printed(mh)))
    np.testing.assert_allclose(num_printed.real, num.real, rtol=1e-12)
    assert np.all(np.abs(num_printed.imag - num.imag) > 0.1)
    np.testing.assert_allclose(num_printed.imag[0] - num.imag[0], np.pi / 2, rtol=1e-12)
    for c in (0.3, 2.0 + 5.0j, 60.0 - 70.0j, 200.0):
        ref = cquad(lambda x, c=c: x / (np.expm1(x) * (x * x + c * c)) if 0 < x < 700 else (x == 0) / c**2)
        np.testing.assert_allclose(p._i_n_nu(c), ref, rtol=1e-11)


def test_position_variance_diverges_without_pinning_and_is_differentiable():
    """A free particle (no spring) diffuses: <q^2> = +inf while <v^2> stays finite. Classically T_x =
    (gamma1 T1 + gamma2 T2) / gamma, so dT_x/dgamma1 = (T1 - T_x) / gamma exactly (jit + grad: 2 s)."""
    free = jl.System(jnp.array([1.0]), jl.Pinning(0.0), _panasyuk(3.0, 0.5, 0.3, 1.5, 0.5).baths)
    for hbar in (None, 1.0):
        r = jl.negf_steady_state(free, hbar=hbar)
        assert np.isinf(float(r.position_variance[0])) and np.isfinite(float(r.temperature[0]))

    @jax.jit
    @jax.value_and_grad
    def t_x(g):
        return jl.negf_steady_state(_panasyuk(3.0, g, 0.3, 1.5, 0.5)).position_variance[0]

    val, grad = t_x(0.5)
    np.testing.assert_allclose([float(val), float(grad)], [1.125, (1.5 - 1.125) / 0.8], rtol=1e-12)


@pytest.mark.slow
def test_quantum_position_variance_gradient_matches_finite_differences():
    """d T_x / d gamma1 of the quantum engine (the Q weights and eigenvectors differentiated) against central
    differences, step 1e-4 (truncation ~1e-8). ~10 s (compilation)."""
    @jax.jit
    @jax.value_and_grad
    def t_x(g):
        return jl.negf_steady_state(_panasyuk(3.0, g, 0.3, 1.5, 0.5), hbar=1.0).position_variance[0]

    h = 1e-4
    fd = (float(t_x(0.5 + h)[0]) - float(t_x(0.5 - h)[0])) / (2 * h)
    np.testing.assert_allclose(float(t_x(0.5)[1]), fd, rtol=1e-6)
