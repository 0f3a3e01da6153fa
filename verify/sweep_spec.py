r"""Sweep specifications: a TOML/YAML grid over ``verify run`` options, validated and
expanded into runs (:class:`SweepSpec`, :func:`parse_spec`, :func:`load_spec`,
:func:`expand`).  See :mod:`verify.sweep` for the format and the command line.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import itertools
import json
import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .config import RunConfig

__all__ = ["SweepSpec", "SweepRun", "load_spec", "parse_spec", "expand", "config_id",
           "preset_path", "preset_names", "SWEEP_KEYS", "SPECTRUM_KEYS", "DERIVED_AXES",
           "DEFAULT_LEVELS"]

SWEEP_KEYS = ("name", "description", "seeds", "levels")
SPECTRUM_KEYS = ("first", "last", "n_levels")
#: Grid axes that are not RunConfig fields.
DERIVED_AXES = ("ratio",)
DEFAULT_LEVELS = (0.5, 0.9)


def _config_fields() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(RunConfig))


def _unknown(who: str, names: Iterable[str], valid: Sequence[str]) -> None:
    bad = [n for n in names if n not in valid]
    if bad:
        hints = {b: difflib.get_close_matches(b, valid, n=1) for b in bad}
        hint = "; ".join(f"{b!r}: did you mean {h[0]!r}?" for b, h in hints.items() if h)
        raise ValueError(f"{who}: unknown option(s) {bad}; expected some of {sorted(valid)}."
                         + (f" ({hint})" if hint else ""))


def _canon(value: Any) -> Any:
    """TOML/YAML lists -> tuples, recursively (RunConfig fields are tuples)."""
    if isinstance(value, list):
        return tuple(_canon(v) for v in value)
    return value


# ============================================================================ spec
@dataclass(frozen=True, kw_only=True)
class SweepSpec:
    r"""A parsed, validated sweep specification.

    Parameters
    ----------
    name : str
        Recorded in every row (column ``sweep``).
    base : tuple of (str, value)
        Fixed RunConfig options.
    grid : tuple of (str, tuple)
        The axes, in spec order: a RunConfig field or ``ratio``, with its values.
    seeds : tuple of int
        Seeds of every cell (``(base seed,)`` when the spec gives none and no ``seed``
        axis).
    levels : tuple of float
        Success levels whose first crossing is recorded per horizon, each in (0, 1].
    spectrum : tuple of (str, int)
        ``first`` or ``last``, and ``n_levels``: how a ``ratio`` becomes horizons.
    description, source : str

    Examples
    --------
    >>> spec = parse_spec({"base": {"group": "D4", "horizons": [2, 4]}, "grid": {"c_B": [2.0, 4.0]}})
    >>> spec.shape, spec.n_runs
    ((2,), 2)
    """

    name: str = "sweep"
    base: tuple[tuple[str, Any], ...] = ()
    grid: tuple[tuple[str, tuple], ...] = ()
    seeds: tuple[int, ...] = (0,)
    levels: tuple[float, ...] = DEFAULT_LEVELS
    spectrum: tuple[tuple[str, int], ...] = ()
    description: str = ""
    source: str = "<spec>"

    @property
    def axes(self) -> tuple[str, ...]:
        """Names of the grid axes, in spec order."""
        return tuple(k for k, _ in self.grid)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values on each axis."""
        return tuple(len(v) for _, v in self.grid)

    @property
    def n_runs(self) -> int:
        """Cells times seeds."""
        return math.prod(self.shape) * len(self.seeds)


def _check_levels(who: str, levels: Any) -> tuple[float, ...]:
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ValueError(f"{who}: levels must be a non-empty list of numbers in (0, 1]; "
                         f"got levels={levels!r}.")
    out = []
    for v in levels:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise ValueError(f"{who}: each level must be a number in (0, 1]; got {v!r} in "
                             f"levels={levels!r}.")
        out.append(float(v))
    return tuple(sorted(set(out)))


def _check_seeds(who: str, seeds: Any) -> tuple[int, ...]:
    if not isinstance(seeds, (list, tuple)) or not seeds:
        raise ValueError(f"{who}: seeds must be a non-empty list of integers; got seeds={seeds!r}.")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValueError(f"{who}: each seed must be an integer >= 0; got {s!r} in "
                             f"seeds={seeds!r}.")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{who}: seeds must be distinct (duplicate runs); got seeds={seeds!r}.")
    return tuple(seeds)


def parse_spec(data: Mapping[str, Any], *, source: str = "<spec>") -> SweepSpec:
    """Validate a spec mapping (as read from TOML or YAML) into a :class:`SweepSpec`.

    Every configuration is built once here, so an invalid one fails before anything
    runs; see :func:`expand` for the runs themselves.

    Raises
    ------
    ValueError
        Naming the unknown table or option, the empty axis, or the cell whose values
        ``RunConfig`` rejects (with its message), and the spec's source.

    Examples
    --------
    >>> parse_spec({"grid": {"cB": [2.0]}})
    Traceback (most recent call last):
    ...
    ValueError: sweep spec <spec> [grid]: unknown option(s) ['cB']; ... did you mean 'c_B'?)
    """
    who = f"sweep spec {source}"
    if not isinstance(data, Mapping):
        raise ValueError(f"{who}: expected a table with [sweep], [base], [grid], [spectrum]; "
                         f"got {type(data).__name__}.")
    _unknown(who, data, ("sweep", "base", "grid", "spectrum"))
    tables = {}
    for t in ("sweep", "base", "grid", "spectrum"):
        v = data.get(t, {})
        if not isinstance(v, Mapping):
            raise ValueError(f"{who}: [{t}] must be a table of options; got {v!r}.")
        tables[t] = dict(v)
    meta, base, grid, spec = tables["sweep"], tables["base"], tables["grid"], tables["spectrum"]
    fields = _config_fields()
    _unknown(f"{who} [sweep]", meta, SWEEP_KEYS)
    _unknown(f"{who} [base]", base, fields)
    _unknown(f"{who} [grid]", grid, fields + DERIVED_AXES)
    _unknown(f"{who} [spectrum]", spec, SPECTRUM_KEYS)
    if not grid:
        raise ValueError(f"{who}: [grid] is empty; give at least one option with a list of "
                         f"values, e.g. c_B = [2.0, 4.0].")
    axes = []
    for k, vals in grid.items():
        if not isinstance(vals, list):
            raise ValueError(f"{who} [grid]: {k} must be a list of values; got {k}={vals!r}. "
                             f"Put a fixed option in [base].")
        if not vals:
            raise ValueError(f"{who} [grid]: {k} = [] is empty, so the grid has no cell; give "
                             f"at least one value or remove the axis.")
        vals = tuple(_canon(v) for v in vals)
        dup = sorted({repr(v) for v in vals if vals.count(v) > 1})
        if dup:
            raise ValueError(f"{who} [grid]: {k} repeats value(s) {', '.join(dup)} "
                             f"(duplicate cells); list each value once.")
        axes.append((k, vals))
    both = sorted(set(base) & set(grid))
    if both:
        raise ValueError(f"{who}: option(s) {both} are in both [base] and [grid]; keep one.")
    uses_ratio = "ratio" in grid
    if uses_ratio and ("horizons" in base or "horizons" in grid):
        raise ValueError(f"{who}: the ratio axis builds the horizons from [spectrum]; remove "
                         f"'horizons' from [base]/[grid] or remove the ratio axis.")
    if uses_ratio:
        if ("first" in spec) == ("last" in spec):
            raise ValueError(f"{who} [spectrum]: a ratio axis needs exactly one of 'first' (the "
                             f"shortest horizon) or 'last' (the longest); got {spec!r}.")
        spec.setdefault("n_levels", 2)
        for k, v in spec.items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{who} [spectrum]: {k} must be an integer >= 1; got {k}={v!r}.")
        if spec["n_levels"] < 2:
            raise ValueError(f"{who} [spectrum]: n_levels must be >= 2 for a ratio to mean "
                             f"anything; got n_levels={spec['n_levels']}.")
    elif spec:
        raise ValueError(f"{who}: [spectrum] is only used by a 'ratio' axis in [grid]; add one "
                         f"or remove [spectrum].")
    if "seeds" in meta and "seed" in grid:
        raise ValueError(f"{who}: give the seeds once, as [sweep] seeds or as a 'seed' axis.")
    if "seeds" in meta and "seed" in base:
        raise ValueError(f"{who}: give the seeds once, as [sweep] seeds or as [base] seed.")
    seeds = (_check_seeds(who, meta["seeds"]) if "seeds" in meta
             else (int(base.get("seed", RunConfig.seed)),))
    name = meta.get("name", Path(source).stem if source != "<spec>" else "sweep")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{who}: [sweep] name must be a non-empty string; got {name!r}.")
    out = SweepSpec(name=name, base=tuple((k, _canon(v)) for k, v in base.items()),
                    grid=tuple(axes), seeds=seeds,
                    levels=_check_levels(who, meta.get("levels", list(DEFAULT_LEVELS))),
                    spectrum=tuple(spec.items()), description=str(meta.get("description", "")),
                    source=source)
    expand(out)  # builds every RunConfig: bad values and duplicates fail now
    return out


def load_spec(path: str | os.PathLike) -> SweepSpec:
    """Read a spec from a ``.toml`` (tomllib) or ``.yaml``/``.yml`` file (PyYAML, which
    Dask already requires), or a preset name (:func:`preset_names`).

    Examples
    --------
    >>> load_spec("small").name
    'small'
    """
    p = Path(path)
    if not p.exists() and str(path) in preset_names():
        p = preset_path(str(path))
    if not p.exists():
        raise ValueError(f"load_spec: no spec file {str(path)!r}; pass a .toml/.yaml path or "
                         f"a preset name from {list(preset_names())}.")
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ValueError(f"load_spec: {str(p)!r} has suffix {suffix!r}; expected .toml, "
                         f".yaml or .yml.")
    try:
        if suffix == ".toml":
            import tomllib
            data = tomllib.loads(p.read_text())
        else:
            import yaml
            data = yaml.safe_load(p.read_text()) or {}
    except Exception as err:  # tomllib.TOMLDecodeError, yaml.YAMLError
        raise ValueError(f"load_spec: cannot parse {str(p)!r}: {err}") from None
    return parse_spec(data, source=str(p))


def preset_names() -> tuple[str, ...]:
    """Names of the sweep presets shipped in ``verify/sweeps/*.toml``.

    Examples
    --------
    >>> "small" in preset_names()
    True
    """
    root = resources.files("verify") / "sweeps"
    return tuple(sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml")))


def preset_path(name: str) -> Path:
    """Path of the preset ``name``'s TOML file.

    Examples
    --------
    >>> preset_path("small").name
    'small.toml'
    >>> preset_path("huge")
    Traceback (most recent call last):
    ...
    ValueError: preset_path: unknown sweep preset 'huge'; expected one of [...].
    """
    if name not in preset_names():
        raise ValueError(f"preset_path: unknown sweep preset {name!r}; expected one of "
                         f"{list(preset_names())}.")
    return Path(str(resources.files("verify") / "sweeps" / f"{name}.toml"))


# ============================================================================ expansion
@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its cell (axis values and seed), config, id and directory name.

    ``run_id`` is the first 16 hex digits of the SHA-1 of the config's JSON, so equal
    configs have equal ids, whatever the spec that produced them.

    Examples
    --------
    >>> spec = parse_spec({"base": {"group": "D4", "horizons": [2, 4]}, "grid": {"c_B": [2.0]}})
    >>> run = expand(spec)[0]
    >>> run.cell, run.slug == f"c_B=2_seed=0_{run.run_id[:8]}", run.run_id == config_id(run.config)
    ((('c_B', 2.0), ('seed', 0)), True, True)
    """

    cell: tuple[tuple[str, Any], ...]
    config: RunConfig
    run_id: str

    @property
    def slug(self) -> str:
        """Directory name: the cell's ``key=value`` pairs and the id."""
        def fmt(v: Any) -> str:
            if isinstance(v, tuple):
                return "-".join(fmt(x) for x in v)
            return f"{v:g}" if isinstance(v, float) else str(v)
        parts = [f"{k}={fmt(v)}" for k, v in self.cell]
        safe = "_".join(parts).replace("/", "-").replace(" ", "")
        return f"{safe}_{self.run_id[:8]}"


def config_id(config: RunConfig) -> str:
    """Stable id of a config: SHA-1 of its sorted JSON, 16 hex digits.

    Examples
    --------
    >>> config_id(RunConfig()) == config_id(RunConfig(seed=0))
    True
    """
    return hashlib.sha1(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def _horizons_for_ratio(spec: SweepSpec, ratio: Any) -> tuple[int, ...]:
    from dynamics.spectrum import Spectrum
    s = dict(spec.spectrum)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not ratio > 1:
        raise ValueError(f"sweep spec {spec.source} [grid]: each ratio must be a number > 1; "
                         f"got ratio={ratio!r}.")
    n = s["n_levels"]
    if "first" in s:
        return Spectrum.geometric(s["first"], float(ratio), n).horizons
    return tuple(int(round(s["last"] / float(ratio) ** (n - 1 - i))) for i in range(n))


def expand(spec: SweepSpec) -> tuple[SweepRun, ...]:
    """Every run of ``spec``: the Cartesian product of the axes (last axis fastest), each
    cell with every seed.

    Raises
    ------
    ValueError
        If a cell's values are rejected by ``RunConfig`` (naming the cell), or if two
        cells give the same config (naming both).

    Examples
    --------
    >>> spec = parse_spec({"base": {"group": "D4", "n_ids": 8}, "grid": {"ratio": [2.0, 4.0]},
    ...                    "spectrum": {"first": 2}, "sweep": {"seeds": [0, 1]}})
    >>> [(r.config.horizons, r.config.seed) for r in expand(spec)]
    [((2, 4), 0), ((2, 4), 1), ((2, 8), 0), ((2, 8), 1)]
    """
    who = f"sweep spec {spec.source}"
    base = dict(spec.base)
    seed_axis = "seed" in spec.axes
    seeds = (None,) if seed_axis else spec.seeds
    runs: list[Any] = []
    seen: dict[Any, Any] = {}
    for values in itertools.product(*(v for _, v in spec.grid)):
        cell = tuple(zip(spec.axes, values))
        for seed in seeds:
            kw = dict(base)
            for k, v in cell:
                if k == "ratio":
                    kw["horizons"] = _horizons_for_ratio(spec, v)
                else:
                    kw[k] = v
            if seed is not None:
                kw["seed"] = seed
            full = cell if seed is None else cell + (("seed", seed),)
            try:
                cfg = RunConfig(**kw)
            except (ValueError, TypeError) as err:
                raise ValueError(f"{who}: cell {_cell_text(full)} is not a valid run: {err}") from None
            run = SweepRun(cell=full, config=cfg, run_id=config_id(cfg))
            if run.run_id in seen:
                raise ValueError(f"{who}: duplicate cells {_cell_text(seen[run.run_id].cell)} and "
                                 f"{_cell_text(full)} give the same run (horizons "
                                 f"{cfg.horizons}); drop one of the values.")
            seen[run.run_id] = run
            runs.append(run)
    return tuple(runs)


def _cell_text(cell: Iterable[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in cell) + "}"


