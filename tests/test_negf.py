"""Exact classical steady state: structured vs dense vs Lyapunov, conservation, gradients.

Reference systems and their exact results are listed in tests/README.md. Tolerances: both exact
engines are rounding-limited; their agreement is bounded by (condition of the poles) x eps, which the
engine's own `flux_error`/`temperature_error` estimate; we assert against fixed bounds well above those
estimates (printed in failures) and far below any modelling error.
"""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import jaxlangevin as jl


def lyapunov_reference(system):
    """Independent check: covariance from scipy's Bartels-Stewart Lyapunov solver (unique NESS only)."""
    n = system.n_sites
    m = np.asarray(system.masses)
    phi = np.asarray(system.stiffness())
    gam = np.asarray(system.site_friction())
    a = np.block([[np.zeros((n, n)), np.eye(n)], [-phi / m[:, None], -np.diag(gam / m)]])
    noise = np.zeros(n)
    for b in system.baths:
        noise[list(b.sites)] += 2 * float(b.gamma) * float(b.temperature)
    bmat = np.zeros((2 * n, 2 * n))
    bmat[n:, n:] = np.diag(noise / m**2)
    c = scipy.linalg.solve_continuous_lyapunov(a, -bmat)
    v2 = np.diag(c)[n:]
    flux = [sum(float(b.gamma) * (float(b.temperature) / m[i] - v2[i]) for i in b.sites) for b in system.baths]
    return np.array(flux), m * v2


def quiet(f, *a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return f(*a)


MASSES = {
    "uniform": lambda n: jl.masses.uniform(n, 1.0),
    "graded": lambda n: jl.masses.graded(n, 1.0, 0.3),
    "random": lambda n: jl.masses.random(jax.random.key(3), n, 1.0, 0.3),
    "blocks": lambda n: jnp.tile(jnp.array([1.0, 2.0, 1.5]), n)[:n],
}
COUPLINGS = {
    "mf": lambda: jl.MeanField(1.0),
    "mf_pin_walls": lambda: jl.MeanField(1.0, kac="N") + jl.Pinning(0.3) + jl.FixedWalls(0.5),
    "mf_kac1": lambda: jl.MeanField(0.1, kac="1") + jl.Pinning(0.02),
}
BATHS = {
    "intensive": lambda n: jl.intensive(n, (1.5, 0.5), 1.0),
    "extensive": lambda n: jl.extensive(n, (0.25, 0.25), (1.5, 0.5), (0.7, 0.4)),
    "three_overlapping": lambda n: (
        jl.OhmicBath((0,), 1.0, 1.5), jl.OhmicBath((0, 3), 0.5, 0.2), jl.OhmicBath((5,), 2.0, 0.7)
    ),
}


CASES = [
    ("random", "mf", "intensive"), ("random", "mf_pin_walls", "extensive"), ("random", "mf_kac1", "three_overlapping"),
    ("graded", "mf", "three_overlapping"), ("graded", "mf_pin_walls", "intensive"), ("graded", "mf_kac1", "extensive"),
    ("uniform", "mf", "intensive"), ("uniform", "mf_pin_walls", "extensive"),
    ("blocks", "mf_kac1", "three_overlapping"),
]


@pytest.mark.parametrize("mname, cname, bname", CASES)
def test_structured_equals_dense_modal(mname, cname, bname):
    n = 9
    s = jl.System(MASSES[mname](n), COUPLINGS[cname](), BATHS[bname](n))
    a = quiet(jl.negf_steady_state, s)
    assert a.method == "secular-residues"
    b = quiet(jl.negf_steady_state, jl.System(s.masses, jl.Dense(s.stiffness()), s.baths))
    assert b.method == "modal-residues"
    if mname in ("uniform", "blocks"):
        # equal bulk masses: the dense engine sees degenerate dark modes whose eigenvectors are
        # ill-defined; only the structured engine's energy balance is then meaningful
        assert abs(float(a.energy_balance)) < 1e-13
        return
    scale = float(jnp.max(jnp.abs(b.flux)))
    np.testing.assert_allclose(a.flux, b.flux, rtol=0, atol=1e-10 * scale)
    np.testing.assert_allclose(a.temperature, b.temperature, rtol=0, atol=1e-10)
    assert np.all(np.asarray(a.temperature_error) < 1e-8)


# pinned: an unpinned chain has a zero mode, which makes the Lyapunov equation singular (scipy then
# returns a non-conserving answer) while the residue engines drop it exactly
@pytest.mark.parametrize("coupling", [jl.MeanField(1.0) + jl.Pinning(0.02), jl.NearestNeighbour(1.0) + jl.Pinning(0.05),
                                      jl.PowerLaw(1.0, 0.5) + jl.Pinning(0.05),
                                      jl.MeanField(1.0) + jl.NearestNeighbour(1.0) + jl.FixedWalls(0.5)])
@pytest.mark.parametrize("mname", ["graded", "random"])
def test_against_scipy_lyapunov(mname, coupling):
    n = 12
    s = jl.System(MASSES[mname](n), coupling, jl.intensive(n, (1.5, 0.5), 0.5))
    ss = quiet(jl.negf_steady_state, s)
    flux, temp = lyapunov_reference(s)
    np.testing.assert_allclose(ss.flux, flux, rtol=1e-9)
    np.testing.assert_allclose(ss.temperature, temp, rtol=1e-8)


def test_conservation_and_equilibrium():
    n = 16
    m = jl.masses.random(jax.random.key(1), n, 1.0, 0.4)
    s = jl.System(m, jl.MeanField(1.0) + jl.Pinning(0.1), jl.extensive(n, (0.25, 0.25), (1.5, 0.5), 1.0))
    ss = quiet(jl.negf_steady_state, s)
    assert abs(float(ss.energy_balance)) < 1e-12 * float(jnp.abs(ss.flux).max()) + 1e-15
    assert float(ss.flux[0]) > 0 > float(ss.flux[1])  # heat flows from hot to cold
    eq = jl.System(m, s.coupling, jl.extensive(n, (0.25, 0.25), (0.8, 0.8), 1.0))
    se = quiet(jl.negf_steady_state, eq)
    np.testing.assert_allclose(se.flux, 0.0, atol=1e-13)
    np.testing.assert_allclose(se.temperature, 0.8, rtol=1e-10)  # equipartition


def test_single_oscillator_between_two_baths():
    # Panasyuk et al.'s geometry with Ohmic baths: both baths on the one site; exact result
    # T = (g1 T1 + g2 T2)/(g1 + g2) and J_1 = g1 g2 (T1 - T2)/((g1 + g2) m)
    g1, g2, t1, t2, m = 0.3, 0.7, 2.0, 0.5, 1.7
    s = jl.System(jnp.array([m]), jl.Pinning(1.0), [jl.OhmicBath(0, g1, t1), jl.OhmicBath(0, g2, t2)])
    ss = jl.negf_steady_state(s)
    np.testing.assert_allclose(ss.temperature, [(g1 * t1 + g2 * t2) / (g1 + g2)], rtol=1e-12)
    np.testing.assert_allclose(ss.flux[0], g1 * g2 * (t1 - t2) / ((g1 + g2) * m), rtol=1e-12)


def test_equal_mass_mean_field_from_rest_bulk_temperature():
    # Andreucci Sec. 3.3: from rest the bulk of the equal-mass model stays cold, ~(T_L + T_R)/(2N)
    n = 64
    s = jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0), jl.intensive(n, (1.5, 0.5), 0.5))
    ss = jl.negf_steady_state(s)
    assert isinstance(ss.start, jl.AtRest)
    bulk = np.asarray(ss.temperature[1:-1])
    np.testing.assert_allclose(bulk, bulk[0], rtol=1e-12)  # all bulk sites equivalent
    assert 0.5 < bulk[0] / (2.0 / (2 * n)) < 2.0


def test_structured_transmission_equals_dense(getkey):
    n = 7
    omega = jnp.linspace(0.01, 3.0, 17)
    for coupling in [jl.MeanField(1.0) + jl.Pinning(0.2), jl.NearestNeighbour(1.0) + jl.Pinning(0.1)]:
        baths = jl.extensive(n, (0.3, 0.3), (1, 0), (0.5, 0.9))
        s = jl.System(jl.masses.random(getkey(), n, 1.0, 0.3), coupling, baths)
        tr = jl.transmission(s, omega, 0, 1)
        tr_dense = jl.transmission(jl.System(s.masses, jl.Dense(s.stiffness()), s.baths), omega, 0, 1)
        np.testing.assert_allclose(tr, tr_dense, rtol=1e-10)
        g = jl.green(s, omega)
        gam = [0.5, 0.9]
        by_hand = 4 * omega**2 * gam[0] * gam[1] * jnp.sum(jnp.abs(g[:, :2, -2:]) ** 2, axis=(1, 2))
        np.testing.assert_allclose(tr, by_hand, rtol=1e-10)


def _flux(m, gamma, k, k0, tl):
    n = m.shape[0]
    s = jl.System(m, jl.MeanField(k) + jl.Pinning(k0), jl.intensive(n, (tl, 0.5), gamma))
    return jl.negf_steady_state(s).flux[0]


#: the same, compiled once per mass shape: the finite-difference loops call it many times (eagerly each
#: call would dispatch the pole iteration op by op, seconds per call)
_flux_jit = jax.jit(_flux)


def test_gradients_match_finite_differences():
    # central differences, step h: truncation ~h^2 |f'''| ~ 1e-10, rounding ~eps |f|/h ~ 1e-11: 1e-6 rtol is safe
    m = jl.masses.random(jax.random.key(5), 8, 1.0, 0.3)
    args = (m, 1.0, 1.0, 0.1, 1.5)
    grads = jax.grad(_flux, argnums=(0, 1, 2, 3, 4))(*args)
    h = 1e-5
    for i, g in enumerate(grads):
        base = list(args)
        if i == 0:
            fd = [(_flux_jit(m.at[j].add(h), *args[1:]) - _flux_jit(m.at[j].add(-h), *args[1:])) / (2 * h)
                  for j in range(8)]
        else:
            up, dn = list(base), list(base)
            up[i] += h
            dn[i] -= h
            fd = (_flux_jit(*up) - _flux_jit(*dn)) / (2 * h)
        np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-12)


def test_temperature_jacobian_and_jit():
    m = jl.masses.random(jax.random.key(6), 6, 1.0, 0.3)

    @jax.jit
    def temps(m):
        s = jl.System(m, jl.MeanField(1.0) + jl.Pinning(0.1), jl.intensive(6, (1.5, 0.5), 1.0))
        return jl.negf_steady_state(s).temperature

    jac = jax.jit(jax.jacrev(temps))(m)
    h = 1e-5
    fd = np.stack([(temps(m.at[i].add(h)) - temps(m.at[i].add(-h))) / (2 * h) for i in range(6)], axis=1)
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-9)


def test_equal_mass_gradient():
    # at equal masses the two end sites form groups with equal a(w) (collective-mode path); the flux
    # is smooth and mirror-symmetric: dJ/dm_0 = dJ/dm_{N-1}. FD step 1e-4 keeps the near-coincidence
    # rounding (~1e-16/1e-4 relative) below the 1e-5 tolerance.
    m = jl.masses.uniform(6)
    g = jax.jit(jax.grad(_flux))(m, 1.0, 1.0, 0.1, 1.5)
    h = 1e-4
    fd = np.array([(_flux_jit(m.at[i].add(h), 1.0, 1.0, 0.1, 1.5) - _flux_jit(m.at[i].add(-h), 1.0, 1.0, 0.1, 1.5))
                   / (2 * h) for i in range(6)])
    np.testing.assert_allclose(g, fd, rtol=1e-5)
    assert abs(float(g[0] - g[-1])) < 1e-12


def test_jit_equals_eager_when_masses_are_equal_but_one():
    """Regression: under tracing the mean-field groups are padded to N; undamped padding groups resonated
    at the placeholder of inactive poles and made every result NaN (masses equal except one)."""
    def ss(m):
        return jl.negf_steady_state(jl.System(m, jl.MeanField(1.0) + jl.Pinning(0.1), jl.intensive(6, (1.5, 0.5), 1.0)))

    m = jl.masses.uniform(6).at[0].add(1e-3)
    eager, traced = ss(m), jax.jit(ss)(m)
    np.testing.assert_allclose(traced.flux, eager.flux, rtol=1e-12)
    np.testing.assert_allclose(traced.temperature, eager.temperature, rtol=1e-10)


def test_vmap_over_temperature_equals_loop():
    m = jl.masses.random(jax.random.key(7), 10, 1.0, 0.3)
    tls = jnp.array([0.5, 1.0, 2.0])
    batched = jax.vmap(lambda t: _flux(m, 1.0, 1.0, 0.1, t))(tls)
    looped = jnp.array([_flux_jit(m, 1.0, 1.0, 0.1, t) for t in tls])
    np.testing.assert_allclose(batched, looped, rtol=1e-12)
    np.testing.assert_allclose(looped, looped[1] / 0.5 * (tls - 0.5), rtol=1e-10)  # linear in dT


def test_reports_slowest_relaxation_and_warns_when_unresolved():
    s = jl.System(jl.masses.uniform(8), jl.MeanField(1.0), jl.intensive(8, (1.5, 0.5), 1.0))
    ss = jl.negf_steady_state(s)
    assert 1.0 < float(ss.slowest_relaxation_time) < 1e3
    # two nearly equal bulk masses make a nearly dark mode: relaxation time >~ 1/(dm)^2
    m = jl.masses.graded(8, 1.0, 0.2).at[3].set(1.0).at[4].set(1.0 + 1e-7)
    with pytest.warns(RuntimeWarning, match="cannot resolve"):
        ss = jl.negf_steady_state(jl.System(m, jl.MeanField(1.0), jl.intensive(8, (1.5, 0.5), 1.0)))
    assert float(ss.slowest_relaxation_time) > 1e10
    assert abs(float(ss.energy_balance)) < 1e-12


def landauer_mpmath(masses, k, kac, k0, gamma, t_left, t_right, dps=30):
    """Independent reference: J_L = (2 gamma^2 / pi)(T_L - T_R) int_0^inf w^2 |G_{0,N-1}(w)|^2 dw
    (CONVENTIONS "Classical steady state", intensive Ohmic baths) by mpmath tanh-sinh quadrature at
    ``dps`` digits. The interval is split at every resonance w_k and at w_k +- (1, 4, 16, 64) x its
    width, taken from numpy's eigenvalues of the damped drift matrix, so no peak can be missed;
    G_{0,N-1} is evaluated in mpmath by Sherman-Morrison (nothing shared with the engine)."""
    import mpmath as mp

    n = len(masses)
    u = k / {"N-1": n - 1, "N": n, "1": 1}[kac]
    phi = (n * u + k0) * np.eye(n) - u * np.ones((n, n))
    fr = np.zeros(n)
    fr[[0, -1]] = gamma
    a = np.block([[np.zeros((n, n)), np.eye(n)], [-phi / masses[:, None], -np.diag(fr / masses)]])
    pts = {0.0}
    for lam in 1j * np.linalg.eigvals(a):
        if lam.real > 0:
            width = max(-lam.imag, 1e-14)
            pts.update(x for j in (0, 1, 4, 16, 64) for x in (lam.real - j * width, lam.real + j * width) if x > 0)
    pts = sorted(pts)
    with mp.workdps(dps):
        m = [mp.mpf(float(x)) for x in masses]
        uu = mp.mpf(k) / {"N-1": n - 1, "N": n, "1": 1}[kac]
        c, g = n * uu + mp.mpf(k0), mp.mpf(gamma)

        def integrand(w):
            x = [1 / (c - w * w * m[i] - (1j * w * g if i in (0, n - 1) else 0)) for i in range(n)]
            return w * w * abs(uu * x[0] * x[-1] / (1 - uu * mp.fsum(x))) ** 2

        top = mp.mpf(2 * pts[-1] + 1)
        val = mp.quad(integrand, [mp.mpf(p) for p in pts] + [top]) + mp.quad(integrand, [top, mp.inf])
        return float(2 * g * g / mp.pi * (mp.mpf(t_left) - mp.mpf(t_right)) * val)


@pytest.mark.parametrize("mname, k, kac, k0", [("random", 1.0, "N-1", 0.0), ("graded", 0.7, "1", 0.3)])
def test_flux_against_high_precision_quadrature(mname, k, kac, k0):
    """Secular-residue flux == 30-digit quadrature of the Landauer integral to 1e-12 (N = 16).

    Rounding bound: the engine's own ``flux_error`` (~1e-12 relative here; the observed agreement is
    ~1e-14); the reference is exact to ~1e-25.
    """
    n = 16
    masses = MASSES[mname](n)
    s = jl.System(masses, jl.MeanField(k, kac=kac) + jl.Pinning(k0), jl.intensive(n, (1.5, 0.5), 1.0))
    ss = quiet(jl.negf_steady_state, s)
    assert ss.method == "secular-residues"
    ref = landauer_mpmath(np.asarray(masses), k, kac, k0, 1.0, 1.5, 0.5)
    err = abs(float(ss.flux[0]) - ref)
    assert err <= 1e-12 * abs(ref), (err, float(ss.flux_error[0]), ref)


def test_eager_calls_do_not_recompile_for_new_values(backend_compiles):
    """Called on concrete values (a Python loop over parameters), the engine compiles its pole search and
    residue sums once per shape: new masses, gamma and temperatures compile nothing, classical or quantum.
    Before, every eager call recompiled its loops: ~0.8 s per call at N = 16."""

    def system(gamma, t_left, seed):
        return jl.System(jl.masses.random(jax.random.key(seed), 12, 1.0, 0.3), jl.MeanField(1.0) + jl.Pinning(0.5),
                         jl.intensive(12, temperatures=(t_left, 0.5), gamma=gamma))

    for hbar in (None, 1.0):
        jl.negf_steady_state(system(1.0, 1.5, 0), hbar=hbar).flux.block_until_ready()
    jl.thermal_conductance(system(1.0, 1.5, 0), 1.0, hbar=1.0).block_until_ready()
    before = backend_compiles()
    for gamma, t_left, seed in [(0.7, 2.0, 1), (1.3, 1.1, 2)]:
        for hbar in (None, 1.0):
            jl.negf_steady_state(system(gamma, t_left, seed), hbar=hbar).flux.block_until_ready()
        jl.thermal_conductance(system(gamma, t_left, seed), 0.8, hbar=1.0).block_until_ready()
    assert backend_compiles() == before
