"""The Lyapunov engine against the Green's-function engine, scipy's Bartels-Stewart solver and finite
differences. Tolerances: flux 1e-10 and temperatures 1e-8 relative (issue 4) where the slowest coupled
mode relaxes within ~1e8 time units; both engines are exact up to rounding (measured agreement 1e-14
to 1e-13 on these systems, N <= 64)."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import jaxlangevin as jl  # noqa: E402

MASSES = jnp.array([1.0, 0.6, 1.5, 0.8, 1.3, 0.7])


def _systems():
    rand = jnp.asarray(np.random.default_rng(3).uniform(0.5, 1.5, 48))
    return {
        "mean-field, unequal masses": jl.System(MASSES, jl.MeanField(1.0) + jl.Pinning(0.1),
                                                jl.intensive(6, (1.5, 0.5), 1.0)),
        "mean-field, graded masses": jl.System(jl.masses.graded(64, 1.0, 0.4), jl.MeanField(0.1) + jl.Pinning(0.02),
                                               jl.intensive(64, (1.5, 0.5), 1.0)),
        "mean-field, random masses, extensive": jl.System(rand, jl.MeanField(1.0, kac="N") + jl.Pinning(0.05),
                                                          jl.extensive(48, (0.25, 0.25), (1.2, 0.8), 0.5)),
        "equal-mass mean-field (dark bulk, from rest)": jl.System(jnp.ones(32), jl.MeanField(1.0) + jl.Pinning(0.1),
                                                                 jl.intensive(32, (1.5, 0.5), 1.0)),
        "pinned chain, graded": jl.System(jl.masses.graded(32, 1.0, 0.3), jl.NearestNeighbour(1.0) + jl.Pinning(0.1),
                                          jl.intensive(32, (1.5, 0.5), 1.0)),
        "chain between walls, three baths": jl.System(
            jl.masses.graded(12, 1.0, 0.5), jl.NearestNeighbour(1.0) + jl.FixedWalls(1.0),
            [jl.OhmicBath((0,), 1.0, 1.5), jl.OhmicBath((5, 6), 0.3, 1.0), jl.OhmicBath((11,), 2.0, 0.5)]),
        "power law, pinned": jl.System(jl.masses.graded(16, 1.0, 0.3), jl.PowerLaw(1.0, 1.5) + jl.Pinning(0.5),
                                       jl.intensive(16, (1.5, 0.5), 1.0)),
    }


@pytest.mark.parametrize("name", list(_systems()))
def test_agrees_with_negf(name):
    s = _systems()[name]
    ly = jl.lyapunov_steady_state(s, init=jl.AtRest())  # negf describes the start from rest
    ng = jl.negf_steady_state(s)
    assert float(ly.slowest_relaxation_time) < 1e8
    np.testing.assert_allclose(ly.flux, ng.flux, rtol=1e-10, atol=1e-10 * float(jnp.max(jnp.abs(ng.flux))))
    np.testing.assert_allclose(ly.temperature, ng.temperature, rtol=1e-8)
    np.testing.assert_allclose(ly.slowest_relaxation_time, ng.slowest_relaxation_time, rtol=1e-8)
    assert abs(float(ly.energy_balance)) < 1e-12 * float(jnp.max(jnp.abs(ly.flux)))
    assert ly.method == "lyapunov" and isinstance(ly.start, jl.AtRest)
    assert float(jnp.max(ly.flux_error)) < 1e-10 * float(jnp.max(jnp.abs(ly.flux)))


def test_covariance_solves_the_lyapunov_equation_like_scipy():
    """A dense random coupling (no structure): C against scipy.linalg.solve_continuous_lyapunov
    (Bartels-Stewart, real Schur), and the residual A C + C A^T + B."""
    scipy_linalg = pytest.importorskip("scipy.linalg")
    n = 20
    x = np.random.default_rng(5).normal(size=(n, n))
    phi = x @ x.T / n + 0.1 * np.eye(n)
    s = jl.System(jnp.asarray(np.random.default_rng(6).uniform(0.5, 2.0, n)), jl.Dense(jnp.asarray(phi)),
                  [jl.OhmicBath((0, 3), 0.7, 2.0), jl.OhmicBath((n - 1,), 1.3, 0.3)])
    ly = jl.lyapunov_steady_state(s)
    a = np.asarray(s.drift_matrix())
    m = np.asarray(s.masses)
    b = np.zeros(2 * n)
    b[n + np.array([0, 3])] = 2 * 0.7 * 2.0 / m[[0, 3]] ** 2
    b[2 * n - 1] = 2 * 1.3 * 0.3 / m[-1] ** 2
    ref = scipy_linalg.solve_continuous_lyapunov(a, -np.diag(b))
    c = np.asarray(ly.covariance)
    np.testing.assert_allclose(c, ref, atol=1e-11 * np.max(np.abs(ref)))
    assert np.max(np.abs(a @ c + c @ a.T + np.diag(b))) < 1e-13 * np.max(np.abs(b))
    np.testing.assert_array_equal(c, c.T)


@pytest.mark.parametrize("what", ["masses", "gamma", "k"])
def test_gradient_matches_finite_differences(what):
    """Implicit derivative (custom_vjp through the adjoint Lyapunov equation) against central differences
    with step 1e-5: truncation ~1e-10, rounding ~1e-16/1e-5 = 1e-11, so agreement to 1e-7 relative."""

    def build(p):
        masses = p if what == "masses" else MASSES
        gamma = p if what == "gamma" else 1.0
        k = p if what == "k" else 1.0
        return jl.System(masses, jl.MeanField(k) + jl.NearestNeighbour(0.3) + jl.Pinning(0.1),
                         jl.intensive(6, (1.5, 0.5), gamma))

    def observable(p):
        ly = jl.lyapunov_steady_state(build(p))
        return ly.flux[0] + 0.3 * ly.temperature[2]

    p0 = MASSES if what == "masses" else jnp.asarray(0.8)
    grad = np.atleast_1d(np.asarray(jax.grad(observable)(p0)))
    h = 1e-5
    fd = []
    for i in range(grad.size):
        e = jnp.zeros_like(p0).at[i].set(h) if p0.ndim else jnp.asarray(h)
        fd.append((observable(p0 + e) - observable(p0 - e)) / (2 * h))
    np.testing.assert_allclose(grad, np.asarray(fd), rtol=1e-7, atol=1e-9)


def test_refuses_nonlinear_terms_and_empty_baths():
    with pytest.raises(ValueError, match="simulate"):
        jl.lyapunov_steady_state(jl.System(MASSES, jl.MeanField(1.0) + jl.OnSiteQuartic(1.0),
                                           jl.intensive(6, (1.5, 0.5), 1.0)))
    with pytest.raises(ValueError, match="no baths"):
        jl.lyapunov_steady_state(jl.System(MASSES, jl.MeanField(1.0), []))


class _ExponentialMemoryBath(jl.AbstractBath):
    """A user-defined colored bath (kernel gamma D / (D - i omega)): not white noise."""

    def __init__(self, sites, gamma, temperature):
        self.sites, self.gamma, self.temperature = tuple(sites), jnp.asarray(gamma), jnp.asarray(temperature)

    def friction_kernel(self, omega):
        return self.gamma * 5.0 / (5.0 - 1j * omega)


def test_refuses_baths_that_are_not_white_noise():
    """Issue 4 item 5: the Lyapunov engine is exact for Ohmic (white-noise) baths only; any other bath is
    refused by name, at the call, with the engine named."""
    s = jl.System(MASSES, jl.MeanField(1.0), [jl.OhmicBath((0,), 1.0, 1.5), _ExponentialMemoryBath((5,), 1.0, 0.5)])
    for call in (lambda: jl.lyapunov_steady_state(s), lambda: jl.covariance_evolution(s, jl.AtRest(), [1.0])):
        with pytest.raises(ValueError, match=r"`baths\[1\]` is _ExponentialMemoryBath; the Lyapunov engine"):
            call()


def test_power_law_transient_over_ten_decades_agrees_with_van_loan_doubling():
    """Andreucci Fig. 3 power law (sigma = -0.5, m = 1, gamma = 0.5), N = 16 so that it runs in CI: from rest
    the bulk warms over many decades (relaxation times 5 .. 3e11 and beyond double precision) and is still
    far from the flat profile (T_L + T_R)/2 = 1 at t = 1e10, the long-time limit from Thermal(1).

    Independent method: C(h) by Van Loan's block exponential (scipy expm, h = 1/16), then exact doubling
    C(2t) = Phi(t) C(t) Phi(t)^T + C(t), Phi(2t) = Phi(t)^2 (no eigenvectors). Error estimate: doubling
    amplifies rounding as eps t / h, the eigen-decomposition as eps kappa(V) |A| t; tolerance 10x their sum
    times the largest temperature."""
    from scipy.linalg import expm

    n, g = 16, 0.5
    s = jl.System(jl.masses.uniform(n), jl.PowerLaw.from_andreucci(1.0, -0.5), jl.intensive(n, (1.5, 0.5), g))
    a = np.asarray(s.drift_matrix())
    b = np.zeros_like(a)
    b[n, n], b[-1, -1] = 2 * g * 1.5, 2 * g * 0.5
    h = 2.0**-4
    e = expm(np.block([[-a, b], [np.zeros_like(a), a.T]]) * h)
    phi, times, temps = e[2 * n:, 2 * n:].T, [h], []
    c = phi @ e[: 2 * n, 2 * n:]
    temps.append(np.diag(c)[n:])
    while times[-1] < 1e10:
        c, phi = phi @ c @ phi.T + c, phi @ phi
        times.append(2 * times[-1])
        temps.append(np.diag(c)[n:])
    times, temps = np.array(times), np.array(temps)
    ev = jl.covariance_evolution(s, jl.AtRest(), times)
    kappa = np.linalg.cond(np.linalg.eig(a)[1])
    eps = np.finfo(float).eps
    tol = 10 * eps * (1 / h + kappa * np.linalg.norm(a, 2)) * times * 1.5
    err = np.max(np.abs(np.asarray(ev.temperature) - temps), axis=1)
    assert np.all(err < tol), np.max(err / tol)
    bulk = np.asarray(ev.temperature)[:, 1:-1].mean(axis=1)
    assert np.all(np.diff(bulk) > 0)  # still warming in every octave from 1/16 to 1e10
    assert 0.5 < bulk[-1] < 0.85
    with pytest.warns(RuntimeWarning, match="double precision cannot resolve"):  # errors ~5e-6 at the centre
        hot = jl.lyapunov_steady_state(s, init=jl.Thermal(1.0))
    # mirror symmetry and linearity in (T_L, T_R): T_n + T_{N-1-n} = T_L + T_R exactly, so the bulk mean is 1;
    # the profile is flat to 1.5e-2 next to the baths and 1.3e-3 beyond (the paper's flat profile)
    t, terr = np.asarray(hot.temperature), np.asarray(hot.temperature_error)
    assert np.all(np.abs(t + t[::-1] - 2.0) <= terr + terr[::-1] + 1e-12)
    assert np.max(np.abs(t[1:-1] - 1)) < 1.5e-2 and np.max(np.abs(t[2:-2] - 1)) < 1.3e-3
    assert ev.relaxation_times[0] > 1e11


def test_bath_decoupled_modes_need_a_start():
    """Equal-mass mean-field (Andreucci Fig. 2: N = 32, gamma = 0.5, k_A = 1): N - 3 relative bulk modes
    never reach a bath. Without a start the engine refuses; from rest it is negf's steady state; from
    Thermal(T0) each dark mode keeps kinetic energy T0/2, spread over the N - 2 bulk sites:
    T_bulk = T_rest + (1 - 1/(N - 2)) T0 exactly (the same closed form the simulator is tested against)."""
    n, t0 = 32, 1.0
    s = jl.System(jl.masses.uniform(n), jl.MeanField.from_andreucci(1.0), jl.intensive(n, (1.5, 0.5), 0.5))
    with pytest.raises(ValueError, match="29 modes never reach a bath"):
        jl.lyapunov_steady_state(s)
    rest = jl.lyapunov_steady_state(s, init=jl.AtRest())
    hot = jl.lyapunov_steady_state(s, init=jl.Thermal(t0))
    ng = jl.negf_steady_state(s)
    assert rest.decoupled_frequencies.shape == (n - 3,)
    np.testing.assert_allclose(rest.temperature, ng.temperature, rtol=1e-10)
    bulk = slice(1, n - 1)
    np.testing.assert_allclose(hot.temperature[bulk], ng.temperature[bulk] + (1 - 1 / (n - 2)) * t0, rtol=1e-10)
    # the bath sites and the fluxes do not depend on the start
    np.testing.assert_allclose(hot.flux, ng.flux, rtol=1e-10)
    assert isinstance(hot.start, jl.Thermal)
    # GivenCovariance of the thermal state is the same start
    c0 = t0 * np.linalg.pinv(np.asarray(s.stiffness()))
    given = np.block([[c0, np.zeros((n, n))], [np.zeros((n, n)), t0 * np.eye(n)]])
    same = jl.lyapunov_steady_state(s, init=jl.GivenCovariance(given))
    np.testing.assert_allclose(same.temperature, hot.temperature, rtol=1e-10)


def test_start_does_not_matter_without_decoupled_modes():
    s = _systems()["mean-field, unequal masses"]
    rest = jl.lyapunov_steady_state(s)
    assert rest.decoupled_frequencies.shape == (0,)
    hot = jl.lyapunov_steady_state(s, init=jl.Thermal(3.0))
    np.testing.assert_allclose(hot.temperature, rest.temperature, rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        jl.lyapunov_steady_state(s, init=jl.GivenCovariance(np.eye(4)))


def test_covariance_evolution_starts_at_init_ends_at_steady_state_and_obeys_the_ode():
    """C(0) = the start, C(t -> inf) = lyapunov_steady_state, and dC/dt = A C + C A^T + B at t = 3 by
    central differences (h = 1e-4: truncation ~h^2 |C'''| ~ 1e-8 of |B|)."""
    s = _systems()["mean-field, unequal masses"]
    ly = jl.lyapunov_steady_state(s)
    ev = jl.covariance_evolution(s, jl.Thermal(2.0), [0.0, 3.0 - 1e-4, 3.0, 3.0 + 1e-4, 1e5], return_covariance=True)
    np.testing.assert_allclose(ev.temperature[0], 2.0, rtol=1e-12)
    np.testing.assert_allclose(ev.temperature[-1], ly.temperature, rtol=1e-10)
    np.testing.assert_allclose(ev.flux[-1], ly.flux, rtol=1e-10)
    np.testing.assert_allclose(ev.relaxation_times[0], ly.slowest_relaxation_time, rtol=1e-10)
    a = np.asarray(s.drift_matrix())
    c = np.asarray(ev.covariance[2])
    b = np.diag(np.concatenate([np.zeros(6), 2 * np.array([1.5, 0, 0, 0, 0, 0.5]) / np.asarray(MASSES) ** 2]))
    dc = (np.asarray(ev.covariance[3]) - np.asarray(ev.covariance[1])) / 2e-4
    assert np.max(np.abs(dc - (a @ c + c @ a.T + b))) < 1e-7 * np.max(np.abs(b))


def test_covariance_evolution_matches_the_simulated_transient():
    """From rest, 4096 trajectories, BAOAB dt = 0.05 (bias ~ (omega dt)^2/4 ~ 1e-3 relative), series of
    block means over 20 steps: each block's kinetic temperature against the exact one averaged over the
    same steps. Tolerance 4 SE with SE <= sqrt(2) T / sqrt(n_traj) (a Gaussian v has var(m v^2) = 2 T^2;
    averaging over the block only lowers it), plus 2e-3 T for the dt bias."""
    s = _systems()["mean-field, unequal masses"]
    n_traj, dt, every, steps = 4096, 0.05, 20, 400
    r = jl.simulate(s, n_traj=n_traj, dt=dt, t_relax=0.0, t_measure=steps * dt, key=jax.random.key(21),
                    record_every=every, progress=False)
    t = (np.arange(steps) + 1) * dt  # the sums take v after each step
    ev = jl.covariance_evolution(s, jl.AtRest(), t)
    exact = np.asarray(ev.temperature).reshape(steps // every, every, 6).mean(axis=1)
    sim = np.asarray(r.series["temperature"])
    band = 4 * np.sqrt(2) * exact / np.sqrt(n_traj) + 2e-3 * exact
    assert np.all(np.abs(sim - exact) < band), np.max(np.abs(sim - exact) / band)
    assert exact[-1, 0] > 10 * exact[0, 3]  # a real transient: the bath site heats long before the bulk
