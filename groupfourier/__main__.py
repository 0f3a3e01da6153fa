"""Command line: character tables, irreps and group facts.

Usage::

    python -m groupfourier table S5            # the exact character table, aligned
    python -m groupfourier table D6 --json t.json
    python -m groupfourier irreps S4 [--form seminormal] [--json PATH]
    python -m groupfourier info Z12 [--json PATH]

Group names: ``Z<n>`` (or ``C<n>``), ``D<n>`` (n vertices, order 2n), ``S<n>``, ``A<n>``.
``--json PATH`` writes the result as JSON with labels as lists and exact values as
strings (``-``: standard output; the rules are those of :mod:`groupfourier._io`).  A bad argument prints one line on stderr and
exits with code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import Any, Sequence

from ._io import json_output, write_json

from .characters import character_table
from .groups import group_from_name

__all__ = ["main", "build_parser", "write_json_atomic", "MAX_CLASSES"]

#: The commands print one line per class or irrep (a table: their square); groups with
#: more classes get a one-line error instead of an unbounded print.
MAX_CLASSES = 200

write_json_atomic = write_json   # the former name of the shared writer (groupfourier._io)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m groupfourier",
        description="Exact representation theory of Z_n, D_n (n vertices, order 2n), S_n and A_n.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("group", help="Z<n>, D<n> (n vertices, order 2n), S<n> or A<n>, e.g. S5, D6, Z12, A5")
        p.add_argument("--json", metavar="PATH", help="also write the result as JSON ('-': stdout)")
        return p

    add("table", "print the exact character table (rows: irreps, columns: conjugacy classes)")
    p = add("irreps", "list the irreducible representations: label and dimension")
    p.add_argument("--form", default=None,
                   help="complex|real (Z_n, D_n), orthogonal|seminormal (S_n) or unitary (A_n); default: the first")
    add("info", "order, conjugacy classes and number of irreps")
    return parser


def _labels(x: Any) -> Any:
    return [_labels(y) for y in x] if isinstance(x, tuple) else x


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 success, 2 bad input).

    Examples
    --------
    >>> main(["table", "D3"])
    D3 character table
      class  1   r   s
      size   1   2   3
      A1     1   1   1
      A2     1   1  -1
      E1     2  -1   0
    0
    """
    args = build_parser().parse_args(argv)
    with contextlib.ExitStack() as json_block:
        return _main(args, json_block)


def _main(args: argparse.Namespace, json_block: contextlib.ExitStack) -> int:
    try:
        json_block.enter_context(json_output(args.json))
        G = group_from_name(args.group)
        if G.class_count > MAX_CLASSES:
            raise ValueError(f"{G.name} has {G.class_count} conjugacy classes; the command line "
                             f"prints groups with at most {MAX_CLASSES} (a table is their square). "
                             f"Use the Python API, e.g. groupfourier.character_table, instead.")
        if args.command == "table":
            table = character_table(G)
            print(table)
            data = table.to_dict()
        elif args.command == "irreps":
            irreps = G.irreps(args.form)
            print(f"{G.name}: {len(irreps)} irreps, form {irreps[0].form!r}")
            for rho in irreps:
                print(f"  {str(rho.label):<24} dim {rho.dim}")
            data = {"group": G.name, "form": irreps[0].form,
                    "irreps": [{"label": _labels(r.label), "dim": r.dim} for r in irreps]}
        else:
            classes = G.conjugacy_classes
            data = {"group": G.name, "repr": repr(G), "order": G.order, "abelian": G.is_abelian,
                    "classes": [{"label": _labels(c.label), "size": c.size,
                                 "representative": _labels(c.representative)} for c in classes],
                    "irreps": len(classes)}
            print(f"{G!r}: order {G.order}, {len(classes)} conjugacy classes "
                  f"({'abelian' if G.is_abelian else 'non-abelian'})")
            for c in classes:
                print(f"  class {str(c.label):<24} size {c.size:<10} representative {c.representative}")
        if args.json:
            write_json(args.json, data)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
