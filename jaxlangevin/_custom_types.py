"""Array type aliases used in public signatures."""

from jaxtyping import Array, ArrayLike, Float, PRNGKeyArray

Scalar = Float[Array, ""]
ScalarLike = Float[ArrayLike, ""]
SiteVector = Float[Array, " N"]

__all__ = ["Array", "ArrayLike", "Float", "PRNGKeyArray", "Scalar", "ScalarLike", "SiteVector"]
