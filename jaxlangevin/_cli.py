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
    masses = jl.masses.random(jax.random.key(0), n, mean=1.0, delta=0.5)
    coupling = jl.MeanField(k=1.0, kac="N-1") + jl.Pinning(k0=0.02)
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


def main(argv=None) -> None:
    """Entry point of the ``jaxlangevin`` command."""
    parser = argparse.ArgumentParser(prog="jaxlangevin", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="exact steady state and flux gradient of a mean-field chain (CPU, seconds)")
    p.add_argument("-N", type=int, default=256)
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.N)


if __name__ == "__main__":
    main()
