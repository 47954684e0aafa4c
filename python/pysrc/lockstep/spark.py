"""Lockstep on Apache Spark: ``lockstep.spark.detect(df, …)``.

The same results as ``lockstep detect`` (and ``lockstep.detect``) on the same
rows, with the co-share stage, the one that grows with the pairs of shares, run
on the cluster's executors:

1. **Driver**: the DataFrame's share columns (only those) are read by Lockstep's
   reader, with the command line's rules (skipped rows, duplicates, time units),
   then grouped by object in time order, pre-filtered, and every object's
   in-window pairs counted (mass objects picked as on the command line).
2. **Executors**: the objects to expand are cut into units of about equal pairs
   (a hot object into time buckets, each reading on one window past its last
   share, so the buckets overlap by one window and a pair belongs to the bucket
   of its earlier share: none lost, none doubled), shipped as rows (ids and
   times: 29 bytes a row) into a Spark DataFrame, shuffled by part
   (``groupBy("part")``) and expanded by the Rust kernel
   (``applyInArrow``, ``lockstep._lockstep.coshare_kernel``: the wheel must be
   installed on the executors).
3. **Driver**: the co-shares come back (16 bytes each) and are put in the
   in-memory order by (unit, number), without a sort; then the participation
   filter, the edges, their significance, components, communities and every
   table run as on the command line.

Returns a :class:`lockstep.Result`: ``pyarrow.Table`` s (not Spark DataFrames:
they are the command line's output tables, built on the driver), the report
as a dict, and ``stage``: what was shipped (``parts``, ``units``,
``hot_objects``, ``buckets``, ``rows``) and the seconds taken to collect the
share columns (``collect_seconds``) and by the Spark stage (``stage_seconds``:
ship, shuffle, expand, bring back). docs/scale.md says what runs where and what it costs.
"""

from __future__ import annotations

import time as _time
from typing import Any, Optional, Union

import pyarrow as pa

from . import Result, _detect

__all__ = ["detect"]

_COSHARES = "unit int, k int, early int, late int"


def _kernel(window: int, table: pa.Table) -> pa.Table:
    """Executor side: the co-shares of one part's units (``applyInArrow``)."""
    from lockstep import _lockstep as native

    return pa.Table.from_batches([native.coshare_kernel(table, window)])


def _driver_table(df: Any) -> pa.Table:
    """The DataFrame's rows on the driver as a pyarrow Table, in the DataFrame's order."""
    if hasattr(df, "toArrow"):  # Spark >= 4.0
        return df.toArrow()
    return pa.Table.from_batches(df._collect_as_arrow())


def detect(
    df: Any,
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
    domains: bool = True,
    pairs: bool = False,
    keep_duplicates: bool = False,
    parts: Optional[int] = None,
    bucket_pairs: Optional[int] = None,
) -> Result:
    """Detect coordinated sharing in the Spark DataFrame ``df``, the co-shares found on the executors.

    The arguments are :func:`lockstep.detect`'s (the command line's flags, same
    defaults), plus:

    - ``parts``: parts of the co-share stage, each one Spark group expanded by
      one task (default: three per core of the cluster,
      ``3 * defaultParallelism``); the parts hold about equal pairs.
    - ``bucket_pairs``: in-window pairs of one time bucket of a hot object
      (default: half a part); an object with more is split.

    The rows are taken in the DataFrame's order (it breaks ties, as the input
    order does on the command line): the same rows in the same order give the
    command line's results, byte for byte. Returns :class:`lockstep.Result`
    (``pyarrow.Table`` s and the report dict); ``report["counts"]`` has the
    counts of the command line. Raises ``ValueError`` as :func:`lockstep.detect`
    does, ``RuntimeError`` when the Spark stage fails.
    """
    spark = df.sparkSession
    wanted = [account, object, time, post]
    if kind_column:
        wanted.append(kind_column)
    elif kind is None and "kind" in df.columns:
        wanted.append("kind")  # the column the reader picks up by itself
    # Only the columns the reader uses travel to the driver; a missing one is
    # left out here and named by the reader's error.
    cols = [c for c in dict.fromkeys(wanted) if c in df.columns]
    started = _time.perf_counter()
    table = _driver_table(df.select(*cols))
    seconds = {"collect": _time.perf_counter() - started}
    if parts is None:
        parts = 3 * spark.sparkContext.defaultParallelism

    def stage(units: Any, w: int) -> Any:
        window_used = int(w)

        # Typed: Spark picks the pyarrow.Table flavour of applyInArrow from the hints.
        def kernel(table: pa.Table) -> pa.Table:
            return _kernel(window_used, table)

        start = _time.perf_counter()
        shipped = spark.createDataFrame(pa.Table.from_batches([units]))
        found = _driver_table(shipped.groupBy("part").applyInArrow(kernel, _COSHARES))
        seconds["stage"] = _time.perf_counter() - start
        return found

    result = _detect(
        table,
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
        partitions=None,
        domains=domains,
        pairs=pairs,
        keep_duplicates=keep_duplicates,
        coshare_stage=stage,
        stage_parts=max(1, int(parts)),
        bucket_pairs=bucket_pairs,
    )
    if result.stage is not None:
        result.stage.update({f"{k}_seconds": round(v, 3) for k, v in seconds.items()})
    return result
