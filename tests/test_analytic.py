"""Closed forms of ``jaxlangevin.analytic`` against the exact engine and independent references.

Exact formulas are compared with ``jl.negf_steady_state`` / ``jl.transmission`` / ``jl.green`` at the
engine's documented precision, and with two references that do not use the engine: quadrature of
CONVENTIONS' frequency integrals with a dense G (small N), and the Lyapunov equation of the three
collective coordinates (any N; see ``_collective_lyapunov``). Asymptotic formulas (large N) are
checked for their convergence rate.
"""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.linalg as sla  # noqa: E402
from scipy.integrate import quad  # noqa: E402

import jaxlangevin as jl  # noqa: E402
import jaxlangevin.analytic as an  # noqa: E402

EPS = np.finfo(np.float64).eps
TL, TR = 1.5, 0.5

# Engine precision (``jl.negf_steady_state`` docstring): flux ~1e-12 relative, temperatures 1e-8
# (TEMPERATURE_RTOL, above which it warns). The closed forms are exact to a few ulps, so the
# comparison tolerances are the engine's: 1e-10 for fluxes (100x margin), 1e-8 for temperatures.
FLUX_RTOL = 1e-10
TEMP_RTOL = 1e-8


def _system(N, k=1.0, kac="N-1", m=1.0, gamma=1.0, k0=0.0, n_left=1, n_right=1, T=(TL, TR)):
    coupling = jl.MeanField(k=k, kac=kac) + jl.Pinning(k0=k0)
    if n_left == n_right == 1:
        baths = jl.intensive(N, temperatures=T, gamma=gamma)
    else:
        baths = jl.extensive(N, fractions=(n_left / N, n_right / N), temperatures=T, gamma=gamma)
    return jl.System(masses=jl.masses.uniform(N, m), coupling=coupling, baths=baths)


def _check_against_negf(ss, N, n_left, n_right, k, kac, m, gamma, k0):
    ref = an.mean_field_equal_mass_steady_state(N, n_left, n_right, k, kac, m, gamma, k0, TL, TR)
    flux = np.asarray(ss.flux)
    np.testing.assert_allclose(flux[0], float(ref.flux), rtol=FLUX_RTOL, atol=0)
    np.testing.assert_allclose(flux[1], -float(ref.flux), rtol=FLUX_RTOL, atol=0)
    prof = an.mean_field_equal_mass_profile(N, n_left, n_right, k, kac, m, gamma, k0, TL, TR)
    np.testing.assert_allclose(np.asarray(ss.temperature), np.asarray(prof), rtol=TEMP_RTOL, atol=0)


# ------------------------------------------------------------------------------------------------
# Exact finite-N closed form vs the engine
# ------------------------------------------------------------------------------------------------

# (k, kac, m, gamma, k0): Defaveri's reference sets (m = k = gamma = 1, k0 in {0, 0.02, 1}) and others
# exercising every Kac factor, masses and frictions. All at one N so that the engine compiles once.
PARAMS_INTENSIVE = [
    (1.0, "N-1", 1.0, 1.0, 0.0),
    (1.0, "N-1", 1.0, 1.0, 0.02),
    (1.0, "N-1", 1.0, 1.0, 1.0),
    (0.1, "1", 1.0, 1.0, 0.02),
    (0.7, "N", 1.3, 0.4, 0.3),
    (2.0, "1", 0.6, 2.5, 0.0),
]


def test_intensive_closed_form_matches_negf():
    """Defaveri Eq. 16-18, 31 and Andreucci Eq. 18-19, 27-29 in closed form == engine (N = 9)."""
    N = 9
    for k, kac, m, gamma, k0 in PARAMS_INTENSIVE:
        ss = jl.negf_steady_state(_system(N, k, kac, m, gamma, k0))
        _check_against_negf(ss, N, 1, 1, k, kac, m, gamma, k0)
        # the separate Defaveri entry point gives the same flux
        np.testing.assert_allclose(
            float(an.defaveri_flux(N, k, gamma, m, k0, kac, TL, TR)),
            float(ss.flux[0]),
            rtol=FLUX_RTOL,
        )


def test_extensive_closed_form_matches_negf():
    """Extensive baths (3 left, 2 right sites of N = 12) == engine, incl. Andreucci Eq. 62-65."""
    N, n_left, n_right = 12, 3, 2
    for k, kac, m, gamma, k0 in [
        (1.0, "N", 1.0, 0.5, 0.0),
        (1.0, "N-1", 1.2, 1.0, 0.3),
        (0.3, "1", 1.0, 2.0, 0.02),
    ]:
        ss = jl.negf_steady_state(_system(N, k, kac, m, gamma, k0, n_left, n_right))
        _check_against_negf(ss, N, n_left, n_right, k, kac, m, gamma, k0)
    # Andreucci's own parameterisation (Phi_ij = 2 k_A (delta_ij - 1/N): MeanField.from_andreucci),
    # symmetric layout 3 + 3 of 12
    _check_andreucci_extensive(N, 3, 3, k_A=0.8, gamma=0.5, m=1.3)


def _check_andreucci_extensive(N, n_left, n_right, k_A, gamma, m):
    aL, aR = n_left / N, n_right / N
    system = jl.System(
        masses=jl.masses.uniform(N, m),
        coupling=jl.MeanField.from_andreucci(k_A),
        baths=jl.extensive(N, fractions=(aL, aR), temperatures=(TL, TR), gamma=gamma),
    )
    ss = jl.negf_steady_state(system)
    J = an.andreucci_flux_extensive(k_A, gamma, m, aL, aR, TL, TR)
    np.testing.assert_allclose(np.asarray(ss.flux), [float(J), -float(J)], rtol=FLUX_RTOL)
    T = np.asarray(ss.temperature)
    t_bulk = float(an.andreucci_bulk_temperature_extensive(N, aL, aR, TL, TR))
    np.testing.assert_allclose(T[n_left : N - n_right], t_bulk, rtol=TEMP_RTOL)
    t_left, t_right = an.andreucci_bath_site_temperatures_extensive(
        N, k_A, gamma, m, aL, aR, TL, TR
    )
    np.testing.assert_allclose(T[:n_left], float(t_left), rtol=TEMP_RTOL)
    np.testing.assert_allclose(T[N - n_right :], float(t_right), rtol=TEMP_RTOL)


@pytest.mark.parametrize("k, kac", [(1.6, "N"), (1.6, "N-1")])
def test_extensive_asymmetric_momentum_conserving_matches_negf(k, kac):
    """k0 = 0, 3 left and 2 right bath sites of N = 12 (Andreucci's extensive model with k_A = 0.8).

    The closed form is first checked against dense-G quadrature (independent of the engine), then
    compared with the engine. (Regression: group values of different group sizes once differed by an
    ulp, hiding the exact coincidence of the two bath groups, and the flux came out nan.)
    """
    N, n_left, n_right, m, gamma = 12, 3, 2, 1.0, 0.5
    ref = np.array(
        an.mean_field_equal_mass_steady_state(N, n_left, n_right, k, kac, m, gamma, 0.0, TL, TR)
    )
    val, err = _dense_quadrature(N, n_left, n_right, k, kac, m, gamma, 0.0)
    np.testing.assert_array_less(np.abs(val - ref), 10 * err + 100 * N * EPS * np.abs(ref))
    ss = jl.negf_steady_state(_system(N, k, kac, m, gamma, 0.0, n_left, n_right))
    _check_against_negf(ss, N, n_left, n_right, k, kac, m, gamma, 0.0)
    if kac == "N":
        _check_andreucci_extensive(N, n_left, n_right, k_A=k / 2, gamma=gamma, m=m)


def test_andreucci_intensive_matches_negf():
    """Andreucci Eq. 18-19 (exact I1), Eq. 28-29 (exact I2) and the bath sites, k = 2 k_A, Nt = N."""
    N, k_A, gamma, m = 9, 0.35, 0.5, 1.0
    system = jl.System(
        masses=jl.masses.uniform(N, m),
        coupling=jl.MeanField.from_andreucci(k_A),
        baths=jl.intensive(N, temperatures=(TL, TR), gamma=gamma),
    )
    ss = jl.negf_steady_state(system)
    np.testing.assert_allclose(
        float(an.andreucci_flux_intensive(N, k_A, gamma, m, TL, TR)),
        float(ss.flux[0]),
        rtol=FLUX_RTOL,
    )
    T = np.asarray(ss.temperature)
    np.testing.assert_allclose(
        T[1:-1], float(an.andreucci_bulk_temperature_intensive(N, TL, TR)), rtol=TEMP_RTOL
    )
    t1, tn = an.andreucci_bath_site_temperatures_intensive(N, k_A, gamma, m, TL, TR)
    np.testing.assert_allclose([T[0], T[-1]], [float(t1), float(tn)], rtol=TEMP_RTOL)


# ------------------------------------------------------------------------------------------------
# Independent references: dense-G quadrature and the collective Lyapunov equation
# ------------------------------------------------------------------------------------------------


def _dense_quadrature(N, n_left, n_right, k, kac, m, gamma, k0):
    """CONVENTIONS integrals with a dense numpy G, by scipy quad split at the normal-mode frequencies.

    Returns ((T_left, T_bulk, T_right, J), error estimates) with the errors summed from quad's abserr.
    """
    u = k / an.kac_factor(N, kac)
    phi = (N * u + k0) * np.eye(N) - u * np.ones((N, N))
    left, right = np.arange(n_left), np.arange(N - n_right, N)
    fr = np.zeros(N)
    fr[left] = fr[right] = gamma

    def G(w):
        return np.linalg.inv(phi - w * w * m * np.eye(N) - 1j * w * np.diag(fr))

    modes = np.sqrt(np.maximum(np.linalg.eigvalsh(phi / m), 0.0))
    wmax = 20 * (modes.max() + gamma / m)
    edges = np.unique(np.concatenate([[0.0], modes, [wmax]]))
    edges = edges[
        np.concatenate([[True], np.diff(edges) > 1e-9 * edges[1:]])
    ]  # merge degenerate modes

    def integ(f):  # 2 int_0^inf (integrands are even in w)
        vals = [
            quad(f, a, b, limit=400, epsabs=0, epsrel=1e-13) for a, b in zip(edges[:-1], edges[1:])
        ]
        vals.append(quad(f, wmax, np.inf, limit=400, epsabs=0, epsrel=1e-13))
        return 2 * sum(v for v, _ in vals), 2 * sum(e for _, e in vals)

    J = integ(
        lambda w: (
            (TL - TR) / np.pi * gamma**2 * w**2 * np.sum(np.abs(G(w)[np.ix_(right, left)]) ** 2)
        )
    )

    def temp(n):
        def f(w):
            g = G(w)[n]
            return (
                gamma
                * m
                * w**2
                / np.pi
                * (TL * np.sum(np.abs(g[left]) ** 2) + TR * np.sum(np.abs(g[right]) ** 2))
            )

        return integ(f)

    out = [temp(0), temp(n_left), temp(N - 1), J]
    return np.array([v for v, _ in out]), np.array([e for _, e in out])


@pytest.mark.parametrize(
    "N, n_left, n_right, k, kac, m, gamma, k0",
    [
        (3, 1, 1, 1.0, "N-1", 1.0, 1.0, 0.0),  # smallest system with a bulk, momentum conserving
        (5, 1, 1, 1.0, "N-1", 1.0, 1.0, 0.02),
        (6, 1, 1, 0.7, "1", 1.0, 0.5, 1.0),
        (7, 2, 3, 1.0, "N", 1.3, 0.7, 0.4),  # extensive layout
    ],
)
def test_closed_form_matches_dense_quadrature(N, n_left, n_right, k, kac, m, gamma, k0):
    """Defaveri Eq. 16-17 and 31 integrated numerically with a dense G (no engine involved)."""
    ref = np.array(
        an.mean_field_equal_mass_steady_state(N, n_left, n_right, k, kac, m, gamma, k0, TL, TR)
    )
    val, err = _dense_quadrature(N, n_left, n_right, k, kac, m, gamma, k0)
    # quad's own error estimate (x10), plus rounding of the integrand (~N eps per evaluation)
    np.testing.assert_array_less(np.abs(val - ref), 10 * err + 100 * N * EPS * np.abs(ref))


def _collective_lyapunov(N, n_left, n_right, k, kac, m, gamma, k0):
    """Solve the Lyapunov equation of the collective coordinates (independent of the closed form).

    X_L = sum_{left} q / sqrt(nL), X_R likewise, X_B over the bulk: Phi restricted to them is
    (N u + k0) I - u w w^T with w = (sqrt nL, sqrt nR, sqrt nB); all other directions are either
    single oscillators damped by one bath (equilibrium at its temperature: m <v^2> = T) or dark bulk
    modes (zero energy from rest). The 6x6 problem has a unique steady state for k0 > 0.
    Returns ((T_left, T_bulk, T_right, J), condition number of the Lyapunov operator).
    """
    u = k / an.kac_factor(N, kac)
    n_b = N - n_left - n_right
    w = np.sqrt([n_left, n_right, n_b])
    K = (N * u + k0) * np.eye(3) - u * np.outer(w, w)
    gam = np.diag([gamma, gamma, 0.0])
    A = np.block([[np.zeros((3, 3)), np.eye(3)], [-K / m, -gam / m]])
    B = np.zeros((6, 6))
    B[3:, 3:] = np.diag([2 * gamma * TL, 2 * gamma * TR, 0.0]) / m**2
    C = sla.solve_continuous_lyapunov(A, -B)
    v2 = m * np.diag(C)[3:]
    t_left = (v2[0] + (n_left - 1) * TL) / n_left
    t_right = (v2[1] + (n_right - 1) * TR) / n_right
    # flux = power of the spring forces from the left sites on all others: u sum_{i in L, j not in L} <q_i v_j>
    # (no subtraction of nearly equal numbers, unlike gamma (T_L - T_0) / m)
    J = u * w[0] * (w[1] * C[0, 4] + w[2] * C[0, 5])
    cond = np.linalg.cond(np.kron(np.eye(6), A) + np.kron(A, np.eye(6)))
    return np.array([t_left, v2[2] / n_b, t_right, J]), cond


@pytest.mark.parametrize(
    "N, n_left, n_right, k, kac, m, gamma, k0",
    [
        (10, 1, 1, 1.0, "N-1", 1.0, 1.0, 0.02),
        (1000, 1, 1, 1.0, "N-1", 1.0, 1.0, 1.0),
        (100_000, 1, 1, 1.0, "N-1", 1.0, 1.0, 0.02),
        (100_000, 1, 1, 0.1, "N", 2.0, 0.5, 0.3),
        (1000, 1, 1, 1.0, "1", 1.0, 1.0, 1.0),
        (1200, 300, 200, 1.0, "N", 1.0, 0.5, 0.1),
    ],
)
def test_closed_form_matches_collective_lyapunov(N, n_left, n_right, k, kac, m, gamma, k0):
    """Exact O(1) reference at any N: the closed form equals the reduced Lyapunov steady state."""
    ref = np.array(
        an.mean_field_equal_mass_steady_state(N, n_left, n_right, k, kac, m, gamma, k0, TL, TR)
    )
    val, cond = _collective_lyapunov(N, n_left, n_right, k, kac, m, gamma, k0)
    # Bartels-Stewart is backward stable: relative error <= (a few) * cond * eps; 10x for the few.
    np.testing.assert_allclose(val, ref, rtol=10 * cond * EPS, atol=0)


def test_bulk_temperature_is_universal():
    """T_bulk = (nL T_L + nR T_R) / ((nL + nR) nB): no dependence on k, k0, m, gamma or the Kac factor."""
    N = 20
    vals = [
        float(an.mean_field_equal_mass_temperatures(N, k, kac, m, g, k0, TL, TR).T_bulk)
        for k, kac, m, g, k0 in PARAMS_INTENSIVE
    ]
    np.testing.assert_allclose(vals, (TL + TR) / (2 * (N - 2)), rtol=4 * EPS)
    # Andreucci's I2 (Eq. 29) is therefore pi / (N - 2) for every k1
    np.testing.assert_allclose(float(an.andreucci_i2(3.0, N)), np.pi / (N - 2), rtol=4 * EPS)


# ------------------------------------------------------------------------------------------------
# Defaveri: Green's function and transmission
# ------------------------------------------------------------------------------------------------


def test_defaveri_green_matches_dense_green():
    """Eq. 18 with its phase (CONVENTIONS sign) == jl.green[0, N-1]."""
    N = 6
    om = np.linspace(0.05, 4.0, 37)
    for k, kac, m, gamma, k0 in PARAMS_INTENSIVE:
        system = _system(N, k, kac, m, gamma, k0)
        Gd = np.asarray(jl.green(system, om))
        Ga = np.asarray(an.defaveri_green_end_to_end(om, N, k, gamma, m, k0, kac))
        # dense inverse: relative error of an element <= ~ cond(Z) eps (cond(Z) = cond(G)); 10x margin
        cond = np.linalg.cond(Gd)
        np.testing.assert_array_less(np.abs(Ga - Gd[:, 0, N - 1]), 10 * cond * EPS * np.abs(Ga))


def test_defaveri_transmission_matches_engine():
    """Eq. 20-23 == jl.transmission(system, w, 0, 1) at N = 64 for every Kac factor, k0 = 0 and > 0."""
    N = 64
    om = np.concatenate([np.linspace(1e-3, 3.0, 301), np.linspace(3.0, 12.0, 40)])
    for k, kac, m, gamma, k0 in PARAMS_INTENSIVE:
        T = np.asarray(jl.transmission(_system(N, k, kac, m, gamma, k0), om, a=0, b=1))
        Ta = np.asarray(an.defaveri_transmission(om, N, k, gamma, m, k0, kac))
        # The engine sums N terms in D = 1 - u sum_n 1/a_n (Sherman-Morrison): relative rounding
        # <= N eps kappa with kappa = (1 + u sum |1/a_n|) / |D| the cancellation in D. Bound it here.
        u = k / an.kac_factor(N, kac)
        a_bath = N * u + k0 - m * om**2 - 1j * gamma * om
        a_bulk = N * u + k0 - m * om**2
        D = 1 - u * (2 / a_bath + (N - 2) / a_bulk)
        kappa = (1 + u * (2 / np.abs(a_bath) + (N - 2) / np.abs(a_bulk))) / np.abs(D)
        np.testing.assert_array_less(np.abs(T - Ta), 10 * N * EPS * kappa * Ta + 1e-300)
        assert np.all(Ta <= 1 + 8 * EPS)


def test_defaveri_transmission_unitarity_identity():
    """1 - T = P^2 / (f Delta), P = y x^2 + gamma^2 w^2 (y + 2u): T = 1 exactly where P = 0 (Eq. 26)."""
    om = np.linspace(0.0, 5.0, 2001)
    for N in (8, 64):
        for k, kac, m, gamma, k0 in PARAMS_INTENSIVE:
            u = k / an.kac_factor(N, kac)
            y = k0 - m * om**2
            x = N * u + y
            f = x**2 + gamma**2 * om**2
            delta = gamma**2 * om**2 * (2 * u + y) ** 2 + y**2 * x**2
            P = y * x**2 + gamma**2 * om**2 * (y + 2 * u)
            T = np.asarray(an.defaveri_transmission(om, N, k, gamma, m, k0, kac))
            ok = delta > 0  # excludes w = 0 at k0 = 0, where T = 1 by continuity
            # both terms are ratios of ~10 rounded products in [0, 1]: absolute error < 30 eps
            one = T[ok] + P[ok] ** 2 / (f[ok] * delta[ok])
            np.testing.assert_allclose(one, 1.0, rtol=0, atol=30 * EPS)
            if k0 == 0:
                np.testing.assert_allclose(T[0], 1.0, rtol=0, atol=4 * EPS)


def _rate(errors, Ns):
    """Local convergence exponents p in err ~ N^-p between successive N."""
    e, n = np.asarray(errors, float), np.asarray(Ns, float)
    return np.log(e[:-1] / e[1:]) / np.log(n[1:] / n[:-1])


NS = (64, 256, 1024)


@pytest.mark.parametrize("k, kac, m, gamma, k0", PARAMS_INTENSIVE)
def test_defaveri_lorentzian_transmission_converges(k, kac, m, gamma, k0):
    """Eq. 24 / 28-29: sup_w |T - T_Lorentz| over the peaks -> 0 at least as fast as 1/N."""
    errs = []
    for N in NS:
        wc = float(an.defaveri_resonance_frequency(N, k, gamma, m, k0, kac)) if k0 > 0 else 0.0
        width = 1 / (N * float(an.defaveri_lorentzian_a(k, gamma, m, k0, kac)))
        om = np.linspace(max(wc - 30 * width, 0.0), wc + 30 * width, 3001)
        T = np.asarray(an.defaveri_transmission(om, N, k, gamma, m, k0, kac))
        TLor = np.asarray(an.defaveri_transmission_lorentzian(om, N, k, gamma, m, k0, kac))
        errs.append(np.max(np.abs(T - TLor)))
    errs = np.array(errs)
    # Theory (expansion about the peak, as in the paper): the neglected terms are relative O(1/N)
    # (O(1/N^2) for Nt = 1, k0 = 0). Accept a measured exponent >= 0.8 (20% slack for the
    # next-order term at N = 64) and N * err non-increasing up to that slack.
    assert np.all(_rate(errs, NS) >= 0.8), (errs, _rate(errs, NS))
    assert (
        errs[0] < 0.2
    )  # the approximation is already meaningful at N = 64 (peak height is 1 or 2)


def _exact_resonance(N, k, gamma, m, k0, kac):
    """Real root near w0 of P(w^2) = y x^2 + gamma^2 w^2 (y + 2u) (T = 1 there, exactly)."""
    u = k / an.kac_factor(N, kac)
    y = np.poly1d([-m, k0])
    x = y + N * u
    P = y * x * x + gamma**2 * np.poly1d([1.0, 0.0]) * (y + 2 * u)
    z = P.roots
    z = z[np.abs(z.imag) < 1e-9 * np.abs(z)].real
    w = np.sqrt(z[z > 0])
    return w[np.argmin(np.abs(w - np.sqrt(k0 / m)))]


@pytest.mark.parametrize("k, kac, m, gamma, k0", [p for p in PARAMS_INTENSIVE if p[4] > 0])
def test_defaveri_resonance_frequency_second_order(k, kac, m, gamma, k0):
    """Eq. 26 is exact to first order: |w_c(exact) - w_c(Eq. 26)| ~ N^-2."""
    errs = []
    for N in NS:
        wc = _exact_resonance(N, k, gamma, m, k0, kac)
        T_at = float(an.defaveri_transmission(wc, N, k, gamma, m, k0, kac))
        assert (
            abs(T_at - 1) < 1e-9
        )  # the root of P is where T = 1 (root accuracy ~ sqrt(eps) at worst)
        errs.append(abs(wc - float(an.defaveri_resonance_frequency(N, k, gamma, m, k0, kac))))
    p = _rate(errs, NS)
    # next order is N^-3: the exponent at N = 64..1024 is 2 up to O(1/N) ~ 0.1
    assert np.all(np.abs(p - 2) < 0.2), (errs, p)


# ------------------------------------------------------------------------------------------------
# Large-N fluxes and temperatures
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k, kac, m, gamma, k0", PARAMS_INTENSIVE)
def test_defaveri_flux_large_n_rate(k, kac, m, gamma, k0):
    """Eq. 25 / 30: relative error = O(1/N) against the exact flux (verified above against the engine)."""
    rel = []
    for N in NS:
        exact = float(an.defaveri_flux(N, k, gamma, m, k0, kac, TL, TR))
        rel.append(exact / float(an.defaveri_flux_large_n(N, k, gamma, m, k0, kac, TL, TR)) - 1)
    rel = np.array(rel)
    Ns = np.array(NS)
    # rel = c/N + O(1/N^2): N rel converges to c, its successive changes shrink like 1/N (by 4 per
    # step here); require a shrink by at least 2, plus rounding (rel is a ratio of two rounded
    # numbers: |error| ~ 1e-16, times N <= 1024).
    nrel = Ns * rel
    d = np.abs(np.diff(nrel))
    assert d[1] <= 0.5 * d[0] + 1e-10, nrel
    # and for Nt = N - 1 the constant is known in closed form (docstring of defaveri_flux_large_n)
    if kac == "N-1":
        c = 1 - gamma**2 * k / (m * k**2 + gamma**2 * k0)
        np.testing.assert_allclose(nrel[-1], c, rtol=2 * (1 + c) / NS[-1], atol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("k0", [0.0, 0.02, 1.0])
def test_defaveri_flux_large_n_against_engine(k0):
    """Defaveri Fig. 4 setting (k = 0.1, gamma = m = 1): engine flux vs Eq. 25/30, N * error converges.

    With k = 0.1 the 1/N regime needs N >> gamma^2 (k + k0) / (m k^2) ~ 110 (cf. Eq. 27), hence N >= 256.
    """
    k, gamma, m = 0.1, 1.0, 1.0
    Ns = (256, 1024, 4096)
    for kac in ("N-1", "1"):
        nrel = []
        for N in Ns:
            J = float(jl.negf_steady_state(_system(N, k, kac, m, gamma, k0)).flux[0])
            np.testing.assert_allclose(
                J, float(an.defaveri_flux(N, k, gamma, m, k0, kac, TL, TR)), rtol=FLUX_RTOL
            )
            nrel.append(
                N * (J / float(an.defaveri_flux_large_n(N, k, gamma, m, k0, kac, TL, TR)) - 1)
            )
        d = np.abs(np.diff(nrel))
        assert d[1] <= 0.5 * d[0] + 1e-8, nrel  # differences of N * rel shrink like 1/N


def test_andreucci_large_n_rates():
    """Eq. 23, 24, 30: leading orders with O(1/N) relative error, the constants from the exact forms."""
    k_A, gamma, m = 0.5, 1.5, 1.0
    k1 = float(an.andreucci_k1(k_A, m, gamma))
    np.testing.assert_allclose(k1, gamma / np.sqrt(2 * m * k_A), rtol=2 * EPS)
    for N in NS:
        # exact / large-N - 1 = (N - 1 - k1^2 N) / ((N-1)^2 + k1^2 N) for I1 and the flux (same ratio)
        ratio = float(an.andreucci_i1(k1, N) / an.andreucci_i1_large_n(k1, N))
        np.testing.assert_allclose(
            ratio - 1, (N - 1 - k1**2 * N) / ((N - 1) ** 2 + k1**2 * N), rtol=1e-9
        )
        assert N * abs(ratio - 1) < 1.1 * abs(1 - k1**2) + 2 / N
        J = float(an.andreucci_flux_intensive(N, k_A, gamma, m, TL, TR))
        J_inf = float(an.andreucci_flux_intensive_large_n(N, k_A, gamma, m, TL, TR))
        np.testing.assert_allclose(J / J_inf, ratio, rtol=8 * EPS)
        # Eq. 24 = Defaveri Eq. 25 with k = 2 k_A, Nt = N
        np.testing.assert_allclose(
            J_inf,
            float(an.defaveri_flux_large_n(N, 2 * k_A, gamma, m, 0.0, "N", TL, TR)),
            rtol=8 * EPS,
        )
        np.testing.assert_allclose(
            J, float(an.defaveri_flux(N, 2 * k_A, gamma, m, 0.0, "N", TL, TR)), rtol=1e-13
        )
        # Eq. 30: relative error exactly -2/N
        tb = float(an.andreucci_bulk_temperature_intensive(N, TL, TR))
        tb_inf = float(an.andreucci_bulk_temperature_intensive_large_n(N, TL, TR))
        np.testing.assert_allclose(tb_inf / tb - 1, -2 / N, rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# Andreucci's integrals, as printed, against their closed forms
# ------------------------------------------------------------------------------------------------


def _quad_even(f, poles=(1.0,)):
    """int_{-inf}^{inf} f(y) dy for even f, split at y = 1 (where the (y^2-1) factors sit)."""
    parts = [
        quad(f, 0, poles[0], limit=500, epsabs=0, epsrel=1e-13),
        quad(f, poles[0], np.inf, limit=500, epsabs=0, epsrel=1e-13),
    ]
    return 2 * sum(p[0] for p in parts), 2 * sum(p[1] for p in parts)


def _q(y, k1, a):
    return y**2 * (y**2 - 1) ** 2 + k1**2 * (y**2 - a) ** 2


@pytest.mark.parametrize("k1, N", [(0.5, 10), (3.0, 100), (1.0, 7), (0.1, 1000)])
def test_andreucci_i1_i2_closed_forms(k1, N):
    """Eq. 19 and Eq. 29 integrated by quad == the exact closed forms."""
    i1, e1 = _quad_even(
        lambda y: (y**2 - 1) ** 2 / ((y**2 - 1) ** 2 + k1**2 * y**2) / _q(y, k1, 2 / N)
    )
    i1 *= 2 * k1**2 / N**2
    e1 *= 2 * k1**2 / N**2
    i2, e2 = _quad_even(lambda y: 1 / _q(y, k1, 2 / N))
    i2 *= 4 * k1 / N**2 / 2  # Eq. 29 integrates over (0, inf)
    e2 *= 4 * k1 / N**2 / 2
    # quad's error estimate (x10) plus rounding of the closed form
    assert abs(i1 - float(an.andreucci_i1(k1, N))) <= 10 * e1 + 8 * EPS * i1
    assert abs(i2 - float(an.andreucci_i2(k1, N))) <= 10 * e2 + 8 * EPS * i2


@pytest.mark.parametrize(
    "k1, aL, aR", [(0.5, 0.25, 0.25), (3.0, 1 / 6, 1 / 10), (1.0, 0.1, 0.1), (2.0, 0.45, 0.3)]
)
def test_andreucci_i5_i6_closed_forms(k1, aL, aR):
    """Eq. 63 (I5) as printed; Eq. 66 (I6) only after removing its spurious factor (see andreucci_i6)."""
    a = aL + aR

    def lorentz(y):
        return (y**2 - 1) ** 2 + k1**2 * y**2

    i5, e5 = _quad_even(lambda y: (y**2 - 1) ** 2 / (lorentz(y) * _q(y, k1, a)))
    i5 *= 2 * aL * aR * k1**2
    e5 *= 2 * aL * aR * k1**2
    assert abs(i5 - float(an.andreucci_i5(k1, aL, aR))) <= 10 * e5 + 8 * EPS * i5

    i6, e6 = _quad_even(lambda y: k1 / _q(y, k1, a))
    assert abs(i6 - float(an.andreucci_i6(aL, aR))) <= 10 * e6 + 8 * EPS * i6
    # Eq. 66 as printed (with 1 / [(y^2-1)^2 + k1^2 y^2]) is a different number, far beyond quad's
    # error (~1e-12): the discrepancy is in the paper, not in the numerics
    printed, _ = _quad_even(lambda y: k1 / (lorentz(y) * _q(y, k1, a)))
    assert abs(printed / i6 - 1) > 1e-3


def test_intensive_limit_of_extensive_formulas():
    """Andreucci: aL = aR = 1/N in Eq. 63 gives Eq. 19; Eq. 65 gives Eq. 28 (I6 = N^2 I2 / 2)."""
    for N in (5, 64, 1000):
        for k1 in (0.3, 2.0):
            np.testing.assert_allclose(
                float(an.andreucci_i5(k1, 1 / N, 1 / N)), float(an.andreucci_i1(k1, N)), rtol=1e-13
            )
            np.testing.assert_allclose(
                float(an.andreucci_i6(1 / N, 1 / N)),
                N**2 * float(an.andreucci_i2(k1, N)) / 2,
                rtol=1e-13,
            )
        np.testing.assert_allclose(
            float(an.andreucci_bulk_temperature_extensive(N, 1 / N, 1 / N, TL, TR)),
            float(an.andreucci_bulk_temperature_intensive(N, TL, TR)),
            rtol=1e-13,
        )


# ------------------------------------------------------------------------------------------------
# JAX transformations
# ------------------------------------------------------------------------------------------------


def test_jit_and_grad():
    """Closed forms trace under jit and differentiate: dJ/dk0 against its analytic value."""
    N, k, gamma, m = 64, 1.0, 1.0, 1.0

    def J(k0):
        return an.defaveri_flux(N, k, gamma, m, k0, "N-1", TL, TR)

    k0 = 0.02
    den = (N - 1) * (m * k**2 + gamma**2 * k0) + gamma**2 * k
    expected = -float(J(k0)) * (N - 1) * gamma**2 / den  # d/dk0 of gamma k^2 dT / (2 den)
    np.testing.assert_allclose(float(jax.jit(jax.grad(J))(k0)), expected, rtol=1e-13)
    # energy balance T_0 = T_L - m J / gamma holds for the derivatives too
    g = jax.grad(
        lambda gm: an.mean_field_equal_mass_temperatures(N, k, "N-1", m, gm, k0, TL, TR).T_left
    )(gamma)
    h = jax.grad(lambda gm: TL - m * an.defaveri_flux(N, k, gm, m, k0, "N-1", TL, TR) / gm)(gamma)
    np.testing.assert_allclose(float(g), float(h), rtol=1e-13)
    # vectorised transmission under jit, and T(0) = 1 at k0 = 0 (limit, not 0/0)
    tr = jax.jit(an.defaveri_transmission, static_argnums=(1, 6))
    out = np.asarray(tr(jnp.array([0.0, 0.5]), 16, 1.0, 1.0, 1.0, 0.0, "N-1"))
    assert np.all(np.isfinite(out)) and out[0] == 1.0

    # d T / d k0 at k0 = 0, w != 0 (the k0 = 0 special case must not cut the k0 dependence)
    def T(k0):
        return an.defaveri_transmission(0.5, 16, 1.0, 1.0, 1.0, k0)

    # central difference: truncation h^2 |d3T/dk0^3| / 6 ~ 1.5e-11 (d3T/dk0^3 ~ 92 here), rounding
    # ~ eps |T| / h ~ 1e-10: both far below rtol 1e-8 * |dT/dk0| ~ 5e-9
    h = 1e-6
    fd = float(T(h) - T(-h)) / (2 * h)
    np.testing.assert_allclose(float(jax.grad(T)(0.0)), fd, rtol=1e-8, atol=1e-9)


def test_validation_errors():
    """Bad Kac factor, overlapping baths and N < 2 raise; N = 2 has no bulk (nan)."""
    with pytest.raises(ValueError, match="kac"):
        an.mean_field_equal_mass_temperatures(8, kac="N+1")
    with pytest.raises(ValueError, match="n_left"):
        an.mean_field_equal_mass_steady_state(8, 5, 4)
    with pytest.raises(ValueError, match="N"):
        an.defaveri_flux(1)
    assert np.isnan(float(an.mean_field_equal_mass_temperatures(2).T_bulk))
