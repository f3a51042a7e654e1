"""Command line: ``jaxlangevin demo``."""

from __future__ import annotations

import argparse
import time


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


def main(argv=None) -> None:
    """Entry point of the ``jaxlangevin`` command."""
    parser = argparse.ArgumentParser(prog="jaxlangevin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="exact steady state, flux gradient and a short simulation (CPU, about a minute)")
    p.add_argument("-N", type=int, default=256)
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.N)


if __name__ == "__main__":
    main()
