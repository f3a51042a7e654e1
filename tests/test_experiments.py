"""The gallery (``jaxlangevin._gallery``): its registry, its runner, and the physics of every figure.

One module-scoped fixture runs the whole gallery with ``--quick`` through ``reproduce(quick=True, jobs=2)``
(each script in its own process, two at a time: ~80 s on 2 cores with an empty JAX cache); each
``test_<figure>`` then checks its script's exit code, output files and the physics statement of its figure on
the saved data. ``-m slow`` also runs them on the full-size gallery
(``quick=False``; ~4 min on 2 cores, 212 s together with the README test).
"""

import pathlib

import numpy as np
import pytest

from jaxlangevin import _gallery
from jaxlangevin._gallery import FIGURES, reproduce

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT_TO_ID = {f.script: f.id for f in FIGURES.values()}


@pytest.fixture(scope="module", params=[pytest.param(True, id="quick"),
                                        pytest.param(False, id="full", marks=pytest.mark.slow)])
def runs(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery_quick" if request.param else "gallery_full")
    return {r.id: r for r in reproduce(quick=request.param, out=out, jobs=2, progress=False)}


def _load(runs, name, allow_nan=()):
    r = runs[SCRIPT_TO_ID[name]]
    assert r.returncode == 0, f"{r.id} failed; end of {r.log}:\n{r.log_tail}"
    assert r.png.stat().st_size > 0
    d = dict(np.load(r.data))
    for k, v in d.items():
        if v.dtype.kind == "f" and k not in allow_nan:
            assert np.all(np.isfinite(v)), k
    return d


# ---------------------------------------------------------------------------------------------------------
# The registry and the runner (no JAX in the child processes: milliseconds)
# ---------------------------------------------------------------------------------------------------------
def test_every_script_is_a_figure_once():
    scripts = {p.stem for p in (ROOT / "experiments").glob("*.py") if not p.stem.startswith("_")}
    assert sorted(f.script for f in FIGURES.values()) == sorted(scripts)
    for fid, f in FIGURES.items():
        assert fid == f.id and (f.figure is None) == (f.extends is not None), fid
        if f.figure is not None:  # ids say paper and figure number: defaveri-fig2 <- defaveri_fig2.py
            assert fid == f.script.replace("_", "-") and fid.endswith(f"-fig{f.figure}"), fid


def test_scripts_ship_with_the_package():
    """pyproject.toml lists the packages (the scripts are mapped from experiments/, which a find cannot do):
    every package directory of jaxlangevin/ must be listed, and the scripts found where reproduce looks."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "jaxlangevin").rglob("__init__.py")}
    assert set(cfg["packages"]) == found | {"jaxlangevin._experiments"}
    assert cfg["package-dir"] == {"jaxlangevin._experiments": "experiments"}
    with _gallery.experiments_dir() as d:
        assert {f.script for f in FIGURES.values()} <= {p.stem for p in d.glob("*.py")}


def test_unknown_figure_and_bad_jobs_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown figure id.*'defaveri-fig9'.*valid: 'all' or defaveri-fig2"):
        reproduce(["defaveri-fig2", "defaveri-fig9"], out=tmp_path)
    with pytest.raises(ValueError, match="`jobs` must be an integer >= 1, got 0"):
        reproduce("defaveri-fig2", jobs=0, out=tmp_path)
    assert not list(tmp_path.iterdir())  # refused before anything ran
    every = list(FIGURES.values())
    assert _gallery._select(None) == _gallery._select("all") == _gallery._select(["all"]) == every
    assert _gallery._select(["andreucci-fig4", "defaveri-fig2", "andreucci-fig4"]) == [every[7], every[0]]


def test_failures_are_reported_not_swallowed(tmp_path, monkeypatch, capsys):
    """A script that raises and one that exits 0 without writing its figure are both failures; the others
    still run, in parallel, and each run keeps its log."""
    import contextlib

    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "_common.py").write_text("")
    ok = "import pathlib, sys; o = pathlib.Path(sys.argv[sys.argv.index('--out') + 1]); print('[{0}] fine')\n" \
         "(o / '{0}.png').write_bytes(b'png'); (o / '{0}.npz').write_bytes(b'npz')\n"
    (scripts / "defaveri_fig2.py").write_text(ok.format("defaveri_fig2") + "assert '--quick' in sys.argv\n")
    (scripts / "defaveri_fig3.py").write_text("print('working'); raise RuntimeError('boom in fig3')\n")
    (scripts / "defaveri_fig4.py").write_text("print('forgot to save')\n")
    (scripts / "defaveri_fig5.py").write_text(ok.format("defaveri_fig5"))
    monkeypatch.setattr(_gallery, "experiments_dir", lambda: contextlib.nullcontext(scripts))
    out = tmp_path / "out"
    ids = ["defaveri-fig2", "defaveri-fig3", "defaveri-fig4", "defaveri-fig5"]
    runs = reproduce(ids, quick=True, out=out, jobs=3, progress=True)
    assert [r.id for r in runs] == ids
    assert [r.ok for r in runs] == [True, False, False, True]
    assert runs[0].summary == ("[defaveri_fig2] fine",) and runs[0].png == out / "defaveri_fig2.png"
    assert runs[1].returncode == 1 and "RuntimeError: boom in fig3" in runs[1].log_tail
    assert "working" in (out / "defaveri-fig3.log").read_text()
    assert runs[2].returncode == 0 and not runs[2].png.exists()
    err = capsys.readouterr().err
    assert "FAILED  defaveri-fig3" in err and "FAILED  defaveri-fig4" in err and "no PNG/data written" in err
    assert "2/4 figures" in err and "FAILED: defaveri-fig3, defaveri-fig4" in err
    assert all(r.seconds > 0 for r in runs)


# ---------------------------------------------------------------------------------------------------------
# The figures: one physics statement each, on the saved data
# ---------------------------------------------------------------------------------------------------------
def test_defaveri_fig2(runs):
    d = _load(runs, "defaveri_fig2")
    assert d["max_rel_err_closed_form"] < 1e-8  # engine == Eqs. (20)-(23), exact (measured 4.5e-11 .. 3.0e-9)
    # T ~ w^-6 once m w^2 >> N k/Nt; the fit over w = 30..100 is off by ~4 (N/Nt)/w^2 averaged (measured: 0.0015
    # N/Nt, so -6.08 at N/Nt = 50 and -6.34 at 200): check where N/Nt <= 50 (order: kac-major, N-minor)
    Ns = d["Ns"].astype(float)
    n_over_nt = np.concatenate([Ns / (Ns - 1), Ns])
    assert np.all(np.abs(d["tail_slope"][n_over_nt <= 50] + 6) < 0.1)
    assert np.all(np.diff(d["tail_slope"][len(Ns):]) < 0)  # Nt = 1: the departure grows with N
    # Eq. (24) holds for N^2/Nt >> 4 gamma^2/(m k): check the largest N (order: kac-major, N-minor)
    hw = d["half_width_times_N"].reshape(2, -1)[:, -1]
    assert np.all(np.abs(hw - 2) < 0.1)  # N*HWHM -> 2 gamma/m


def test_defaveri_fig3(runs):
    d = _load(runs, "defaveri_fig3")
    assert d["max_rel_err_closed_form"] < 1e-8
    rows = d["rows"]
    big = rows[rows[:, 1] == rows[:, 1].max()]
    assert np.all(np.abs(big[:, 3] - big[:, 2]) < 2e-3)  # peak at w_c, Eq. (26)
    assert np.all(np.abs(big[:, 4] - 1) < 1e-3)  # peak height 1
    assert np.all(np.abs(big[:, 5] / big[:, 6] - 1) < 0.1)  # width 1/(N A), Eq. (29)


def test_defaveri_fig4(runs):
    d = _load(runs, "defaveri_fig4", allow_nan=("J_over_dT", "slopes"))
    J, th = d["J_over_dT"], d["theory"]
    # uniform masses: finite, within 25% of Eqs. (25)/(30) at the largest quick N, decreasing like ~1/N
    assert np.all(np.isfinite(J[:, :, 0]))
    assert np.all(np.abs(J[:, :, 0, -1] / th[:, :, -1] - 1) < 0.25)
    assert np.all(d["slopes"][:, :, 0] < -0.6)
    # graded/random masses (delta = 0.1) follow the identical-mass law (paper Fig. 4): with Nt = N-1 within 2% at
    # every N (measured <= 1.0%); with Nt = 1 (inset) the coupling N k grows with N and so does the effect of the
    # disorder: within 5% up to N = 128 (measured 4.2%), 15% and 24% (graded, random) at N = 1024
    rel = J[:, :, 1:, :] / J[:, :, :1, :] - 1
    assert np.all(np.abs(rel[0]) < 0.02)
    assert np.all(np.abs(rel[1][..., d["Ns"] <= 128]) < 0.05)


def test_defaveri_fig5(runs):
    d = _load(runs, "defaveri_fig5")
    bulk = d["bulk_mean"]
    assert np.all(bulk[:, 0] < 0.1)  # identical masses: O(1/N) bulk, not thermalised
    assert np.all(np.abs(bulk[:, 1:] - 1.0) < 0.05)  # unequal masses: (T_L+T_R)/2


def test_andreucci_fig1(runs):
    d = _load(runs, "andreucci_fig1")
    assert np.all(np.abs(d["I1_engine"] / d["I1_eq19"] - 1) < 1e-6)  # Eq. (19) exact
    NI = d["Nb"][-1] * d["I1"][-1][0]
    assert abs(NI / (np.pi * d["k1"][0]) - 1) < 0.01  # Eq. (23)


def test_andreucci_fig7(runs):
    d = _load(runs, "andreucci_fig7", allow_nan=("I5",))
    ok = np.isfinite(d["I5"])
    assert ok[1].all()
    # Eq. (63) exact: quadrature to rel. 1e-11 per piece (measured 2.7e-12)
    assert np.all(np.abs(d["I5"][ok] / d["I5_eq63"][ok] - 1) < 1e-9)
    # the flux falls with the coupled fraction (text): the maximum of (1/2, 1/2) is about twice that of (1/6, 1/10)
    # (measured 2.03 quick, 2.06 full), so the caption's "(1/6, 1/10) has the larger maximum" is a misprint
    assert np.nanmax(d["I5"][1]) > 1.5 * np.nanmax(d["I5"][0])


def test_andreucci_fig8(runs):
    d = _load(runs, "andreucci_fig8")
    rel = np.abs(d["I6"] / d["I6_eq66"] - 1)
    assert np.median(rel) < 0.1  # Eq. (66) is leading order in 1/N
    assert d["I6"][0] > 3 * d["I6"][-1]  # grows as alpha_L + alpha_R -> 0


def test_andreucci_fig2(runs):
    d = _load(runs, "andreucci_fig2")
    assert np.all(d["max_abs_z_bulk"] < 5)  # simulate == exact for both starts (rest, Thermal(1))
    rest, thermal = d["bulk_mean_sim"]
    assert abs(rest / d["ref_bulk_exact"] - 1) < 0.3  # from rest: bulk at (T_L+T_R)/(2(N-2)), not thermalised
    assert abs(thermal - 1) < 0.2  # from Thermal(1): the bath-decoupled modes keep T = 1


def test_andreucci_fig3(runs):
    d = _load(runs, "andreucci_fig3")
    assert np.all(d["max_abs_z_transient"] < 5)  # simulate == exact finite-time expectation, all three runs
    assert d["max_abs_z_negf"][2] < 5  # MF + NN: simulate == negf_steady_state
    T = d["T_sim"]  # rows: powerlaw_rest, powerlaw_thermal, mf_nn_thermal
    assert T[0, 1:-1].mean() < 0.3  # power law from rest: bulk stays cold (nearly dark modes)
    assert abs(T[2, 1:-1].mean() - 1) < 0.05  # MF + NN: flat at (T_L+T_R)/2
    # from rest: double-precision covariance_evolution == 50-digit mpmath (measured 3e-9 for t <= 1e10)
    assert d["double_vs_mpmath"] < 1e-7
    assert abs(d["bulk_powerlaw_from_rest_mpmath"][-1] - 1) < 1e-9  # t = 1e36: the paper's flat profile
    # the power law needs > 1e20 time units to reach 90% of it, MF + NN < 1e5 to reach 99%
    assert d["reach_powerlaw"][1] > 1e20 and d["reach_mf_nn"][2] < 1e5
    # what a user sees after t ~ 1e8 (an H100-hour): far below it
    assert np.interp(8.0, np.log10(d["t_powerlaw"]), d["bulk_powerlaw_from_rest"]) < 0.5


def test_thermalization_time(runs):
    """Mean-field chain with graded masses: the slowest relaxation time and the time for the bulk to reach
    90% of its steady temperature from rest grow as delta^-2 (second-order damping of the nearly dark
    modes; fitted over delta = 10^-2.5 .. 10^-0.5, quick run N = 16: -1.92 and -1.97)."""
    d = _load(runs, "thermalization_time")
    assert -2.15 < float(d["slope_tau"]) < -1.85
    assert -2.15 < float(d["slope_t90"]) < -1.85
    assert np.all(np.diff(d["tau"]) < 0) and np.all(d["t90"] <= 2 * d["tau"])
    np.testing.assert_allclose(d["bulk_steady"], 1.0, atol=0.02)  # graded masses thermalize at (T_L+T_R)/2


def test_andreucci_fig4(runs):
    d = _load(runs, "andreucci_fig4")
    # engine (exact residues) == Eq. (47) by scipy quadrature (epsrel 1e-11; measured 8e-11)
    assert d["rel_err_quad"] < 1e-8
    # Eq. (48) is leading order in 1/N: at theta = 100, N x (rel. deviation) = -7.85, -7.91, -7.93 for
    # N = 500, 1000, 2000, i.e. constant to 1%: O(1/N) and not slower
    nd = d["rel_dev_large_N_top_theta"] * d["N"]
    assert np.all((-8.5 < nd) & (nd < -7.0)) and np.ptp(nd) < 0.2
    assert np.all(d["max_rel_dev_large_N"] < 0.03)
    # Eq. (51): I3 -> pi theta / 3 for T << T_N (theta = 1e-4, T_N/T = 12..60: measured 1 - 2e-3 at worst)
    assert np.all(np.abs(d["low_theta_over_eq51"] - 1) < 5e-3)
    # Eq. (49) as printed turns negative (at x = 0.54); the corrected g stays in (0, 1]
    assert d["x_printed_g_negative"] < 1.0
    assert np.all((d["g"] > 0) & (d["g"] <= 1))


def test_andreucci_fig5(runs):
    d = _load(runs, "andreucci_fig5")
    r = d["ratio"]
    assert np.all(np.diff(r, axis=1) > 0) and np.all(np.abs(r[:, -1] - 1) < 1e-4)  # rises to the classical flux
    assert np.all(d["max_abs_dev"] < 0.05)  # g(T_N/T) within 3.4e-2 (N = 500) .. 1.1e-2 (N = 2000)
    # O(1/N) at fixed T = T_N: N (ratio - g) = 10.48, 10.56, 10.59 for N = 500, 1000, 2000
    nd = d["dev_at_TN"] * d["N_fixed_x"]
    assert np.all((9 < nd) & (nd < 12)) and np.ptp(nd) < 0.2
    # crossover at T ~ T_N ~ 1/N: N theta_1/2 within 10% of the large-N value 2 k1 / x_1/2 = 4.305
    assert np.all(np.abs(d["theta_half"] * d["N"] / 4.305 - 1) < 0.1)
    assert np.all(np.abs(d["K_low_over_eq51"] - 1) < 5e-3)  # quantum of thermal conductance (Eq. 51)


def test_andreucci_fig6(runs):
    d = _load(runs, "andreucci_fig6")
    assert d["rel_err_quad"] < 1e-10  # engine == Eq. (56) x 2 hbar gamma/(pi m) (measured 2e-14)
    assert abs(d["ratio_to_printed_prefactor"] - 4 / np.pi) < 1e-10  # Eq. (55)'s printed prefactor is off by 4/pi
    assert abs(d["I4_zero"] / d["I4_zero_eq56"] - 1) < 1e-10  # zero-point value
    # Eq. (59)'s theta^2 term at theta = 1e-4 = theta_N/60: measured 0.99974 (corrections O(theta/theta_N)^2)
    assert abs(d["theta2_coef_over_eq59"] - 1) < 1e-3
    assert abs(d["quantum_over_classical_top"] - 1) < 1e-4  # classical limit at theta = 100
    # Eq. (58) at k1 = 1, N = 1000: leading order in 1/N (measured +3.9e-3)
    assert 0 < d["I4_zero_k1_1_engine"] / d["I4_zero_k1_1_eq58"] - 1 < 1e-2


def test_andreucci_fig9(runs):
    d = _load(runs, "andreucci_fig9")
    assert d["rel_err_quad_sinh2"] < 1e-8  # engine == Eq. (68) with sinh^2 (measured 3e-13)
    # Eq. (68) as printed (sinh): 21 zeta(3)/pi^2 = 2.5577 x the engine at theta = 1e-3, -> 0 at theta = 100
    assert np.all(np.abs(d["printed_over_engine_low"] / (21 * 1.2020569031595942 / np.pi**2) - 1) < 1e-3)
    assert np.all(d["printed_over_engine_top"] < 0.01)
    # Eq. (70) / Eq. (71) at theta = 1e-3 (corrections O(theta^2 k1^2): measured 1e-5)
    assert np.all(np.abs(d["low_theta_over_eq70"] - 1) < 1e-4)
    assert np.all(np.abs(d["K_low_over_eq71"] - 1) < 1e-4)
    assert np.all(np.abs(d["slope_b_over_eq70"] - 1) < 1e-4)  # theta = 1e-4, k1 = 5, 10, 15
    # the linear range shrinks with k1 (paper's text): 5% departure at theta = 0.037, 0.017, 0.011
    th5 = d["theta_5pct_b"]
    assert np.all(np.isfinite(th5)) and np.all(np.diff(th5) < 0)


def test_andreucci_fig10(runs):
    d = _load(runs, "andreucci_fig10")
    assert d["rel_err_eq74"] < 1e-10  # I8^(0) from the engine == Eq. (74) (measured 5e-15)
    assert np.all(d["eq76_over_engine"][:, 0] > 30)  # Eq. (76) as printed: 41x and 92x at theta = 1e-3
    # dT term of Eq. (75) by a central difference (dT = +-0.002 T; error ~1e-7) == Eq. (77)
    assert d["rel_err_eq77"] < 1e-5
    assert abs(d["I8_1_over_eq78"][0] - 1) < 1e-4  # Eq. (78) at theta = 1e-3 (measured 8e-6)
    # I8^(0) -> const + O(theta^2) (text before Eq. 79), coefficient pi^2/(6 k1^2 (aL+aR)^2)
    assert np.all(np.abs(d["theta2_coef_ratio"] - 1) < 1e-3)
    assert np.all(np.abs(d["I8_0"][:, 0] / d["I8_0_zero"] - 1) < 1e-5)


def test_panasyuk_fig2(runs):
    d = _load(runs, "panasyuk_fig2")
    assert d["rel_err_closed"] < 1e-10  # engine == Eq. (64)-(65) closed form (measured 3.6e-12)
    assert d["classical_dev"] < 1e-10  # classical: T_x = T_p = (T1 + T2)/2 at any coupling
    dT = d["delta_T_px"]  # rows (a)-(d) of the caption
    assert np.all(d["monotonic"]) and np.all(dT[:, 0] < 3e-3) and np.all(dT[:, -1] > 0.8)  # 0 -> 1 monotonically
    assert np.all(dT[1] < dT[0]) and np.all(dT[2] < dT[0]) and np.all(dT[3] < dT[1])  # smaller D, higher T: smaller
    assert np.all(np.abs(d["weak_over_eq72_minus_1"]) < 5e-3)  # Eq. (72) at gamma_hat = 0.01 (measured <= 3.8e-3)
    # strong coupling (gamma_hat = 1e3): T_x back to the classical value (measured +0.3% .. +1.5%), T_p ~
    # hbar sqrt(gamma_hat D)/2 (measured 0.97-0.99)
    assert np.all(np.abs(d["T_x_top_over_classical"] - 1) < 0.03)
    assert np.all(np.abs(d["T_p_top_over_sqrt"] - 1) < 0.05)


def test_panasyuk_fig3(runs):
    d = _load(runs, "panasyuk_fig3", allow_nan=("gamma_max", "K_max"))
    assert d["rel_err_eq43"] < 1e-10  # engine == Eq. (43) by quadrature (epsrel 1e-12; measured 4e-14)
    # K at gamma_hat = 1e5 == the exact gamma_hat -> inf limit up to O(1/gamma_hat) (measured <= 1.3e-4)
    assert np.all(np.abs(d["K_inf_conv"]) < 1e-3)
    dK, gm, tau = d["delta_K"], d["gamma_max"], d["curves_D_tau"][:, 1]
    # D = 1, tau_h w0 = 0.25, 0.5, 1, 1.5, 2: Delta K = 0.436, 0.370, 0.228, 0.076, then no maximum
    assert np.all(np.diff(dK[:5]) < 0) and dK[0] > 0.4 and dK[4] == 0 and np.isnan(gm[4])
    # the maximum sits at hbar gamma_hat / T ~ 10 (text: >~ 10; measured 10.0, 10.4, 11.4, 13.8) and
    # gamma_hat / D > 1
    assert np.all((gm[:4] * tau[:4] > 9.5) & (gm[:4] * tau[:4] < 15)) and np.all(gm[:4] > 1)
    assert gm[5] > gm[1] > gm[6]  # tau_h w0 = 0.5: D/w0 = 0.5, 1, 2 -> 32.6, 20.7, 16.8 (text: moves right)
    # the local maximum disappears at tau_h w0 = 1.977 (text: "tau_h w0 <= 2"); it exceeds K_inf below 1.75-1.76
    # (bisection tolerance 0.02 with --quick)
    assert 1.9 < d["tau_threshold_max_exists"] < 2.05
    assert 1.7 < d["tau_threshold_dK_positive"] < 1.8


def test_panasyuk_fig4(runs):
    d = _load(runs, "panasyuk_fig4", allow_nan=("D_tau_p",))  # D_tau_p = (0.1, 1, 100, inf): inf is the Ohmic bath
    # engine == Eq. (43) / Eq. (62) by quadrature; measured <= 2.5e-9, set by the engine's residue sums at the
    # lowest marker T = 1e-4 (checked against 30-digit mpmath: the quadrature is good to 1e-14)
    assert np.all(d["rel_err_quad"] < 1e-7)
    # T^3 law, Eq. (51), for every D: slope 3 and ratio 1; D tau_p = 0.1 (D = 0.01) has corrections
    # O((2 pi T/D)^2): slope 2.998, ratio 1 - 6e-5 at x = 1e-4; the others within 2e-5
    assert np.all(np.abs(d["low_slope"] - 3) < 5e-3) and np.all(np.abs(d["low_slope"][1:] - 3) < 1e-4)
    assert np.all(np.abs(d["low_over_eq51"] - 1) < 1e-4)
    assert np.all(np.abs(d["high_over_eq47"] - 1) < 1e-4)  # classical plateaus Eq. (47)/(48) (Ohmic: 3e-5, ~1/T)
    assert d["dev_Dtaup100_vs_ohmic"] < 0.03  # D/w0 = 10 ~ D -> inf (measured 2.5% at x = 1, 1.5% classical)
    p = d["plateau"]  # rows D tau_p = 0.1, 1: x, K, slope, K/Eq.76, K/Eq.77, D g3/(8 tau_p)/Eq.77, Eq.77
    assert p[0, 2] < 0.2  # intermediate plateau at D/w0 = 0.01 (min log-slope 0.15-0.16)
    assert abs(p[0, 3] - 1) < 0.01  # Eq. (76) (measured 1.005)
    assert 0.8 < p[0, 4] < 1.0  # Eq. (77) without the misprinted pi: 0.85-0.87 (O(D/T) corrections)
    assert abs(p[0, 5] - 1) < 5e-3  # D g3/(8 tau_p) == gamma_hat^2 D^3/(8 w0^4) (g3 from the roots: 0.998)
    assert p[1, 2] > 0.8  # D/w0 = 0.1: only a shoulder (min log-slope 0.99), no plateau


def test_panasyuk_fourier(runs):
    """Mediator chain (jl.mesoscopic): the relaxed profile equals the Newton steady state (RK4 at t >> the
    slowest relaxation), kappa(T) meets the T^3 law at low T (Eq. 51; next order O((2 pi T / omega0)^2) = 4e-3
    at T = 0.01, measured 5.5e-3) and the classical plateau at high T (Eq. 47; measured 1.2e-5)."""
    d = _load(runs, "panasyuk_fourier")
    assert np.abs(d["T_evolve"][-1] - d["T_steady"]).max() < 1e-5
    assert abs(d["kappa"][0] / d["kappa_eq51"][0] - 1) < 2e-2
    assert abs(d["kappa"][-1] / d["kappa_eq47"] - 1) < 1e-3


def test_ishida_sugita_fig4(runs):
    d = _load(runs, "ishida_sugita_fig4")  # N = 2; rows theta = pi/4, pi/2; rel_err columns lambda = 0.1, 0.01
    rel = np.abs(d["rel_err"])  # T_l / (Eq. 111-112) - 1, spins 1 and 2
    # theta = pi/4: "relative errors of order 1e-2" at lambda = 0.01 (measured 1.27e-2, 1.57e-2), O(lambda)
    assert np.all((5e-3 < rel[0, 1]) & (rel[0, 1] < 5e-2)) and abs(d["slopes"][0] - 1) < 0.05
    # theta = pi/2: flat (K = 0), "much faster": 4.6e-5 at lambda = 0.01, O(lambda^2) (slope measured 2.000)
    assert abs(d["analytic"][1, 0] - d["analytic"][1, 1]) < 1e-12 and d["K"][1] < 1e-15
    assert np.all(rel[1, 1] < 1e-3) and abs(d["slopes"][1] - 2) < 0.05


def test_ishida_sugita_fig5(runs):
    d = _load(runs, "ishida_sugita_fig5")  # --quick: N = 4; rows theta = pi/4, pi/2; columns lambda = 1e-1 .. 1e-4
    rel = d["rel_err"]
    # theta = pi/4: error O(lambda), ~1e-2 at lambda = 0.01 as in the paper (measured 1.7e-2, N = 2: 1.6e-2)
    assert 5e-3 < rel[0, 1] < 5e-2 and abs(rel[0, 1] / d["rel_err_two_spin"][0] - 1) < 0.5
    assert np.all(np.abs(np.log10(rel[0, :-1] / rel[0, 1:]) - 1) < 0.1)  # one decade per decade of lambda
    # a gradient at pi/4 (T_1 - T_N measured 0.095), none at pi/2 (alpha_zz = 0, Eq. 2), converging ~lambda^2
    assert d["gradient"][0] > 0.05 and abs(d["gradient"][1]) < 1e-6
    assert rel[1, 1] < 1e-3 and rel[1, 1] < rel[0, 1] / 100


def test_ishida_sugita_fig6(runs):
    d = _load(runs, "ishida_sugita_fig6")  # --quick: N = 4, lambda = 0.001, 0.01, 0.1
    lhs, rhs = d["lhs"], d["rhs"]
    assert lhs[0] > 0.03  # a nonzero gradient in the limit (measured t_N - t_1 = 0.040)
    assert abs(rhs[0] / lhs[0] - 1) < 3e-3  # both sides of Eq. 150 meet as lambda -> 0 (measured 1.1e-3) ...
    assert 0.8 < d["slope"] < 1.2  # ... with an O(lambda) difference (measured slope 0.90)
