"""groupfourier: exact and numeric representation theory of Z_n, D_n, S_n and A_n.

Conventions (stated once here and in ``docs/conventions.md``, each tested):

* every group has a fixed element order ``G.elements``; a function on G is an
  array whose **last axis** follows that order, leading axes are batch axes;
* Z_n: 0..n−1 under addition mod n;
* D_n: n vertices, order 2n, elements r^k s^e as ``(k, e)``, s r s = r⁻¹;
* S_n: one-line tuples, ``(σ·τ)(i) = σ(τ(i))`` (τ first); A_n: the even ones, same order;
* Fourier transform f̂(ρ) = Σ_g f(g) ρ(g), inverse
  f(x) = (1/|G|) Σ_ρ d_ρ tr(ρ(x⁻¹) f̂(ρ));
* convolution (f ∗ h)(x) = Σ_y f(x y⁻¹) h(y), so (f ∗ h)^ = f̂ ĥ.
"""

from .groups import (AlternatingGroup, ConjugacyClass, CyclicGroup, DihedralGroup, DirectProduct,
                     FiniteGroup, SymmetricGroup, group_from_name)
from .irreps import Irrep, irrep_of, irreps_of
from .characters import (CharacterTable, character_table, coset_character, decompose,
                         inner_product, permutation_character, regular_character,
                         symmetric_character_array, tensor_product_character, trivial_character)
from .fourier import (FourierCoefficients, bandlimited_labels, convolve, fourier_transform,
                      inverse_fourier_transform, plancherel)
from .caches import clear_caches

__all__ = ["FiniteGroup", "ConjugacyClass", "CyclicGroup", "DihedralGroup", "SymmetricGroup",
           "AlternatingGroup",
           "DirectProduct", "group_from_name",
           # irreps and characters
           "Irrep", "irreps_of", "irrep_of",
           "CharacterTable", "character_table", "symmetric_character_array", "inner_product",
           "decompose", "regular_character", "permutation_character", "tensor_product_character",
           "trivial_character", "coset_character",
           # fourier
           "FourierCoefficients", "fourier_transform", "inverse_fourier_transform", "convolve",
           "plancherel", "bandlimited_labels", "clear_caches"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed distribution at first use (importlib.metadata
    takes about 0.1 s to import: `import groupfourier` does not pay it)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("implicit-curriculum")
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        value = "0+unknown"
    globals()["__version__"] = value
    return value
