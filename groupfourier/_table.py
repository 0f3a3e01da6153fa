"""The character table object; the families fill it in through their hooks.

This module holds no family knowledge: ``CharacterTable`` asks its group for the
labels (``class_label_str``, ``irrep_label_str``) and the numeric values
(``_numeric_character_values``).  :func:`indexed_matrix` builds a sympy matrix from
its distinct values and an index array fast (D_n's tables; :func:`integer_matrix`, S_n's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Hashable, Sequence

import numpy as np
from ._lazy import sympy as sp  # imported at first use: `import groupfourier` stays fast
from numpy.typing import NDArray

__all__ = ["CharacterTable", "integer_matrix", "exact_matrix", "indexed_matrix"]


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
    here each distinct value is converted once (:func:`indexed_matrix`).
    (Tested equal to the public constructor.)
    """
    uniq, inverse = np.unique(arr, return_inverse=True)
    return indexed_matrix([sp.Integer(int(v)) for v in uniq], inverse.reshape(arr.shape))


def exact_matrix(rows: list[list[sp.Basic]]) -> sp.ImmutableMatrix:
    """An ImmutableMatrix of sympy values (already sympified), built without re-checking each.

    Equal values are found by hashing and the matrix is built by :func:`indexed_matrix`.
    (Tested equal to ``sympy.ImmutableMatrix(rows)``.)
    """
    if not rows or not rows[0]:
        return sp.ImmutableMatrix(rows)
    position: dict = {}
    index = np.array([[position.setdefault(v, len(position)) for v in row] for row in rows],
                     dtype=np.intp)
    return indexed_matrix(list(position), index)


def indexed_matrix(values: Sequence[sp.Basic], index: NDArray[np.integer]) -> sp.ImmutableMatrix:
    """The ImmutableMatrix M with M[i, j] = ``values[index[i, j]]``, each value converted once.

    sympy's constructor sympifies every entry, compares each with 0 and probes their types
    (about 1 s for the 250 000 entries of D_1000's table).  Here the zero test and the
    domain (ZZ when every value used is an Integer, QQ when a Rational, else EXRAW: sympy's
    own choice) are decided once per distinct value, and sympy's internal sparse
    representation is built from the index array.  Another sympy version without these
    internals takes the public constructor, so the result always equals
    ``sympy.ImmutableMatrix`` of the same entries.  (Tested equal to the public constructor.)

    >>> import numpy as np, sympy as sp
    >>> indexed_matrix([sp.Integer(0), sp.sqrt(2)], np.array([[1, 0], [0, 1]]))
    Matrix([
    [sqrt(2),       0],
    [      0, sqrt(2)]])
    """
    index = np.asarray(index, dtype=np.intp)
    rows, cols = index.shape
    objs = np.empty(len(values), dtype=object)
    objs[:] = list(values)
    flat = objs[index.ravel()].tolist()
    try:
        from sympy.polys.domains import EXRAW, QQ, ZZ
        from sympy.polys.matrices import DomainMatrix

        used = np.zeros(len(objs), dtype=bool)
        used[index.ravel()] = True  # (np.unique would import numpy.ma: 0.03-0.06 s once)
        if all(isinstance(v, sp.Integer) for v in objs[used]):
            domain, elements = ZZ, [ZZ(int(v)) if isinstance(v, sp.Integer) else None for v in objs]
        elif all(isinstance(v, sp.Rational) for v in objs[used]):
            domain, elements = QQ, [QQ(int(v.p), int(v.q)) if isinstance(v, sp.Rational) else None
                                    for v in objs]
        else:
            domain, elements = EXRAW, list(objs)
        nonzero = np.array([v != 0 for v in objs], dtype=bool)
        nz_r, nz_c = np.nonzero(nonzero[index])
        dom = np.empty(len(elements), dtype=object)
        dom[:] = elements
        entries = dom[index[nz_r, nz_c]].tolist()
        splits = np.searchsorted(nz_r, np.arange(1, rows))
        sdm = {}
        for i, (cs, vs) in enumerate(zip(np.split(nz_c, splits), _split_list(entries, splits))):
            if len(cs):
                sdm[i] = dict(zip(cs.tolist(), vs))
        rep = DomainMatrix.from_rep(_sdm(sdm, (rows, cols), domain))
        obj = sp.Basic.__new__(sp.ImmutableDenseMatrix, sp.Integer(rows), sp.Integer(cols),
                               sp.Tuple(*flat, sympify=False))
        obj._rows, obj._cols, obj._rep = rows, cols, rep
        return obj
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other sympy versions
        return sp.ImmutableMatrix(rows, cols, flat)


def _sdm(dod: dict, shape: tuple[int, int], domain: Any) -> Any:
    """sympy's sparse matrix ``SDM(dod, shape, domain)`` without its per-entry range check
    (0.1 s for D_1000's 250 000 entries; the indices here come from ``numpy.nonzero`` of an
    array of that shape, so they are in range)."""
    from sympy.polys.matrices.sdm import SDM

    rep = SDM.__new__(SDM)
    dict.update(rep, dod)
    rep.shape = (rep.rows, rep.cols) = shape
    rep.domain = domain
    return rep


def _split_list(values: list, splits: NDArray) -> list[list]:
    bounds = [0] + splits.tolist() + [len(values)]
    return [values[a:b] for a, b in zip(bounds, bounds[1:])]
