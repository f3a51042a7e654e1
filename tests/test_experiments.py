"""Smoke + physics checks of the paper-figure scripts in experiments/ (run with --quick).

The scripts run concurrently (two at a time) in one module-scoped fixture; each test then checks one
script's exit code, output files and one physics statement on its saved data.
"""

import concurrent.futures
import pathlib
import subprocess
import sys

import numpy as np
import pytest

# ~4 minutes on 2 cores (compilation per N): run with -m slow
pytestmark = pytest.mark.slow

EXP = pathlib.Path(__file__).resolve().parents[1] / "experiments"
SCRIPTS = ["defaveri_fig2", "defaveri_fig3", "defaveri_fig4", "defaveri_fig5",
           "andreucci_fig1", "andreucci_fig2", "andreucci_fig3", "andreucci_fig7", "andreucci_fig8",
           "thermalization_time"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("experiments_out")

    def run(name):
        return name, subprocess.run([sys.executable, str(EXP / f"{name}.py"), "--quick", "--out", str(out)],
                                    capture_output=True, text=True, timeout=600, cwd=EXP)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, SCRIPTS))
    return out, results


def _load(runs, name, allow_nan=()):
    out, results = runs
    r = results[name]
    assert r.returncode == 0, r.stderr[-3000:]
    assert (out / f"{name}.png").stat().st_size > 0
    d = dict(np.load(out / f"{name}.npz"))
    for k, v in d.items():
        if v.dtype.kind == "f" and k not in allow_nan:
            assert np.all(np.isfinite(v)), k
    return d


def test_defaveri_fig2(runs):
    d = _load(runs, "defaveri_fig2")
    assert d["max_rel_err_closed_form"] < 1e-8  # engine == Eqs. (20)-(23), exact
    assert np.all(np.abs(d["tail_slope"] + 6) < 0.15)  # T ~ w^-6
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
    # pinned chain: graded/random masses within 5% of identical masses (paper Fig. 4)
    assert np.all(np.abs(J[:, 1, 1:, -1] / J[:, 1, :1, -1] - 1) < 0.05)


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
    assert np.all(np.abs(d["I5"][ok] / d["I5_eq63"][ok] - 1) < 1e-6)  # Eq. (63) exact


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
