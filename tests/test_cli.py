"""The ``jaxlangevin`` command, run in-process through ``main(argv)``: exit statuses, the numbers in the
NetCDF files it writes (against the library called directly), and interruption + resume of ``simulate``."""

import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest
import xarray as xr

import jaxlangevin as jl
from jaxlangevin import _simulate
from jaxlangevin._cli import main
from jaxlangevin._config import load_config

# a chain that relaxes fast (slowest relaxation time 10.4, so t_relax = "auto" is 104), simulated in float64
SIM_FLAGS = ["-N", "4", "--set", "masses.profile=graded", "--set", "masses.delta=0.4",
             "--set", "coupling.nearest_neighbour.g=1.0", "--set", "coupling.pinning.k0=0.5",
             "--set", "simulation.n_traj=128", "--set", "simulation.t_measure=200.0",
             "--set", "simulation.seed=1", "--set", "simulation.precision=float64",
             "--set", "simulation.chunk_steps=500", "--quiet"]


def _sim_system():
    return jl.System(jl.masses.graded(4, 1.0, 0.4), jl.NearestNeighbour(1.0) + jl.Pinning(0.5),
                     jl.intensive(4, temperatures=(1.5, 0.5), gamma=1.0))


def _open(path):
    with xr.open_dataset(path) as ds:
        return ds.load()


def test_steady_state_file_holds_the_exact_numbers(tmp_path, capsys):
    flags = ["-N", "6", "--set", "masses.profile=random", "--set", "masses.delta=0.2", "--set", "masses.seed=3",
             "--set", "coupling.nearest_neighbour.g=0.7", "--set", "coupling.pinning.k0=0.1",
             "--set", "baths.layout=extensive", "--set", "baths.fractions=[0.34, 0.17]",
             "--set", "baths.gamma=[1.0, 0.5]"]
    assert main(["steady-state", *flags, "--out", str(tmp_path), "--stem", "ss"]) == 0
    assert "flux J_b from each bath" in capsys.readouterr().out
    ds = _open(tmp_path / "ss.nc")
    system = jl.System(jl.masses.random(jax.random.key(3), 6, mean=1.0, delta=0.2),
                       jl.NearestNeighbour(0.7) + jl.Pinning(0.1),
                       jl.extensive(6, fractions=(0.34, 0.17), temperatures=(1.5, 0.5), gamma=(1.0, 0.5)))
    ss = jl.negf_steady_state(system)
    # the same engine on the same system: equal to rounding (1e-12 relative)
    np.testing.assert_allclose(ds.flux.values, np.asarray(ss.flux), rtol=1e-12)
    np.testing.assert_allclose(ds.temperature.values, np.asarray(ss.temperature), rtol=1e-12)
    # conservation: sum_b J_b = 0 to rounding of the flux (its error estimate is ~1e-15 relative)
    assert abs(ds.flux.values.sum()) < 1e-12 * abs(ds.flux.values[0])
    np.testing.assert_array_equal(ds.masses.values, np.asarray(system.masses))
    assert ds.bath_sites.values.sum(axis=1).tolist() == [2, 1]
    assert ds.temperature.dims == ("site",) and ds.flux.dims == ("bath",)
    assert ds.attrs["baths.layout"] == "extensive" and ds.attrs["command"] == "steady-state"
    assert ds.attrs["jaxlangevin_version"] == jl.__version__ and ds.attrs["x64"] == 1
    assert (tmp_path / "ss.png").stat().st_size > 10_000
    # the resolved configuration written beside the result reproduces the run's configuration
    given = _as_sets(flags) + [("output.directory", str(tmp_path)), ("output.stem", "ss")]
    assert load_config(tmp_path / "ss.toml").data == load_config(None, given).data


def _as_sets(flags):
    """The ``--set``/``-N`` flags as load_config assignments."""
    out, it = [], iter(flags)
    for f in it:
        if f == "--set":
            out.append(next(it))
        elif f == "-N":
            out.append(("N", int(next(it))))
    return out


def test_bad_configuration_exits_2_naming_the_key(tmp_path, capsys):
    assert main(["steady-state", "--set", "baths.gamma=-1", "--out", str(tmp_path)]) == 2
    assert "baths.gamma: must be > 0, got -1.0" in capsys.readouterr().err
    path = tmp_path / "bad.toml"
    path.write_text("[baths]\ngama = 1.0\n")
    assert main(["simulate", str(path), "--out", str(tmp_path)]) == 2
    assert 'baths.gama: unknown key (did you mean "gamma"?)' in capsys.readouterr().err
    assert main(["steady-state", "--set", "coupling.quartic.lam=1", "--out", str(tmp_path)]) == 2
    assert "coupling.quartic: is anharmonic" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.nc"))  # nothing written


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """One uninterrupted `simulate` run (the reference of the resume tests)."""
    out = tmp_path_factory.mktemp("sim")
    assert main(["simulate", *SIM_FLAGS, "--out", str(out), "--stem", "ref"]) == 0
    return out


def test_simulate_agrees_with_the_exact_steady_state(simulated):
    ds = _open(simulated / "ref.nc")
    exact = jl.negf_steady_state(_sim_system())
    np.testing.assert_allclose(ds.exact_temperature.values, np.asarray(exact.temperature), rtol=1e-12)
    # statistical agreement: 5 standard errors (across 128 independent trajectories) per quantity, 7
    # quantities: a false alarm has probability ~4e-6; the BAOAB bias at dt = 0.05 is O(dt^2 omega^2) ~
    # 1e-3 relative, below the ~1% standard errors
    z_flux = (ds.flux.values - np.asarray(exact.flux)) / ds.flux_err.values
    z_temp = (ds.temperature.values - np.asarray(exact.temperature)) / ds.temperature_err.values
    assert np.all(np.abs(z_flux) < 5) and np.all(np.abs(z_temp) < 5), (z_flux, z_temp)
    assert abs(float(ds.energy_balance)) < 5 * float(ds.energy_balance_err)
    assert ds.attrs["n_traj"] == 128 and ds.attrs["t_relax"] == pytest.approx(
        10 * float(exact.slowest_relaxation_time), abs=0.05)  # "auto", rounded to whole steps
    assert ds.attrs["simulation.seed"] == 1 and ds.masses.dims == ("site",)
    assert (simulated / "ref.png").is_file() and not (simulated / "ref.checkpoint.npz").exists()


def test_interrupted_simulate_resumes_to_the_uninterrupted_numbers(simulated, tmp_path, monkeypatch, capsys):
    save, calls = _simulate._save_checkpoint, []

    def save_then_interrupt(*args):
        save(*args)
        calls.append(1)
        if len(calls) == 3:  # Ctrl-C after the third chunk of 12
            raise KeyboardInterrupt

    monkeypatch.setattr(_simulate, "_save_checkpoint", save_then_interrupt)
    flags = [*SIM_FLAGS, "--out", str(tmp_path), "--stem", "run"]
    assert main(["simulate", *flags]) == 130
    assert "rerun the same command to resume" in capsys.readouterr().err
    with np.load(tmp_path / "run.checkpoint.npz") as ck:
        assert int(ck["done"]) == 1500  # three chunks of 500 steps of 6150
    monkeypatch.setattr(_simulate, "_save_checkpoint", save)
    assert main(["simulate", *flags]) == 0
    assert "(resuming)" in capsys.readouterr().out
    resumed, reference = _open(tmp_path / "run.nc"), _open(simulated / "ref.nc")
    for name in ("flux", "flux_err", "temperature", "temperature_err", "energy_balance"):
        np.testing.assert_array_equal(resumed[name].values, reference[name].values)  # bit for bit
    assert not (tmp_path / "run.checkpoint.npz").exists()


@pytest.mark.slow
def test_killed_simulate_process_resumes(simulated, tmp_path):
    """A real process killed with SIGKILL after its first checkpoint; the rerun gives the reference numbers."""
    flags = [*SIM_FLAGS, "--out", str(tmp_path), "--stem", "ref", "--set", "simulation.chunk_steps=25"]
    flags_ref = [*SIM_FLAGS, "--out", str(tmp_path / "ref"), "--stem", "ref", "--set", "simulation.chunk_steps=25"]
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    proc = subprocess.Popen([sys.executable, "-m", "jaxlangevin._cli", "simulate", *flags], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "ref.checkpoint.npz"
    deadline = time.time() + 120
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with np.load(checkpoint) as ck:
        done = int(ck["done"])
    assert 0 < done < 6150, done  # killed part-way
    assert main(["simulate", *flags]) == 0
    assert main(["simulate", *flags_ref]) == 0
    a, b = _open(tmp_path / "ref.nc"), _open(tmp_path / "ref" / "ref.nc")
    np.testing.assert_array_equal(a.flux.values, b.flux.values)
    np.testing.assert_array_equal(a.temperature.values, b.temperature.values)


def test_simulate_refuses_an_unstable_time_step(tmp_path, capsys):
    assert main(["simulate", "--set", "simulation.dt=2.0", "--out", str(tmp_path), "--quiet"]) == 2
    assert "simulation.dt: must be < 2 / omega_max" in capsys.readouterr().err


def test_config_command_prints_a_loadable_resolved_file(capsys):
    assert main(["config", "--set", "N=12", "--set", "baths.cutoff=5.0"]) == 0
    text = capsys.readouterr().out
    assert "N = 12  # number of oscillators" in text and "cutoff = [5.0, 5.0]" in text
    import tomllib

    assert tomllib.loads(text)["baths"]["cutoff"] == [5.0, 5.0]


def test_reproduce_lists_figures_and_rejects_unknown_ids(capsys):
    from jaxlangevin._gallery import FIGURES

    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(fid in out for fid in FIGURES) and "Fig. 2" in out
    assert main(["reproduce", "no-such-fig", "--quiet"]) == 2
    assert "defaveri-fig2" in capsys.readouterr().err  # the message lists the valid ids


def test_help_explains_configuration_outputs_and_resume(capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for phrase in ("--set KEY=VALUE", "rerun the same command", "exit status", "STEM.nc", "k_B = 1"):
        assert phrase in " ".join(text.split()), phrase


def _lyapunov_reference(masses, phi, gammas, temperatures):
    """Classical steady state of an intensive chain from A C + C A^T + B = 0 in NumPy/SciPy (an engine
    independent of the library's): T_n = m_n <v_n^2>, J_b = gamma_b (T_b / m_n - <v_n^2>) at the bath site."""
    from scipy.linalg import solve_continuous_lyapunov

    n = len(masses)
    sites, friction, noise = (0, n - 1), np.zeros(n), np.zeros(n)
    for site, g, t in zip(sites, gammas, temperatures):
        friction[site] += g
        noise[site] += 2 * g * t / masses[site] ** 2
    a = np.block([[np.zeros((n, n)), np.eye(n)], [-phi / masses[:, None], -np.diag(friction / masses)]])
    c = solve_continuous_lyapunov(a, -np.diag(np.r_[np.zeros(n), noise]))
    v2 = np.diag(c)[n:]
    flux = [g * (t / masses[site] - v2[site]) for site, g, t in zip(sites, gammas, temperatures)]
    return np.array(flux), masses * v2


def test_sweep_file_holds_the_exact_numbers_of_every_point(tmp_path, capsys):
    flags = ["sweep", "--set", "sweep.grid.N=[4, 6]", "--set", 'sweep.grid."baths.temperatures[0]"=[1.0, 2.0]',
             "--set", "baths.gamma=[1.0, 0.5]", "--out", str(tmp_path), "--quiet"]
    assert main(flags) == 0
    ds = _open(tmp_path / "sweep.nc")
    assert ds.flux.dims == ("N", "baths_temperatures_0", "bath")
    assert ds.baths_temperatures_0.attrs["config_key"] == "baths.temperatures[0]"
    assert ds.attrs["command"] == "sweep" and ds.attrs["jaxlangevin_version"] == jl.__version__
    for n in (4, 6):
        masses = 0.6 + 0.8 * np.arange(n) / (n - 1)  # graded, delta = 0.4 (the default)
        phi = (n * np.eye(n) - 1) / (n - 1) + 0.5 * np.eye(n)  # mean field k = 1, Nt = N - 1, pinning 0.5
        for t_left in (1.0, 2.0):
            point = ds.sel(N=n, baths_temperatures_0=t_left)
            flux, temperature = _lyapunov_reference(masses, phi, (1.0, 0.5), (t_left, 0.5))
            # two exact methods: residues vs a dense Lyapunov solve, both ~1e-14 relative at N <= 6 (the
            # condition number of the Lyapunov operator is ~1e3 here); 1e-10 leaves room for both
            np.testing.assert_allclose(point.flux.values, flux, rtol=1e-10)
            np.testing.assert_allclose(point.temperature.values[:n], temperature, rtol=1e-10)
            assert np.isnan(point.temperature.values[n:]).all()  # the site axis is padded to the largest N
            assert abs(float(point.flux.sum())) < 1e-12 * float(point.flux[0])
    capsys.readouterr()
    # a rerun finds the finished sweep and computes nothing; a changed configuration is refused (exit 2)
    assert main(flags) == 0
    assert main(flags + ["--set", "coupling.pinning.k0=0.1"]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    assert main(["sweep", "--set", "sweep.grid.baths.gama=[1.0]", "--out", str(tmp_path)]) == 2
    assert 'did you mean "baths.gamma"' in capsys.readouterr().err
