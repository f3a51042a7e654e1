"""Inverse design with the gradients of the exact engine (optax).

- ``optimize_masses(system, delta=..., maximize=...)``: the mass profile with fixed mean and bounded
  disorder that maximizes or minimizes the heat flux (or any function of the exact steady state);
  projected gradient with an optax step (``jaxlangevin._mass_design``).
- ``fit_parameters(measured, build, initial)``: weighted least squares of a model ``System`` to a
  measured temperature profile and flux with their standard errors (e.g. from ``jl.simulate``), with
  covariance, correlations and chi^2 (``jaxlangevin._parameter_fit``).

Units and signs: CONVENTIONS.md. Needs float64 (``jax.config.update("jax_enable_x64", True)``).
"""

from ._mass_design import (
    Flux as Flux,
    MassDesign as MassDesign,
    default_optimizer as default_optimizer,
    merge_near_ties as merge_near_ties,
    optimize_masses as optimize_masses,
    project_profile as project_profile,
    tangent_cone_projection as tangent_cone_projection,
)
from ._parameter_fit import (
    Measurement as Measurement,
    ParameterFit as ParameterFit,
    fit_parameters as fit_parameters,
)
