"""Spin-1/2 chains between two heat baths in the weak-coupling limit (Ishida and Sugita).

    H_S = h sum_l sigma^z_l + lambda sum_l sum_jk alpha_jk sigma^j_l sigma^k_{l+1}         (Eq. 1)

with baths on single spins coupled at the same order lambda. ``steady_state`` solves the quantum master
equation of Eq. 5-19 (local bath superoperator, Lamb shift dropped): densely (``Dense``, the reference,
default for N <= 4) or matrix-free with preconditioned GMRES (default above, up to N = 10). hbar = k_B = 1;
float64 required.

    import jax; jax.config.update("jax_enable_x64", True)
    import jaxlangevin as jl
    chain = jl.spins.TiltedIsing(n_spins=6, theta=jnp.pi / 4, lam=0.01, h=1.0)     # also XXZ, XY, SpinModel
    baths = jl.spins.EdgeBaths(temperatures=(1.5, 0.5), c=(1.0, 1.0), d=(1.0, 1.0))  # Eq. B30-B33
    ness = jl.spins.steady_state(chain, baths)
    ness.sigma_z, ness.local_temperature, ness.energy_current, ness.eq150
"""

from ._bath import (
    AbstractSpectrum as AbstractSpectrum,
    ConstantSpectrum as ConstantSpectrum,
    FunctionSpectrum as FunctionSpectrum,
    SpinBath as SpinBath,
)
from ._chain import SpinChain as SpinChain
from ._iterative import GMRES as GMRES
from ._liouvillian import apply_liouvillian as apply_liouvillian, hamiltonian as hamiltonian, liouvillian as liouvillian
from ._models import (
    XXZ as XXZ,
    XY as XY,
    AbstractSpinModel as AbstractSpinModel,
    EdgeBaths as EdgeBaths,
    SpinModel as SpinModel,
    TiltedIsing as TiltedIsing,
)
from ._operators import SIGMA_X as SIGMA_X, SIGMA_Y as SIGMA_Y, SIGMA_Z as SIGMA_Z
from ._result import SpinSteadyState as SpinSteadyState
from ._steady import (
    AbstractSteadyStateSolver as AbstractSteadyStateSolver,
    Dense as Dense,
    steady_state as steady_state,
)
