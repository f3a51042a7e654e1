"""Closed-form results of the papers, in CONVENTIONS units (k_B = 1), each naming its paper and equation.

- ``defaveri_*``: Defaveri, Olivares, Anteneodo, Phys. Rev. E 105, 054149 (2022): equal-mass mean-field
  chain with pinning and Kac factor, intensive baths (Eq. 18-30).
- ``andreucci_*``: Andreucci, Lepri, Ruffo, Trombettoni: mean-field model with intensive and extensive
  baths, classical part (Eq. 18-30, 62-66) and quantum part (Eq. 46-59: g(x), T_N, the quantum of
  thermal conductance, the zero-point bulk temperature; two misprints corrected). Their k_A is
  CONVENTIONS k = 2 k_A with Kac factor N.
- ``panasyuk_*``: Panasyuk, Levin, Yerkes: one oscillator between two Drude-Ullersma baths, the exact
  quantum heat current and conductance (Eq. 42-43, with the roots of Eq. 21) and their limits (Eq. 47, 51);
  the kinetic and potential temperatures T_p, T_x (Eq. 63-67, Eq. 66 misprint corrected) and their
  weak-coupling limit (Eq. 72-73).
- ``ishida_sugita_*``: Ishida, Sugita: two-spin tilted Ising model between two spin baths in the weak-coupling
  limit, the zeroth-order state rho_0 (Eq. 103) with Eq. B23-B25 solved exactly for unequal baths, and K of
  Eq. B29 (= Eq. 114), exact for equal baths (misprint in Eq. B14 noted).
- ``mean_field_equal_mass_*``: the exact finite-N flux and temperatures of the equal-mass mean-field
  model (any Kac factor, pinning, intensive or extensive baths), from rest; derived in ``finite_n``.
"""

from .andreucci import (
    andreucci_bath_site_temperatures_extensive as andreucci_bath_site_temperatures_extensive,
    andreucci_bath_site_temperatures_intensive as andreucci_bath_site_temperatures_intensive,
    andreucci_bulk_temperature_extensive as andreucci_bulk_temperature_extensive,
    andreucci_bulk_temperature_intensive as andreucci_bulk_temperature_intensive,
    andreucci_bulk_temperature_intensive_large_n as andreucci_bulk_temperature_intensive_large_n,
    andreucci_flux_extensive as andreucci_flux_extensive,
    andreucci_flux_intensive as andreucci_flux_intensive,
    andreucci_flux_intensive_large_n as andreucci_flux_intensive_large_n,
    andreucci_i1 as andreucci_i1,
    andreucci_i1_large_n as andreucci_i1_large_n,
    andreucci_i2 as andreucci_i2,
    andreucci_i5 as andreucci_i5,
    andreucci_i6 as andreucci_i6,
    andreucci_k1 as andreucci_k1,
)
from .andreucci_quantum import (
    andreucci_bulk_temperature_quantum_low_t as andreucci_bulk_temperature_quantum_low_t,
    andreucci_g as andreucci_g,
    andreucci_g_as_printed as andreucci_g_as_printed,
    andreucci_geometric_factor as andreucci_geometric_factor,
    andreucci_i4_zero_temperature as andreucci_i4_zero_temperature,
    andreucci_i7_low_t as andreucci_i7_low_t,
    andreucci_i8_1_low_t as andreucci_i8_1_low_t,
    andreucci_quantum_conductance_extensive_low_t as andreucci_quantum_conductance_extensive_low_t,
    andreucci_quantum_conductance_intensive_large_n as andreucci_quantum_conductance_intensive_large_n,
    andreucci_temperature_scale as andreucci_temperature_scale,
    andreucci_theta as andreucci_theta,
    quantum_of_thermal_conductance as quantum_of_thermal_conductance,
)
from .defaveri import (
    defaveri_flux as defaveri_flux,
    defaveri_flux_large_n as defaveri_flux_large_n,
    defaveri_green_end_to_end as defaveri_green_end_to_end,
    defaveri_lorentzian_a as defaveri_lorentzian_a,
    defaveri_resonance_frequency as defaveri_resonance_frequency,
    defaveri_transmission as defaveri_transmission,
    defaveri_transmission_lorentzian as defaveri_transmission_lorentzian,
)
from .finite_n import (
    EqualMassSteadyState as EqualMassSteadyState,
    kac_factor as kac_factor,
    mean_field_equal_mass_profile as mean_field_equal_mass_profile,
    mean_field_equal_mass_steady_state as mean_field_equal_mass_steady_state,
    mean_field_equal_mass_temperatures as mean_field_equal_mass_temperatures,
)
from .ishida_sugita import (
    ishida_sugita_k as ishida_sugita_k,
    ishida_sugita_two_spin as ishida_sugita_two_spin,
    ishida_sugita_two_spin_state as ishida_sugita_two_spin_state,
)
from .panasyuk import (
    panasyuk_conductance as panasyuk_conductance,
    panasyuk_conductance_classical as panasyuk_conductance_classical,
    panasyuk_conductance_low_t as panasyuk_conductance_low_t,
    panasyuk_heat_current as panasyuk_heat_current,
    panasyuk_roots as panasyuk_roots,
    panasyuk_temperature_weak_coupling as panasyuk_temperature_weak_coupling,
    panasyuk_temperatures as panasyuk_temperatures,
)
