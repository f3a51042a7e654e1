from .base import AbstractCoupling as AbstractCoupling, CouplingSum as CouplingSum
from .dense import Dense as Dense
from .mean_field import MeanField as MeanField
from .nearest_neighbour import NearestNeighbour as NearestNeighbour
from .nonlinear import FPUT as FPUT, OnSiteQuartic as OnSiteQuartic
from .pinning import FixedWalls as FixedWalls, Pinning as Pinning
from .power_law import PowerLaw as PowerLaw
from .structure import (
    DenseStiffness as DenseStiffness,
    DiagonalPlusRankOne as DiagonalPlusRankOne,
    Tridiagonal as Tridiagonal,
)
