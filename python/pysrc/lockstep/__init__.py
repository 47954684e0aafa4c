"""Lockstep: find coordinated sharing in Arrow tables.

Accounts that post the same URL, hashtag, text or repost within seconds of
each other, again and again, form a network; Lockstep finds it, scores every
edge against a null model and groups the accounts. This package runs the same
pipeline as the ``lockstep detect`` command line on any Arrow-compatible table
(pyarrow, polars, pandas >= 2.2, DuckDB results: anything with
``__arrow_c_stream__``), reading its columns in place, and hands its results
over in memory as ``pyarrow.Table`` s (through the Arrow C stream interface,
without a file or a copy) plus the report as a dict.

>>> import pyarrow as pa, lockstep
>>> t = pa.table({"account_id": ["a", "b"] * 3,
...               "object_id": ["u1", "u1", "u2", "u2", "u3", "u3"],
...               "timestamp_share": [1704067200, 1704067205, 1704067300, 1704067305, 1704067400, 1704067402],
...               "content_id": [f"p{i}" for i in range(6)]})
>>> found = lockstep.detect(t, window=10, threshold="quantile")
>>> found.edges.num_rows
1
>>> found.report["counts"]["coshares"]
3
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from . import _lockstep

__all__ = ["detect", "classify_domains", "Result", "__version__"]
__version__: str = _lockstep.__version__


@dataclass
class Result:
    """What one detection found.

    ``tables`` maps each output table's name (``edges``, ``accounts``,
    ``objects``, ``edge_kinds`` with two or more object kinds, ``domains``
    when domains are classified, ``pairs`` when asked for) to a
    ``pyarrow.Table``: exactly what the Parquet tables of ``lockstep detect
    --output-format parquet`` hold (same columns, types, row order and values),
    built in memory by the same table builder and handed over without a file.
    ``report`` is ``report.json`` as a dict (groups, communities, counts,
    significance, diagnostics…), from the same JSON text; its ``files`` name
    the tables without an extension and its ``inputs`` name the table
    ``<arrow table>``. Tables are also attributes: ``result.edges``.
    """

    tables: Dict[str, Any]
    report: Dict[str, Any] = field(repr=False)
    #: ``lockstep.spark`` only: what its co-share stage shipped to the executors
    #: (``parts``, ``units``, ``hot_objects``, ``buckets``, ``rows``) and its seconds; ``None`` otherwise.
    stage: Optional[Dict[str, float]] = field(default=None, repr=False)

    def __getattr__(self, name: str) -> Any:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"no table {name!r}; tables: {sorted(tables)}")

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}: {v.num_rows} rows" for k, v in sorted(self.tables.items()))
        return f"lockstep.Result({rows})"


def _stream(table: Any) -> Any:
    """An object exporting an Arrow C stream (the PyCapsule interface)."""
    if hasattr(table, "__arrow_c_stream__"):
        return table
    import pyarrow as pa

    if hasattr(table, "__arrow_c_array__"):
        return pa.record_batch(table)
    # Older pandas and other table-likes: through pyarrow (this one copies).
    return pa.table(table)


def detect(
    table: Any,
    *,
    account: str = "account_id",
    object: str = "object_id",
    time: str = "timestamp_share",
    post: str = "content_id",
    kind: Optional[str] = None,
    kind_column: Optional[str] = None,
    time_unit: str = "auto",
    window: Union[int, str] = 60,
    fast_window: Optional[int] = None,
    min_participation: int = 2,
    edge_quantile: float = 0.5,
    threshold: str = "score",
    min_edge_score: float = 5.0,
    solo_edge_score: float = 15.0,
    nb_size: float = 100.0,
    null_model: str = "rarest-object",
    resolution: float = 1.0,
    seed: int = 42,
    max_object_pairs: int = 10_000_000,
    partitions: Optional[int] = None,
    domains: bool = True,
    pairs: bool = False,
    keep_duplicates: bool = False,
) -> Result:
    """Detect coordinated sharing in ``table``; the same results as ``lockstep detect``.

    Arguments and defaults are the command line's flags (``lockstep detect --help``,
    docs/method.md): ``account``, ``object``, ``time``, ``post`` name the columns
    (one share per row; times in UNIX seconds or milliseconds, Arrow timestamps or
    dates, or RFC 3339 text); ``kind`` labels every object (``url``, ``hashtag``…)
    or ``kind_column`` names a column holding it (a column named ``kind`` is used
    when neither is given); ``window`` is seconds or ``"auto"``; ``threshold`` is
    ``"score"``, ``"quantile"`` or ``"both"``; ``null_model`` one of
    ``"rarest-object"``, ``"object-time"``, ``"account-time"``, ``"fused"``, ``"configuration"``,
    ``"shuffle"``; ``nb_size`` is the negative-binomial size of the rarest-object test
    (``0``: Poisson); ``partitions`` runs the co-share stages in parts (same results,
    less memory; docs/scale.md); ``domains`` classifies the linked domains;
    ``pairs`` adds the ``pairs`` table (every co-share).

    Returns a :class:`Result`: the command line's tables as ``pyarrow.Table`` s, built in
    memory and handed over through the Arrow C stream interface (no file, no copy), and
    the report as a dict. The input's columns are read in place: strings, integers,
    floats and second timestamps are not copied; other timestamp units, dates, narrower
    integers and dictionary columns are converted one batch at a time.

    Bad rows are skipped and counted (``report["diagnostics"]``), as on the command
    line. Raises ``ValueError`` for invalid arguments, a missing column or a table
    without a usable row.
    """
    return _detect(
        _stream(table),
        account=account,
        object=object,
        time=time,
        post=post,
        kind=kind,
        kind_column=kind_column,
        time_unit=time_unit,
        window=window,
        fast_window=fast_window,
        min_participation=min_participation,
        edge_quantile=edge_quantile,
        threshold=threshold,
        min_edge_score=min_edge_score,
        solo_edge_score=solo_edge_score,
        nb_size=nb_size,
        null_model=null_model,
        resolution=resolution,
        seed=seed,
        max_object_pairs=max_object_pairs,
        partitions=partitions,
        domains=domains,
        pairs=pairs,
        keep_duplicates=keep_duplicates,
    )


def _detect(stream: Any, *, window: Union[int, str], **kwargs: Any) -> Result:
    """Runs the native detection; its tables arrive as Arrow C streams.

    ``kwargs`` are ``detect_arrow``'s; ``lockstep.spark`` adds its co-share stage.
    """
    found, report_json, shipped = _lockstep.detect_arrow(stream, window=str(window), **kwargs)
    # ``read_all`` gathers each stream's batches into a table without copying them.
    tables = {name: reader.read_all() for name, reader in sorted(found)}
    report = json.loads(report_json)
    stage = None
    if shipped is not None:
        stage = dict(zip(("parts", "units", "hot_objects", "buckets", "rows"), shipped))
    return Result(tables=tables, report=report, stage=stage)


def classify_domains(items: List[str], *, min_score: Optional[float] = None) -> List[Dict[str, Any]]:
    """Classify domains or URLs with the built-in feed and watchlist.

    One dict per item, in order: ``input``, ``domain``, ``registrable``, ``class``
    (``known``, ``look-alike``, ``clean`` or ``invalid``), ``operation``, ``source``,
    ``first_reported``, ``outlet``, ``outlet_domain``, ``technique``, ``score``,
    ``note``: the columns of ``lockstep domains``. ``min_score`` is the look-alike
    matcher's minimum (``--min-score``).
    """
    return json.loads(_lockstep.classify_domains_json(list(items), min_score=min_score))
