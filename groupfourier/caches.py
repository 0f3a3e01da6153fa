"""Forget every cache of the package: :func:`clear_caches`.

What is cached: irreps and character tables per group, irrep matrices (bounded by bytes:
:data:`groupfourier.groups._base.MATRIX_CACHE`, 512 MB by default), exact irrep matrices,
Murnaghan–Nakayama tables, Young's generators and the fast S_n transform's coset tables.

Examples
--------
>>> from groupfourier import SymmetricGroup
>>> _ = SymmetricGroup(5).irreps()[1].matrices()
>>> clear_caches()
>>> from groupfourier.groups._base import MATRIX_CACHE
>>> MATRIX_CACHE.nbytes
0
"""

from __future__ import annotations

import sys

from . import _mn_sn, _young, fourier
from .groups._base import clear_representation_caches

__all__ = ["clear_caches"]


def clear_caches() -> None:
    """Forget every cached irrep, matrix, table and transform plan (frees their memory)."""
    clear_representation_caches()
    _mn_sn.clear_caches()
    fourier._exact_matrices.cache_clear()
    for cached in (_young._young_numeric, _young._young_exact, _young._young_blocks):
        cached.cache_clear()
    if f"{__package__}._fft_sn" in sys.modules:  # imported at the first S_n/A_n transform
        _clear_fft_sn()


def _clear_fft_sn() -> None:
    from . import _fft_sn

    for cached in (_fft_sn._blocks_cached, _fft_sn._base_matrix, _fft_sn._sparse_generators):
        cached.cache_clear()
    _fft_sn._NumpyOps._cache.clear()
    _fft_sn._TorchOps._cache.clear()
    _fft_sn.LARGE_BLOCK_CACHE.clear()
