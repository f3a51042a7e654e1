from .base import AbstractBath as AbstractBath
from .drude import DrudeBath as DrudeBath
from .helpers import extensive as extensive, intensive as intensive
from .ohmic import OhmicBath as OhmicBath
from .quantum_thermal import QuantumThermalBath as QuantumThermalBath
