"""jaxlangevin: heat transport in networks of coupled oscillators between heat baths.

Units and signs: ``CONVENTIONS.md`` (k_B = 1; flux J_b is heat from bath b into the system). Frequency
-domain work needs float64: ``jax.config.update("jax_enable_x64", True)``; importing this package never
changes JAX's global settings.
"""

from . import analytic as analytic, design as design, masses as masses, mesoscopic as mesoscopic, spins as spins
from ._bath import (
    AbstractBath as AbstractBath,
    DrudeBath as DrudeBath,
    OhmicBath as OhmicBath,
    QuantumThermalBath as QuantumThermalBath,
    extensive as extensive,
    intensive as intensive,
)
from ._coupling import (
    FPUT as FPUT,
    AbstractCoupling as AbstractCoupling,
    CouplingSum as CouplingSum,
    Dense as Dense,
    FixedWalls as FixedWalls,
    MeanField as MeanField,
    NearestNeighbour as NearestNeighbour,
    OnSiteQuartic as OnSiteQuartic,
    Pinning as Pinning,
    PowerLaw as PowerLaw,
)
from ._greens import green as green, transmission as transmission
from ._initial import (
    AbstractInitial as AbstractInitial,
    AtRest as AtRest,
    Given as Given,
    GivenCovariance as GivenCovariance,
    Thermal as Thermal,
)
from ._integrators import BAOAB as BAOAB, AbstractIntegrator as AbstractIntegrator, EulerMaruyama as EulerMaruyama
from ._io import to_xarray as to_xarray
from ._lyapunov import (
    CovarianceEvolution as CovarianceEvolution,
    covariance_evolution as covariance_evolution,
    lyapunov_steady_state as lyapunov_steady_state,
)
from ._negf import negf_steady_state as negf_steady_state
from ._negf_quantum import thermal_conductance as thermal_conductance
from ._simulate import simulate as simulate
from ._solution import (
    QuantumSteadyState as QuantumSteadyState,
    SimulationDiverged as SimulationDiverged,
    SimulationResult as SimulationResult,
    SteadyState as SteadyState,
)
from ._sweep import sweep as sweep
from ._sweep_methods import Exact as Exact, Simulation as Simulation
from ._system import System as System

__version__ = "0.1.0"
