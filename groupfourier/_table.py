"""The character table object; the families fill it in through their hooks.

This module holds no family knowledge: ``CharacterTable`` asks its group for the
labels (``class_label_str``, ``irrep_label_str``) and the numeric values
(``_numeric_character_values``).  :func:`integer_matrix` builds a sympy matrix
of integers fast (S_n's tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Hashable, Sequence

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

__all__ = ["CharacterTable", "integer_matrix", "exact_matrix"]


@dataclass(frozen=True, eq=False)
class CharacterTable:
    """The character table of a finite group (exact).

    Attributes
    ----------
    group : FiniteGroup
    irrep_labels : tuple
        Row labels, the labels of ``group.irreps()`` in order (trivial first).
    class_labels : tuple
        Column labels, those of ``group.conjugacy_classes`` (identity class first;
        cycle types for S_n).
    class_sizes : tuple of int
        |C| for each column; they sum to |G|.
    values : sympy.ImmutableMatrix
        ``values[i, j]`` = χ_i(C_j), exact, shape (#irreps, #classes).

    Examples
    --------
    >>> from groupfourier import SymmetricGroup
    >>> t = SymmetricGroup(3).character_table()
    >>> t.irrep_labels, t.class_labels, t.class_sizes
    (((3,), (2, 1), (1, 1, 1)), ((1, 1, 1), (2, 1), (3,)), (1, 3, 2))
    >>> t.values
    Matrix([
    [1,  1,  1],
    [2,  0, -1],
    [1, -1,  1]])
    >>> print(t)
    S3 character table
      class    (1,1,1)  (2,1)  (3)
      size           1      3    2
      (3)            1      1    1
      (2,1)          2      0   -1
      (1,1,1)        1     -1    1
    """

    group: Any  # a FiniteGroup (not imported: the groups import this module)
    irrep_labels: tuple
    class_labels: tuple
    class_sizes: tuple
    values: sp.ImmutableMatrix = field(repr=False)

    def __repr__(self) -> str:
        return (f"CharacterTable({self.group!r}: {len(self.irrep_labels)} irreps x "
                f"{len(self.class_labels)} classes)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharacterTable) and other.group == self.group

    def __hash__(self) -> int:
        return hash(("CharacterTable", self.group))

    def character(self, label: Hashable) -> tuple:
        """The row of the irrep ``label``: its exact values on the classes."""
        return tuple(self.values.row(self.row_index(label)))

    def row_index(self, label: Hashable) -> int:
        """Position of ``label`` in ``irrep_labels``; ``ValueError`` listing them if absent."""
        key = tuple(label) if isinstance(label, list) else label
        try:
            return self.irrep_labels.index(key)
        except ValueError:
            shown = list(self.irrep_labels[:8]) + (["…"] if len(self.irrep_labels) > 8 else [])
            raise ValueError(f"CharacterTable of {self.group!r}: no irrep labelled {label!r}; "
                             f"valid labels: {', '.join(map(repr, shown))}.") from None

    def to_numpy(self) -> NDArray:
        """The values as a read-only numpy array, from the same closed forms (float for S_n
        and D_n, complex where a cyclic group is involved); tested equal to ``values``."""
        return self._numeric

    @cached_property
    def _numeric(self) -> NDArray:
        arr = np.array(self.group._numeric_character_values())
        arr.setflags(write=False)
        return arr

    @cached_property
    def _cells(self) -> tuple[tuple[str, ...], ...]:
        """``str`` of every value, printed once per distinct value (Z_n and D_n have ~n)."""
        text: dict = {}
        return tuple(tuple(text[v] if v in text else text.setdefault(v, str(v)) for v in self.values.row(i))
                     for i in range(self.values.rows))

    def to_dict(self) -> dict:
        """A JSON-ready dict: labels as lists, exact values as strings (``str`` of sympy)."""
        return {
            "group": self.group.name,
            "order": self.group.order,
            "irrep_labels": [_jsonable(x) for x in self.irrep_labels],
            "class_labels": [_jsonable(x) for x in self.class_labels],
            "class_sizes": list(self.class_sizes),
            "values": [list(row) for row in self._cells],
        }

    def to_latex(self) -> str:
        r"""The table as a LaTeX ``array``: a header row of classes and sizes, one row per irrep,
        entries by ``sympy.latex``.

        >>> from groupfourier import SymmetricGroup
        >>> print(SymmetricGroup(2).character_table().to_latex())
        \begin{array}{l|rr}
        \text{class} & \mathrm{(1,1)} & \mathrm{(2)} \\
        |C| & 1 & 1 \\
        \hline
        \mathrm{(2)} & 1 & 1 \\
        \mathrm{(1,1)} & 1 & -1
        \end{array}
        """
        def text(s: str) -> str:
            s = s.replace("_", r"\_").replace("⊗", r" \otimes ").replace("×", r" \times ")
            return r"\mathrm{" + s + "}"

        cols = [text(self.group.class_label_str(c)) for c in self.class_labels]
        lines = [r"\text{class} & " + " & ".join(cols) + r" \\",
                 "|C| & " + " & ".join(str(s) for s in self.class_sizes) + r" \\", r"\hline"]
        body = [text(self.group.irrep_label_str(r)) + " & " +
                " & ".join(sp.latex(v) for v in self.values.row(i))
                for i, r in enumerate(self.irrep_labels)]
        lines += [row + r" \\" for row in body[:-1]] + body[-1:]
        return "\n".join([r"\begin{array}{l|" + "r" * len(cols) + "}"] + lines + [r"\end{array}"])

    def _repr_latex_(self) -> str:
        """Jupyter's rich display: :meth:`to_latex` in display math."""
        return "$$" + self.to_latex() + "$$"

    def __str__(self) -> str:
        cols = [self.group.class_label_str(c) for c in self.class_labels]
        rows = [self.group.irrep_label_str(r) for r in self.irrep_labels]
        cells = self._cells
        first = max([len("class"), len("size")] + [len(r) for r in rows])
        widths = [max([len(c), len(str(s))] + [len(row[j]) for row in cells])
                  for j, (c, s) in enumerate(zip(cols, self.class_sizes))]

        def line(head: str, items: Sequence[str]) -> str:
            return "  " + head.ljust(first) + "".join("  " + x.rjust(w) for x, w in zip(items, widths))

        out = [f"{self.group.name} character table", line("class", cols),
               line("size", [str(s) for s in self.class_sizes])]
        out += [line(r, row) for r, row in zip(rows, cells)]
        return "\n".join(out)


def _jsonable(label: Any) -> Any:
    if isinstance(label, tuple):
        return [_jsonable(x) for x in label]
    if isinstance(label, np.integer):
        return int(label)
    return label


def integer_matrix(arr: NDArray) -> sp.ImmutableMatrix:
    """An ImmutableMatrix of integers, built without re-sympifying every entry.

    sympy's constructor sympifies each entry one by one (about 0.2 s for S_16);
    here the distinct values are converted once and the internal sparse integer
    representation is built directly.  Falls back to the public constructor if
    sympy's internals differ.  (Tested equal to the public constructor.)
    """
    rows, cols = arr.shape
    try:
        from sympy.polys.domains import ZZ
        from sympy.polys.matrices import DomainMatrix
        from sympy.polys.matrices.sdm import SDM

        uniq, inverse = np.unique(arr, return_inverse=True)
        ints = np.empty(len(uniq), dtype=object)
        ints[:] = [sp.Integer(int(v)) for v in uniq]
        flat = ints[inverse.ravel()].tolist()  # each distinct value sympified once
        nz_r, nz_c = np.nonzero(arr)
        zz = list(map(ZZ.dtype, arr[nz_r, nz_c].tolist()))
        splits = np.searchsorted(nz_r, np.arange(1, rows))
        sdm = {}
        for i, (cs, vs) in enumerate(zip(np.split(nz_c, splits), _split_list(zz, splits))):
            if len(cs):
                sdm[i] = dict(zip(cs.tolist(), vs))
        rep = DomainMatrix.from_rep(SDM(sdm, (rows, cols), ZZ))
        obj = sp.Basic.__new__(sp.ImmutableDenseMatrix, sp.Integer(rows), sp.Integer(cols),
                               sp.Tuple(*flat, sympify=False))
        obj._rows, obj._cols, obj._rep = rows, cols, rep
        return obj
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other sympy versions
        return sp.ImmutableMatrix(arr.tolist())


def _split_list(values: list, splits: NDArray) -> list[list]:
    bounds = [0] + splits.tolist() + [len(values)]
    return [values[a:b] for a, b in zip(bounds, bounds[1:])]


def exact_matrix(rows: list[list[sp.Basic]]) -> sp.ImmutableMatrix:
    """An ImmutableMatrix of sympy values (already sympified), built without re-checking each.

    sympy's constructor sympifies every entry and probes their types (about 1 s for the
    250 000 entries of D_1000's table); here the entries go straight into the sparse
    ``EXRAW`` representation sympy itself uses for non-rational entries.  All-rational
    input (or another sympy version) takes the public constructor, so the result always
    equals ``sympy.ImmutableMatrix(rows)``.  (Tested equal to the public constructor.)
    """
    if not rows or all(v.is_Rational for row in rows for v in row):
        return sp.ImmutableMatrix(rows)
    try:
        from sympy.polys.domains import EXRAW
        from sympy.polys.matrices import DomainMatrix

        shape = (len(rows), len(rows[0]))
        dod = {i: {j: v for j, v in enumerate(row) if v != 0} for i, row in enumerate(rows)}
        rep = DomainMatrix({i: r for i, r in dod.items() if r}, shape, EXRAW)
        return sp.ImmutableDenseMatrix._fromrep(rep)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other sympy versions
        return sp.ImmutableMatrix(rows)
