"""jl.sweep: grids of steady states, against the exact engine and closed forms; no recompilation across
dynamic values; streaming and resume after an exception or a kill -9; the same numbers on 1 and 4 devices.

Error bars of simulated points are the standard errors of jl.simulate: the spread across independent
trajectories of each trajectory's time average, divided by sqrt(n_traj). They hold whatever the
autocorrelation within a trajectory, and the tests allow 4.5 of them (two-sided 7e-6 per comparison).
"""

import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

import jaxlangevin as jl
from jaxlangevin import _sweep_methods
from jaxlangevin._sweep_store import read_log

# Every simulated sweep runs chunks of 2 x 1024 steps and whole multiples of them: one compiled chunk
# serves every point (and every test) of the same N.
CHUNK = 2048
DT = 0.05
SE = 4.5


def graded_chain(N, gamma, k, T_L=1.5):
    """Graded mean-field chain (masses 0.5..1.5, pinning 0.5): every mode damped, relaxation ~80-120 at N = 4."""
    return jl.System(jl.masses.graded(N, 1.0, 0.5), jl.MeanField(k) + jl.Pinning(0.5),
                     jl.intensive(N, temperatures=(T_L, 0.5), gamma=gamma))


def short_run(n_traj=64, relax_chunks=0, measure_chunks=1, **kw):
    return jl.Simulation(n_traj=n_traj, dt=DT, t_relax=relax_chunks * CHUNK * DT,
                         t_measure=measure_chunks * CHUNK * DT, chunk_steps=CHUNK, **kw)


@pytest.fixture
def count_simulations(monkeypatch):
    """How many points jl.sweep has simulated since the fixture was set up."""
    calls = []
    real = _sweep_methods.simulate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_sweep_methods, "simulate", counting)
    return lambda: len(calls)


# ------------------------------------------------------------------------------------------------
# physics
# ------------------------------------------------------------------------------------------------


def test_exact_sweep_equals_a_loop_of_negf_steady_state():
    """An exact sweep gives the numbers of negf_steady_state called on each point's concrete system: the
    same call, so they agree to rounding (1e-12 absolute on O(0.1-1) fluxes and temperatures; measured 0)."""
    grid = {"gamma": [0.5, 2.0], "T_L": [0.5, 2.0]}
    ds = jl.sweep(lambda gamma, T_L: graded_chain(4, gamma, 1.0, T_L), grid, method=jl.Exact(), progress=False)
    assert ds.flux.dims == ("gamma", "T_L", "bath") and ds.temperature.dims == ("gamma", "T_L", "site")
    for gamma in grid["gamma"]:
        for T_L in grid["T_L"]:
            ref = jl.negf_steady_state(graded_chain(4, gamma, 1.0, T_L))
            point = ds.sel(gamma=gamma, T_L=T_L)
            np.testing.assert_allclose(point.flux, ref.flux, rtol=0, atol=1e-12)
            np.testing.assert_allclose(point.temperature, ref.temperature, rtol=0, atol=1e-12)
            np.testing.assert_allclose(point.bath_temperature, [T_L, 0.5])
    # T_L = T_R = 0.5: no flux and equipartition (the axis reached the system)
    np.testing.assert_allclose(ds.flux.sel(T_L=0.5), 0.0, atol=1e-14)
    np.testing.assert_allclose(ds.temperature.sel(T_L=0.5), 0.5, rtol=1e-12)


@pytest.mark.slow
def test_exact_batched_equals_point_by_point():
    """Exact(batch=3): 4 points in two vmapped calls (the second padded with copies) give the numbers of
    Exact() point by point, to rounding (the same engine, batched)."""
    grid = {"gamma": [0.5, 2.0], "T_L": [0.5, 2.0]}

    def build(gamma, T_L):
        return graded_chain(4, gamma, 1.0, T_L)

    one = jl.sweep(build, grid, method=jl.Exact(), progress=False)
    batched = jl.sweep(build, grid, method=jl.Exact(batch=3), progress=False)
    np.testing.assert_allclose(batched.flux, one.flux, rtol=0, atol=1e-13)
    np.testing.assert_allclose(batched.temperature, one.temperature, rtol=0, atol=1e-13)


@pytest.mark.slow
def test_quantum_exact_sweep_equals_a_loop():
    """Exact(hbar=1): flux and conductance of every point equal negf_steady_state(system, hbar=1) to
    rounding; the Ohmic bath sites' temperatures are +inf and flagged `divergent` (Andreucci Eq. 54)."""
    grid = {"gamma": [0.5, 2.0], "T_L": [0.3, 1.0]}

    def build(gamma, T_L):
        return graded_chain(4, gamma, 1.0, T_L)

    ds = jl.sweep(build, grid, method=jl.Exact(hbar=1.0), progress=False)
    for gamma in grid["gamma"]:
        for T_L in grid["T_L"]:
            ref = jl.negf_steady_state(build(gamma, T_L), hbar=1.0)
            point = ds.sel(gamma=gamma, T_L=T_L)
            np.testing.assert_allclose(point.flux, ref.flux, rtol=0, atol=1e-12)
            np.testing.assert_allclose(point.conductance, ref.conductance, rtol=0, atol=1e-12)
            np.testing.assert_allclose(point.temperature[1:3], ref.temperature_at([1, 2]), rtol=0, atol=1e-12)
    assert np.all(np.isinf(ds.temperature.sel(site=[0, 3]))) and bool(ds.divergent.sel(site=[0, 3]).all())


def test_simulation_sweep_agrees_with_the_exact_sweep_at_every_point():
    """2 x 2 grid (gamma, k) of the graded chain N = 4, 256 trajectories from Thermal(1.0), 2 relaxation
    times discarded (the slowest mode's energy is left with e^-4 of its initial deviation) and 410 time
    units measured. Every flux and every site temperature within 4.5 SE of the exact value, and the
    energy balance sum_b J_b within 4.5 of its SE of zero. BAOAB's dt^2 bias (dt = 0.05, omega_max dt < 0.1:
    well below 1%) is below the SE (~2%)."""
    grid = {"gamma": [0.5, 1.0], "k": [0.5, 1.0]}

    def build(gamma, k):
        return graded_chain(4, gamma, k)

    sim = jl.sweep(build, grid, method=short_run(256, 2, 4, init=jl.Thermal(1.0)), progress=False)
    exact = jl.sweep(build, grid, method=jl.Exact(), progress=False)
    assert 2 * CHUNK * DT > 1.4 * float(exact.slowest_relaxation_time.max())  # t_relax: 1.5 to 2.5 of them
    for name in ("flux", "temperature"):
        z = np.abs(sim[name] - exact[name]) / sim[name + "_err"]
        assert float(z.max()) < SE, (name, z.values)
    assert float(np.max(np.abs(sim.energy_balance) / sim.energy_balance_err)) < SE
    np.testing.assert_allclose(sim.flux.sel(bath=0), -sim.flux.sel(bath=1), atol=float(SE * sim.flux_err.max()))
    assert sim.attrs["method.n_traj"] == 256 and sim.attrs["sweep_method"] == "Simulation"


def test_flux_falls_like_one_over_n_as_the_exact_closed_form():
    """Equal-mass mean-field chains (k = 1, k0 = 0.5, gamma = 1) from rest for N = 4, 8, 16: the bath-
    decoupled bulk modes stay empty, as in the exact state, and the simulated flux equals Defaveri et al.'s
    finite-N closed form (Eq. 16 with Eq. 20 integrated; J -> dT/(2AN), Eq. 30) within 4.5 SE at each N.
    The log-log slope of the simulated J(N) agrees with the exact one (-1.05 here, -1 as N -> inf)
    within 4.5 of its propagated error. The site dimension is padded to N = 16 with NaN."""
    Ns = [4, 8, 16]

    def build(N):
        return jl.System(jl.masses.uniform(N), jl.MeanField(1.0) + jl.Pinning(0.5),
                         jl.intensive(N, temperatures=(1.5, 0.5), gamma=1.0))

    ds = jl.sweep(build, {"N": Ns}, method=short_run(256, 1, 2), progress=False)
    flux, err = ds.flux.sel(bath=0).values, ds.flux_err.sel(bath=0).values
    exact = np.array([float(jl.analytic.defaveri_flux(N, 1.0, 1.0, 1.0, 0.5)) for N in Ns])
    assert np.all(np.abs(flux - exact) < SE * err), (flux, exact, err)
    slope = np.log(flux[-1] / flux[0]) / np.log(Ns[-1] / Ns[0])
    slope_exact = np.log(exact[-1] / exact[0]) / np.log(Ns[-1] / Ns[0])
    slope_err = np.hypot(err[-1] / flux[-1], err[0] / flux[0]) / np.log(Ns[-1] / Ns[0])
    assert abs(slope - slope_exact) < SE * slope_err and slope_err < 0.1, (slope, slope_exact, slope_err)
    assert ds.sizes["site"] == 16
    assert np.all(np.isnan(ds.temperature.sel(N=4).values[4:])) and np.all(np.isfinite(ds.temperature.sel(N=4)[:4]))
    assert np.all(np.isnan(ds.masses.sel(N=8).values[8:]))


# ------------------------------------------------------------------------------------------------
# no recompilation across dynamic values
# ------------------------------------------------------------------------------------------------

def test_no_recompilation_across_gamma_k_temperature_and_seed(backend_compiles):
    """A sweep over one value of each axis compiles what it needs; the same sweep over 2 x 2 x 2 x 2 other
    values (gamma, k, T_L and the noise seed) then compiles nothing (XLA backend compilations counted
    with jax.monitoring). The exact engine likewise."""

    def build(gamma, k, T_L):
        return graded_chain(4, gamma, k, T_L)

    method = short_run(16)
    jl.sweep(build, {"gamma": [1.0], "k": [1.0], "T_L": [1.5], "seed": [0]}, method=method, progress=False)
    jl.sweep(build, {"gamma": [1.0], "k": [1.0], "T_L": [1.5]}, method=jl.Exact(), progress=False)
    before = backend_compiles()
    many = {"gamma": [0.5, 2.0], "k": [0.3, 0.8], "T_L": [1.2, 2.5]}
    sim = jl.sweep(build, dict(many, seed=[3, 4]), method=method, progress=False)
    exact = jl.sweep(build, many, method=jl.Exact(), progress=False)
    assert backend_compiles() == before, f"{backend_compiles() - before} compilations for new parameter values"
    assert sim.flux.shape == (2, 2, 2, 2, 2) and exact.flux.shape == (2, 2, 2, 2)
    # the axes reached the physics: different seeds give different noise, k changes the exact flux
    assert float(sim.flux[0, 0, 0, 0, 0]) != float(sim.flux[0, 0, 0, 1, 0])
    assert float(exact.flux[0, 0, 0, 0]) != float(exact.flux[0, 1, 0, 0])


# ------------------------------------------------------------------------------------------------
# streaming and resume
# ------------------------------------------------------------------------------------------------

RESUME_GRID = {"gamma": [0.5, 1.0, 2.0], "seed": [1, 2]}


def resume_build(gamma):
    return graded_chain(4, gamma, 1.0)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The reference: the resume sweep run once without interruption (6 points)."""
    path = tmp_path_factory.mktemp("sweep") / "whole.nc"
    return jl.sweep(resume_build, RESUME_GRID, method=short_run(), store=path, progress=False)


def assert_same_data(a, b):
    """Every variable and coordinate equal bit for bit (attributes hold creation times and may differ)."""
    assert set(a.variables) == set(b.variables)
    for name in a.variables:
        x, y = a[name].values, b[name].values
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, strict=True)
        else:
            assert (x == y).all(), name


def test_resume_after_an_exception_in_build(tmp_path, uninterrupted, count_simulations):
    """build raises on its 4th call: 3 points are on disk. The second call computes the other 3 only,
    and the dataset equals the uninterrupted one bit for bit."""
    path = tmp_path / "study.nc"
    calls = []

    def failing(gamma):
        calls.append(gamma)
        if len(calls) == 4:
            raise KeyboardInterrupt  # what Ctrl-C looks like to the sweep
        return resume_build(gamma)

    with pytest.raises(KeyboardInterrupt):
        jl.sweep(failing, RESUME_GRID, method=short_run(), store=path, progress=False)
    assert count_simulations() == 3 and not path.exists()
    _, points, _, _ = read_log(str(path) + ".partial/points.log")
    assert sorted(points) == [0, 1, 2]
    resumed = jl.sweep(resume_build, RESUME_GRID, method=short_run(), store=path, progress=False)
    assert count_simulations() == 6
    assert_same_data(resumed, uninterrupted)
    assert path.exists() and not os.path.exists(str(path) + ".partial")
    again = jl.sweep(resume_build, RESUME_GRID, method=short_run(), store=path, progress=False)
    assert count_simulations() == 6  # complete: read back, nothing computed
    assert_same_data(again, uninterrupted)


def test_resume_inside_a_point(tmp_path, monkeypatch):
    """Simulation(resume_points=True): the sweep is interrupted right after the 2nd of 3 chunks of its
    second point has been checkpointed. The rerun continues that point from its checkpoint (one more
    chunk, no chunk run twice) and the dataset equals the uninterrupted run without checkpoints, bit for bit."""
    from jaxlangevin import _simulate

    grid = {"gamma": [0.5, 1.0]}
    reference = jl.sweep(resume_build, grid, method=short_run(measure_chunks=3), progress=False)
    saves = []
    real_save = _simulate._save_checkpoint

    def save_then_stop(*args):
        real_save(*args)
        saves.append(args[0])
        if len(saves) == 5:  # point 0: chunks 1-3; point 1: chunks 1-2
            raise KeyboardInterrupt

    monkeypatch.setattr(_simulate, "_save_checkpoint", save_then_stop)
    path = tmp_path / "study.nc"
    method = short_run(measure_chunks=3, resume_points=True)
    with pytest.raises(KeyboardInterrupt):
        jl.sweep(resume_build, grid, method=method, store=path, progress=False)
    assert os.path.basename(saves[-1]) == "checkpoint-1.npz" and os.path.exists(saves[-1])
    resumed = jl.sweep(resume_build, grid, method=method, store=path, progress=False)
    assert len(saves) == 6 and not os.path.exists(saves[-1])
    assert_same_data(resumed, reference)


_KILLED = """
import sys, time, jax
jax.config.update("jax_enable_x64", True)
import jaxlangevin as jl
def build(gamma):
    time.sleep(0.3)  # the kill lands in the middle of the sweep
    return jl.System(jl.masses.graded(4, 1.0, 0.5), jl.MeanField(1.0) + jl.Pinning(0.5),
                     jl.intensive(4, temperatures=(1.5, 0.5), gamma=gamma))
jl.sweep(build, {"gamma": [0.5, 1.0, 2.0], "seed": [1, 2]},
         method=jl.Simulation(n_traj=64, dt=0.05, t_relax=0.0, t_measure=2048 * 0.05, chunk_steps=2048),
         store=sys.argv[1], progress=False)
"""


def test_resume_after_kill_9(tmp_path, uninterrupted, count_simulations):
    """A subprocess running the sweep is killed with SIGKILL once 2 points are on disk; a torn record is
    appended to its log as a write cut short would leave it. Resuming computes exactly the points that
    were not on disk, and the dataset equals the uninterrupted one bit for bit."""
    path = tmp_path / "study.nc"
    log = str(path) + ".partial/points.log"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(path)], env=dict(os.environ, JAX_PLATFORMS="cpu"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if os.path.exists(log) and len(read_log(log)[1]) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    _, done, _, _ = read_log(log)
    assert 2 <= len(done) < 6 and not path.exists()
    with open(log, "ab") as f:  # the head of a record whose payload never came
        f.write(b"JLSWEEP1\x02" + (10**6).to_bytes(8, "little") + b"\0\0\0\0partial")
    resumed = jl.sweep(resume_build, RESUME_GRID, method=short_run(), store=path, progress=False)
    assert count_simulations() == 6 - len(done)
    assert_same_data(resumed, uninterrupted)


def test_a_store_of_a_different_sweep_is_refused(tmp_path, uninterrupted):
    path = tmp_path / "study.nc"
    uninterrupted.to_netcdf(path)  # a finished store of the resume sweep
    with pytest.raises(ValueError, match="the grid differs"):
        jl.sweep(resume_build, {"gamma": [0.5, 1.0], "seed": [1, 2]}, method=short_run(), store=path, progress=False)
    with pytest.raises(ValueError, match="the method differs"):
        jl.sweep(resume_build, RESUME_GRID, method=short_run(n_traj=32), store=path, progress=False)
    with pytest.raises(ValueError, match="the system `build` returns"):
        jl.sweep(lambda gamma: graded_chain(4, gamma, 0.9), RESUME_GRID, method=short_run(), store=path,
                 progress=False)
    # unfinished: one point in the sidecar, then a sweep with other grid values
    partial = tmp_path / "partial.nc"
    calls = []

    def stop_at_second(gamma):
        calls.append(gamma)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return resume_build(gamma)

    with pytest.raises(KeyboardInterrupt):
        jl.sweep(stop_at_second, RESUME_GRID, method=short_run(), store=partial, progress=False)
    with pytest.raises(ValueError, match="unfinished points of a different sweep.*the grid differs"):
        jl.sweep(resume_build, {"gamma": [0.5], "seed": [1, 2]}, method=short_run(), store=partial, progress=False)


# ------------------------------------------------------------------------------------------------
# devices
# ------------------------------------------------------------------------------------------------

_FOUR_DEVICES = """
import sys, jax
jax.config.update("jax_enable_x64", True)
import numpy as np, jaxlangevin as jl
def build(gamma):
    return jl.System(jl.masses.graded(4, 1.0, 0.5), jl.MeanField(1.0) + jl.Pinning(0.5),
                     jl.intensive(4, temperatures=(1.5, 0.5), gamma=gamma))
ds = jl.sweep(build, {"gamma": [0.5, 1.0, 2.0], "seed": [1, 2]},
              method=jl.Simulation(n_traj=64, dt=0.05, t_relax=0.0, t_measure=2048 * 0.05, chunk_steps=2048),
              progress=False)
np.save(sys.argv[1], np.concatenate([ds.flux.values.ravel(), ds.temperature.values.ravel()]))
print(len(jax.devices()))
"""


def test_same_numbers_on_one_and_four_devices(on_devices, uninterrupted):
    """The 6-point sweep with the trajectories sharded over 4 forced host devices gives the numbers of
    one device. jl.simulate's own tolerance (tests/test_simulate.py): bit for bit where the shards
    vectorize alike, ulps (1e-16 absolute) on hosts whose vector width differs per shard size."""
    if len(jax.devices()) != 1:
        pytest.skip("the reference must run on one device")
    four = on_devices(_FOUR_DEVICES, 4)
    one = np.concatenate([uninterrupted.flux.values.ravel(), uninterrupted.temperature.values.ravel()])
    np.testing.assert_allclose(four, one, rtol=1e-11, atol=1e-12)


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------


def test_bad_input_names_the_parameter(tmp_path):
    run = short_run()

    def build(gamma):
        return graded_chain(4, gamma, 1.0)

    for grid, message in [({}, "non-empty mapping"), ({"gamma": []}, r"grid\['gamma'\]` is empty"),
                          ({"gamma": [[1.0, 2.0]]}, "1-d sequence"), ({"gamma": [1.0, 1.0]}, "repeats"),
                          ({"gamma": [1.0], "seed": [-1]}, r"grid\['seed'\]"), ({"flux": [1.0]}, "reserved"),
                          ({"gamma": [float("nan")]}, "finite")]:
        with pytest.raises(ValueError, match=message):
            jl.sweep(build, grid, method=run, progress=False)
    with pytest.raises(ValueError, match="`seed` axis, but `method` is jl.Exact"):
        jl.sweep(build, {"gamma": [1.0], "seed": [0, 1]}, method=jl.Exact(), progress=False)
    with pytest.raises(ValueError, match="`build` must return a jl.System, got dict at gamma=1.0"):
        jl.sweep(lambda gamma: {"gamma": gamma}, {"gamma": [1.0]}, method=run, progress=False)
    with pytest.raises(ValueError, match="`method` must be"):
        jl.sweep(build, {"gamma": [1.0]}, method="exact", progress=False)
    with pytest.raises(ValueError, match="grid axis 'k'"):  # N hidden in another axis would recompile
        jl.sweep(lambda k: graded_chain(4 if k < 1 else 5, 1.0, k), {"k": [0.5, 2.0]}, method=jl.Exact(),
                 progress=False)
    with pytest.raises(ValueError, match="axis `N` is the number of sites"):
        jl.sweep(lambda N: graded_chain(4, 1.0, 1.0), {"N": [4, 8]}, method=jl.Exact(), progress=False)
    with pytest.raises(ValueError, match="resume_points=True.*give `store`"):
        jl.sweep(build, {"gamma": [1.0]}, method=short_run(resume_points=True), progress=False)
    for kwargs, name in [(dict(n_traj=1), "n_traj"), (dict(dt=0.0), "dt"), (dict(t_relax=-1.0), "t_relax"),
                         (dict(t_measure=float("inf")), "t_measure"), (dict(seed=2**32), "seed"),
                         (dict(init=1.0), "init"), (dict(chunk_steps=0), "chunk_steps")]:
        with pytest.raises(ValueError, match=f"`{name}`"):
            jl.Simulation(**dict(dict(n_traj=4, dt=0.1, t_relax=0.0, t_measure=1.0), **kwargs))
    with pytest.raises(ValueError, match="`hbar`"):
        jl.Exact(hbar=-1.0)
    with pytest.raises(ValueError, match="`batch`"):
        jl.Exact(batch=0)
