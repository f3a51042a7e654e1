"""The ``jaxlangevin`` command: demo, exact steady states, simulations, sweeps and the figure gallery.

Every command that computes takes an optional CONFIG.toml and ``--set KEY=VALUE`` flags (applied over
the file, validated the same way; ``jaxlangevin config`` prints every key with its default), writes a
labelled NetCDF file (``jl.to_xarray``), a PNG figure and the resolved configuration into
``output.directory``, and exits 0 on success, 2 for a bad configuration (the message names the key) and
1 when the computation fails. The program enables float64 in JAX when a precision setting asks for it
(``exact.precision``, default "float64"; ``simulation.precision``, default "float32").
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import textwrap
import time

_EXIT_OK, _EXIT_FAILED, _EXIT_CONFIG, _EXIT_INTERRUPTED = 0, 1, 2, 130


def demo(n: int = 256) -> None:
    """Build the Defaveri Fig. 4 mean-field system and print its exact steady state and gradient."""
    import jax

    jax.config.update("jax_enable_x64", True)  # the demo is a script: it may set global options
    import jax.numpy as jnp

    import jaxlangevin as jl

    print(f"jaxlangevin {jl.__version__} on {jax.devices()[0].platform}: mean-field chain, N = {n}")
    # Defaveri et al. Fig. 4: gamma = 1, k = 0.1, k0 = 0.02, Kac factor N - 1, random masses delta = 0.1
    masses = jl.masses.random(jax.random.key(0), n, mean=1.0, delta=0.1)
    coupling = jl.MeanField(k=0.1, kac="N-1") + jl.Pinning(k0=0.02)
    baths = jl.intensive(n, temperatures=(1.5, 0.5), gamma=1.0)

    def flux(m):
        return jl.negf_steady_state(jl.System(m, coupling, baths)).flux[0]

    t = time.perf_counter()
    ss = jl.negf_steady_state(jl.System(masses, coupling, baths))
    print(ss)
    print(f"  (exact, {time.perf_counter() - t:.2f} s incl. compilation)")
    t = time.perf_counter()
    grad = jax.grad(flux)(masses)
    print(f"dJ/dm_n: min {float(grad.min()):.3e}, max {float(grad.max()):.3e}, sum {float(jnp.sum(grad)):.3e}"
          f"  ({time.perf_counter() - t:.2f} s)")
    eq = jl.negf_steady_state(jl.System(jl.masses.uniform(n), coupling, baths))
    print(f"equal masses from rest: J = {float(eq.flux[0]):.6e}, bulk T = {float(eq.temperature[n // 2]):.6f}"
          f" (bath-decoupled bulk modes stay cold)")
    simulate_beside_exact(jl)


def simulate_beside_exact(jl, n: int = 8, n_traj: int = 512) -> None:
    """A short ensemble simulation of a small graded chain beside its exact steady state."""
    import jax

    system = jl.System(jl.masses.graded(n, 1.0, 0.4), jl.MeanField(k=1.0) + jl.Pinning(k0=0.5),
                       jl.intensive(n, temperatures=(1.5, 0.5), gamma=1.0))
    exact = jl.negf_steady_state(system)
    t_relax = 10 * float(exact.slowest_relaxation_time)
    print(f"\nsimulation: graded chain N = {n}, {n_traj} trajectories, BAOAB dt = 0.05, "
          f"t_relax = {t_relax:.0f}, t_measure = 1000")
    t = time.perf_counter()
    sim = jl.simulate(system, n_traj=n_traj, dt=0.05, t_relax=t_relax, t_measure=1000.0,
                      key=jax.random.key(1))
    print(f"  ({time.perf_counter() - t:.1f} s)")
    print(f"  flux J_L: simulated {float(sim.flux[0]):.5f} +- {float(sim.flux_err[0]):.5f}, "
          f"exact {float(exact.flux[0]):.5f}")
    print(f"  energy balance: {float(sim.energy_balance):.1e} +- {float(sim.energy_balance_err):.1e}")
    for i in (0, n // 2, n - 1):
        print(f"  T_{i}: simulated {float(sim.temperature[i]):.4f} +- {float(sim.temperature_err[i]):.4f}, "
              f"exact {float(exact.temperature[i]):.4f}")


# ------------------------------------------------------------------------------------------------
# shared steps of the computing commands
# ------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """Leave the command with ``code`` after printing ``message`` on stderr."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def _load(args, command: str):
    """The validated configuration of ``args`` (file, then --set, then the dedicated flags)."""
    from ._config import load_config

    assignments = list(args.set or [])
    if args.N is not None:
        assignments.append(("N", args.N))
    if args.out is not None:
        assignments.append(("output.directory", args.out))
    if args.stem is not None:
        assignments.append(("output.stem", args.stem))
    if args.no_figure:
        assignments.append(("output.figure", False))
    return load_config(args.config, assignments, stem=command)


def _require(problems, cfg) -> None:
    from ._config import ConfigError

    if problems:
        raise ConfigError(problems, cfg.source)


def _use_precision(*precisions: str) -> None:
    """The command is a program: it may turn on float64 (before any array is made)."""
    if "float64" in precisions:
        import jax

        jax.config.update("jax_enable_x64", True)


def _paths(cfg) -> dict:
    folder = cfg["output.directory"]
    os.makedirs(folder, exist_ok=True)
    stem = os.path.join(folder, cfg["output.stem"])
    return dict(nc=stem + ".nc", png=stem + ".png", toml=stem + ".toml", checkpoint=stem + ".checkpoint.npz")


def _write(ds, cfg, paths: dict, figure) -> list[str]:
    """NetCDF (atomically: a temporary file renamed), the resolved TOML and the figure."""
    tmp = paths["nc"] + ".tmp"
    ds.to_netcdf(tmp)
    os.replace(tmp, paths["nc"])
    with open(paths["toml"], "w") as fh:
        fh.write(cfg.to_toml())
    written = [paths["nc"], paths["toml"]]
    if cfg["output.figure"] and figure is not None:
        figure(ds, paths["png"])
        written.append(paths["png"])
    return written


def _attrs(cfg, command: str) -> dict:
    """Everything the caller passes to ``to_xarray``: the resolved configuration and the command."""
    return dict(cfg.data, command=command, config_source=cfg.source or "(defaults)")


def _exact(cfg, system, init=None):
    """The exact steady state that the configuration asks for."""
    import jaxlangevin as jl

    if cfg["exact.method"] == "lyapunov":
        return jl.lyapunov_steady_state(system, init=init or jl.AtRest())
    return jl.negf_steady_state(system, hbar=cfg["baths.hbar"])


def _fmt_profile(t, err=None) -> str:
    import numpy as np

    t = np.asarray(t, float)
    idx = [0, len(t) // 2, len(t) - 1] if len(t) > 3 else list(range(len(t)))
    parts = []
    for i in dict.fromkeys(idx):
        parts.append(f"T_{i} = {t[i]:.6g}" + (f" +- {float(err[i]):.2g}" if err is not None else ""))
    finite = t[np.isfinite(t)]
    extra = f" (min {finite.min():.6g}, max {finite.max():.6g})" if finite.size else ""
    return ", ".join(parts) + extra


# ------------------------------------------------------------------------------------------------
# steady-state
# ------------------------------------------------------------------------------------------------


def _steady_state(args) -> int:
    from ._cli_figures import steady_state_figure
    from ._config import build_system, exact_problems
    from ._io import to_xarray

    cfg = _load(args, "steady-state")
    _require(exact_problems(cfg), cfg)
    _use_precision(cfg["exact.precision"])
    system = _build(lambda: build_system(cfg), cfg)
    t0 = time.perf_counter()
    ss = _exact(cfg, system)
    seconds = time.perf_counter() - t0
    ds = to_xarray(ss, system, **_attrs(cfg, "steady-state"))
    quantum = "classical" if cfg["baths.hbar"] is None else f"quantum, hbar = {cfg['baths.hbar']:g}"
    print(f"exact steady state ({ss.method}, {quantum}, start {ds.attrs['start']}), N = {cfg['N']}, "
          f"{seconds:.2f} s incl. compilation")
    flux = ", ".join(f"{float(x):.10g}" for x in ss.flux)
    print(f"  flux J_b from each bath into the system: {flux}  (rounding <= {float(ss.flux_error.max()):.1e})")
    print(f"  energy balance sum_b J_b: {float(ss.energy_balance):.2e}")
    print(f"  temperature: {_fmt_profile(ds.temperature.values)}")
    if ds.divergent.values.any() if "divergent" in ds else False:
        print(f"  sites {ds.site.values[ds.divergent.values].tolist()}: quantum kinetic temperature diverges "
              "(Ohmic bath; set baths.cutoff for Drude baths)")
    print(f"  slowest relaxation time: {float(ss.slowest_relaxation_time):.4g}")
    written = _write(ds, cfg, _paths(cfg), steady_state_figure)
    print("wrote " + ", ".join(written))
    return _EXIT_OK


def _build(make, cfg):
    """Library objects from a validated configuration; a ValueError there is still a configuration error."""
    from ._config import ConfigError

    try:
        return make()
    except ValueError as e:
        raise ConfigError([("", f"the library rejected this configuration: {e}")], cfg.source) from None


# ------------------------------------------------------------------------------------------------
# simulate
# ------------------------------------------------------------------------------------------------


def _simulate(args) -> int:
    import numpy as np

    import jaxlangevin as jl

    from ._cli_figures import simulation_figure
    from ._config import build_system, exact_problems, simulation_arguments, simulation_problems
    from ._io import to_xarray

    cfg = _load(args, "simulate")
    _require(simulation_problems(cfg), cfg)
    has_exact = not exact_problems(cfg)
    _use_precision(cfg["simulation.precision"], cfg["exact.precision"] if has_exact else "float32")
    system = _build(lambda: build_system(cfg, simulation=True), cfg)
    omega_max = system.max_frequency()
    dt = cfg["simulation.dt"]
    if dt * omega_max >= 2.0:
        _require([("simulation.dt", f"must be < 2 / omega_max = {2.0 / omega_max:.4g} for this system (stability of "
                                    f"the integrator; {0.2 / omega_max:.3g} for accuracy), got {dt!r}")], cfg)
    exact = None
    thermal = cfg["simulation.init"] == "thermal"
    if has_exact:
        exact_system = _build(lambda: build_system(cfg), cfg)
        if thermal and cfg["baths.cutoff"] is None and cfg["baths.hbar"] is None:
            # the Lyapunov engine gives the long-time limit from this start (dark modes keep their energy)
            exact = jl.lyapunov_steady_state(exact_system, init=jl.Thermal(cfg["simulation.init_temperature"]))
        else:
            exact = _exact(cfg, exact_system)
    t_relax = cfg["simulation.t_relax"]
    if t_relax == "auto":
        if exact is None:
            _require([("simulation.t_relax", '"auto" needs the exact engine (a linear coupling); give a number')],
                     cfg)
        t_relax = 10.0 * float(exact.slowest_relaxation_time)
        if not math.isfinite(t_relax):  # masses equal to a few ulp: a mode the engine treats as dark
            _require([("simulation.t_relax", '"auto" is infinite here: a nearly dark mode (masses equal to a few '
                       "ulp) never relaxes in double precision; give a number")], cfg)
        if t_relax > 10 * cfg["simulation.t_measure"]:
            ratio = t_relax / cfg["simulation.t_measure"]
            print(f"  note: t_relax = auto = 10 slowest relaxation times = {t_relax:.3g}, {ratio:.0f} x t_measure"
                  " (nearly-dark modes relax slowly: mean-field chains with weak disorder); set "
                  "simulation.t_relax to trade accuracy for time", file=sys.stderr)
    paths = _paths(cfg)
    checkpoint = paths["checkpoint"] if cfg["simulation.checkpoint"] else None
    if checkpoint and args.fresh and os.path.exists(checkpoint):
        os.remove(checkpoint)
    kwargs = simulation_arguments(cfg, t_relax)
    n_steps = round(t_relax / dt) + round(cfg["simulation.t_measure"] / dt)
    print(f"simulate: N = {cfg['N']}, {kwargs['n_traj']} trajectories, {cfg['simulation.integrator']} dt = {dt:g}, "
          f"t_relax = {t_relax:.6g}, t_measure = {cfg['simulation.t_measure']:g} ({n_steps} steps), "
          f"{cfg['simulation.precision']}, start {cfg['simulation.init']}, seed {cfg['simulation.seed']}")
    if checkpoint:
        resumed = os.path.exists(checkpoint)
        print(f"  checkpoint {checkpoint}{' (resuming)' if resumed else ''}: after an interruption (Ctrl-C, a "
              "killed job) rerun the same command to resume; --fresh starts over")
    t0 = time.perf_counter()
    try:
        res = jl.simulate(system, progress=not args.quiet, checkpoint=checkpoint, **kwargs)
    except jl.SimulationDiverged as e:
        partial = to_xarray(e.partial, system, **_attrs(cfg, "simulate"))
        partial.to_netcdf(paths["nc"].replace(".nc", ".partial.nc"))
        raise _Stop(_EXIT_FAILED, f"{e}\n(statistics before the divergence: "
                                  f"{paths['nc'].replace('.nc', '.partial.nc')})") from None
    except ValueError as e:  # simulate checks its arguments (and the checkpoint's run) before running
        _require([("", f"{e}" + ("" if checkpoint is None or "checkpoint" not in str(e) else
                               " (or run with --fresh)"))], cfg)
    seconds = time.perf_counter() - t0
    ds = to_xarray(res, system, **_attrs(cfg, "simulate"), seconds=seconds)
    if exact is not None:
        ds["exact_flux"] = ("bath", np.asarray(exact.flux, float), dict(ds.flux.attrs, long_name="exact " +
                                                                          ds.flux.attrs["long_name"]))
        ds["exact_temperature"] = ("site", _finite_temperature(exact), dict(
            ds.temperature.attrs, long_name="exact " + ds.temperature.attrs["long_name"]))
        ds.attrs["exact_method"] = exact.method
    steps = round(t_relax / dt) + round(res.t_measure / dt)
    print(f"  {seconds:.1f} s, {res.n_traj * cfg['N'] * steps / max(seconds, 1e-9):.3g} oscillator-steps/s")
    for b in range(len(res.flux)):
        line = f"  flux J_{b}: {float(res.flux[b]):.6g} +- {float(res.flux_err[b]):.2g}"
        if exact is not None:
            z = (float(res.flux[b]) - float(exact.flux[b])) / max(float(res.flux_err[b]), 1e-300)
            line += f"   exact {float(exact.flux[b]):.6g} ({z:+.1f} SE)"
        print(line)
    print(f"  energy balance sum_b J_b: {float(res.energy_balance):.2g} +- {float(res.energy_balance_err):.2g}")
    print(f"  temperature: {_fmt_profile(res.temperature, res.temperature_err)}")
    if exact is not None:
        z = (ds.temperature.values - ds.exact_temperature.values) / ds.temperature_err.values
        print(f"  beside the exact profile: largest deviation {np.nanmax(np.abs(z)):.1f} SE over {cfg['N']} sites")
    written = _write(ds, cfg, paths, simulation_figure)
    if checkpoint and os.path.exists(checkpoint):
        os.remove(checkpoint)  # the result is on disk: the next run with this stem starts afresh
    print("wrote " + ", ".join(written))
    return _EXIT_OK


def _finite_temperature(exact):
    import numpy as np

    t = getattr(exact, "site_temperature", None)
    return np.asarray(exact.temperature if t is None else t, float)


# ------------------------------------------------------------------------------------------------
# sweep
# ------------------------------------------------------------------------------------------------


def _axis_name(key: str) -> str:
    """A configuration key as a grid axis (an identifier, as ``jl.sweep`` and ``ds.sel(...)`` want):
    ``baths.gamma`` -> ``baths_gamma``, ``baths.temperatures[0]`` -> ``baths_temperatures_0``."""
    return re.sub(r"\W", "_", key.replace("[", "_").replace("]", ""))


def _sweep(args) -> int:
    import json

    import jaxlangevin as jl

    from ._cli_figures import sweep_figure
    from ._config import build_system, exact_problems, simulation_arguments, simulation_problems
    from ._io import run_metadata

    cfg = _load(args, "sweep")
    keys = dict(cfg["sweep.grid"])
    if not keys:
        _require([("sweep.grid", 'is empty: give the swept keys and their values, e.g. [sweep.grid] '
                                 '"baths.gamma" = [0.5, 1.0, 2.0]')], cfg)
    simulation = cfg["sweep.method"] == "simulation"
    problems = simulation_problems(cfg) if simulation else exact_problems(cfg)
    if not simulation and cfg["exact.method"] != "negf":
        problems.append(("exact.method", 'an exact sweep runs "negf" (Green\'s functions); "lyapunov" is for '
                                         "steady-state"))
    _require(problems, cfg)
    _use_precision(cfg["simulation.precision"] if simulation else cfg["exact.precision"])
    to_key = {_axis_name(k): k for k in keys}
    grid = {name: keys[key] for name, key in to_key.items()}
    if "N" in grid:  # N is the outer loop
        grid = {"N": grid.pop("N"), **grid}

    def build(**point):
        return build_system(cfg.with_values({to_key[k]: v for k, v in point.items()}), simulation=simulation)

    _build(lambda: build(**{k: v[0] for k, v in grid.items() if k != "seed"}), cfg)
    if simulation:
        kw = simulation_arguments(cfg, cfg["simulation.t_relax"])
        method = jl.Simulation(n_traj=kw["n_traj"], dt=kw["dt"], t_relax=kw["t_relax"], t_measure=kw["t_measure"],
                               init=kw["init"], integrator=kw["integrator"], seed=cfg["simulation.seed"],
                               chunk_steps=kw["chunk_steps"], fused=kw["fused"],
                               resume_points=cfg["simulation.checkpoint"])
    else:
        method = jl.Exact(hbar=cfg["baths.hbar"])
    paths = _paths(cfg)
    n_points = 1
    for v in grid.values():
        n_points *= len(v)
    print(f"sweep: {n_points} points over {', '.join(f'{k} ({len(v)})' for k, v in grid.items())}, "
          f"{'simulation' if simulation else 'exact'}; each finished point is kept in {paths['nc']}.partial/: "
          "after an interruption rerun the same command to resume")
    t0 = time.perf_counter()
    try:
        ds = jl.sweep(build, grid, method=method, store=paths["nc"], progress=not args.quiet)
    except ValueError as e:  # a point the library refuses (e.g. dt above its stability limit), another store
        hint = " (or keep both: --stem NEW_NAME)" if "different sweep" in str(e) else ""
        _require([("", f"{e}{hint}")], cfg)
    seconds = time.perf_counter() - t0
    for name, key in to_key.items():
        ds[name].attrs.update(config_key=key, long_name=f"swept configuration key {key}")
    ds.attrs.update({k: v for k, v in run_metadata().items() if k not in ds.attrs})
    ds.attrs.update(command="sweep", config_source=cfg.source or "(defaults)",
                    sweep_config_keys=json.dumps(to_key), parameters=json.dumps(cfg.data, sort_keys=True))
    print(f"  {seconds:.1f} s")
    flux = ds["flux"].isel(bath=0)
    table = flux.to_series() if n_points <= 24 else flux.to_series().describe()
    print(textwrap.indent(f"flux J_0 from bath 0:\n{table.to_string()}", "  "))
    # the store, relabelled in place (jl.sweep recognises it by its fingerprint, which stays)
    written = _write(ds, cfg, paths, lambda d, p: sweep_figure(d, list(grid), p))
    print("wrote " + ", ".join(written))
    return _EXIT_OK


# ------------------------------------------------------------------------------------------------
# reproduce, config
# ------------------------------------------------------------------------------------------------


def _reproduce(args) -> int:
    from . import _gallery

    if args.list:
        for fig in _gallery.FIGURES.values():
            print(f"{fig.id:<22} {fig.paper.short} {fig.label}: {fig.title}")
        return _EXIT_OK
    figures = None if not args.figures or args.figures == ["all"] else args.figures
    try:
        runs = _gallery.reproduce(figures, quick=args.quick, out=args.out, jobs=args.jobs, progress=not args.quiet)
    except ValueError as e:
        raise _Stop(_EXIT_CONFIG, str(e)) from None
    return _EXIT_OK if all(r.ok for r in runs) else _EXIT_FAILED


def _show_config(args) -> int:
    cfg = _load(args, "config")
    sys.stdout.write(cfg.to_toml())
    return _EXIT_OK


# ------------------------------------------------------------------------------------------------
# the parser
# ------------------------------------------------------------------------------------------------

_DESCRIPTION = """\
Heat transport in chains and networks of coupled oscillators between heat baths (k_B = 1; J_b is the
heat per unit time from bath b into the system; T_n = m_n <v_n^2>).

  jaxlangevin demo                          exact steady state, gradient and a short simulation (~1 min, CPU)
  jaxlangevin steady-state [CONFIG.toml]    exact steady state: fluxes and temperature profile
  jaxlangevin simulate [CONFIG.toml]        Langevin ensemble beside the exact steady state (resumable)
  jaxlangevin sweep CONFIG.toml             a grid of parameter values (resumable)
  jaxlangevin reproduce all --quick         regenerate the figures of the papers
  jaxlangevin config [CONFIG.toml]          print the resolved configuration: every key and its default

Run `jaxlangevin COMMAND --help` for the options of a command."""

_CONFIG_HELP = """\
units: k_B = 1 (temperatures are energies); masses, lengths and times are those of the numbers given.
J_b is the heat per unit time from bath b into the system, T_n = m_n <v_n^2> the kinetic temperature.

configuration:
  CONFIG.toml holds tables [masses], [coupling.*], [baths], [exact], [simulation], [sweep], [output]
  and the key N; everything not given takes its default (`jaxlangevin config` prints all of them with
  their meaning; examples/chain.toml and examples/sweep.toml are annotated examples). --set KEY=VALUE
  overrides one key (dotted name; the value in TOML syntax, bare words as strings), e.g.
      --set N=64 --set baths.gamma=0.5 --set baths.temperatures=[2.0,1.0] --set masses.profile=graded
      --set "baths.temperatures[0]=2.0"     (one side of a pair)
  Unknown keys, wrong types and out-of-range values stop the command with exit status 2 and a message
  naming the key, e.g. `baths.gamma: must be > 0, got -1.0`.

outputs (in output.directory, default ./results; file names from output.stem, default the config
file's name):
  STEM.nc    NetCDF (xarray.open_dataset): variables flux (bath), temperature (site) and their errors,
             masses, bath coordinates (temperature, gamma, kind); units and definitions in the
             variables' attributes; the configuration, versions and device in the file's attributes
  STEM.png   the temperature profile
  STEM.toml  the resolved configuration (rerun it with `jaxlangevin COMMAND STEM.toml`)

exit status: 0 done, 2 bad configuration, 1 the computation failed, 130 interrupted."""


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="jaxlangevin", description=_DESCRIPTION, formatter_class=fmt)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("demo", help="exact steady state, flux gradient and a short simulation (CPU, about a minute)",
                       description="The Defaveri et al. mean-field chain: exact steady state, the gradient of the "
                                   "flux with respect to every mass, and a 512-trajectory simulation of a small "
                                   "graded chain beside its exact steady state.")
    p.add_argument("-N", type=int, default=256, help="size of the mean-field chain (default 256)")

    def computing(name, help, description, extra=""):
        p = sub.add_parser(name, help=help, description=textwrap.fill(description, 100),
                           epilog=_CONFIG_HELP + extra, formatter_class=fmt)
        p.add_argument("config", nargs="?", metavar="CONFIG.toml", help="configuration file (optional)")
        p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one key (repeatable)")
        p.add_argument("-N", type=int, help="number of oscillators (same as --set N=...)")
        p.add_argument("--out", metavar="DIR", help="output directory (same as --set output.directory=DIR)")
        p.add_argument("--stem", help="output file stem (same as --set output.stem=STEM)")
        p.add_argument("--no-figure", action="store_true", help="do not write the PNG")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument("--traceback", action="store_true", help="show the full Python traceback on failure")
        return p

    computing("steady-state", "exact steady state (Green's functions or Lyapunov): fluxes and temperatures",
              "Exact steady state of the configured system, reached from rest: the heat flux of each bath and the "
              "kinetic temperature of every site, by residues of the Green's function (exact.method = \"negf\", "
              "classical or quantum with baths.hbar, Ohmic or Drude baths) or the Lyapunov equation "
              "(\"lyapunov\"). Float64 by default (exact.precision).")
    p = computing("simulate", "ensemble of Langevin trajectories beside the exact steady state (resumable)",
                  "Integrate simulation.n_traj independent Langevin trajectories (BAOAB by default) for "
                  "t_relax + t_measure and report steady-state fluxes and temperatures with standard errors "
                  "across trajectories, beside the exact steady state when the coupling is linear. t_relax = "
                  "\"auto\" is 10 slowest relaxation times of the exact engine. The state is checkpointed "
                  "after every chunk (simulation.checkpoint): interrupt at any time and rerun the same command "
                  "to resume; the resumed run gives exactly the uninterrupted numbers.")
    p.add_argument("--fresh", action="store_true", help="discard an existing checkpoint and start over")
    computing("sweep", "a grid of parameter values, exact or simulated, streamed to disk (resumable)",
              "Run every point of [sweep.grid] (keys of the configuration -> lists of values; N is the outer "
              "loop; seed sweeps the noise key) with sweep.method = \"exact\" (Green's functions, compiled once "
              "per N) or \"simulation\" (jl.simulate with the [simulation] settings; t_relax must be a number). "
              "Each finished point is appended at once to STEM.nc.partial/; rerunning the same command after an "
              "interruption computes only the missing points (with simulation.checkpoint also the point in "
              "progress resumes from its last chunk). When all are done the result goes to STEM.nc: one "
              "dimension per swept key, named as an identifier (baths.gamma -> baths_gamma, "
              "baths.temperatures[0] -> baths_temperatures_0; the coordinate's attribute config_key keeps the "
              "key), then bath and site. STEM.png shows the flux of bath 0 against the first swept parameter.",
              extra="\n\nexample (examples/sweep.toml):\n  [sweep.grid]\n  N = [16, 32, 64]\n"
                    "  \"baths.gamma\" = [0.5, 1.0, 2.0]\n  \"coupling.mean_field.k\" = [0.1, 0.3, 1.0]")
    p = sub.add_parser("reproduce", help="regenerate the papers' figures (the gallery)", formatter_class=fmt,
                       description="Regenerate figures of the seed papers, each by its script in experiments/, "
                                   "writing <script>.png, <script>.npz and <id>.log into --out. FIG is a figure "
                                   "id (see --list) or 'all'.")
    p.add_argument("figures", nargs="*", metavar="FIG", help="figure ids, or 'all' (default)")
    p.add_argument("--list", action="store_true", help="list the figure ids with their papers and exit")
    p.add_argument("--quick", action="store_true", help="small sizes (seconds per figure, as in CI)")
    p.add_argument("--out", default="gallery", metavar="DIR", help="output directory (default ./gallery)")
    p.add_argument("--jobs", type=int, default=1, help="figures run at once (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--traceback", action="store_true", help="show the full Python traceback on failure")
    p = sub.add_parser("config", help="print the resolved configuration (every key, its default and meaning)",
                       description="Validate CONFIG.toml and the --set flags and print the resolved configuration "
                                   "as TOML: every key with its value, meaning and allowed values. Without a file: "
                                   "the defaults.", epilog=_CONFIG_HELP, formatter_class=fmt)
    p.add_argument("config", nargs="?", metavar="CONFIG.toml")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one key (repeatable)")
    p.set_defaults(N=None, out=None, stem=None, no_figure=False, traceback=False)
    return parser


_COMMANDS = {"steady-state": _steady_state, "simulate": _simulate, "sweep": _sweep, "reproduce": _reproduce,
             "config": _show_config}


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a killed batch job) unwinds like Ctrl-C, so the interruption message is printed."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    """Entry point of the ``jaxlangevin`` command; returns the exit status (see the module docstring)."""
    from ._config import ConfigError

    args = _parser().parse_args(argv)
    if args.command == "demo":
        demo(args.N)
        return _EXIT_OK
    prog = f"jaxlangevin {args.command}"
    try:
        with _terminate_as_interrupt():
            return _COMMANDS[args.command](args)
    except ConfigError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return _EXIT_CONFIG
    except _Stop as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return e.code
    except BrokenPipeError:  # output piped into `head`: not a failure
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_OK
    except KeyboardInterrupt:
        hint = {"simulate": "the checkpoint keeps every completed chunk: rerun the same command to resume",
                "sweep": "finished points are in the store: rerun the same command to resume",
                "reproduce": "finished figures are on disk: rerun with the remaining ids"}.get(args.command, "")
        print(f"\n{prog}: interrupted{'; ' + hint if hint else ''}", file=sys.stderr)
        return _EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - a program reports failures as an exit status
        if args.traceback:
            raise
        print(f"{prog}: failed: {type(e).__name__}: {e}\n(rerun with --traceback for the details)", file=sys.stderr)
        return _EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
