from typing import Any, Callable, List, Optional, Tuple

import pyarrow as pa

__version__: str

def detect_arrow(
    table: Any,
    *,
    account: str,
    object: str,
    time: str,
    post: str,
    kind: Optional[str],
    kind_column: Optional[str],
    time_unit: str,
    window: str,
    fast_window: Optional[int],
    min_participation: int,
    edge_quantile: float,
    threshold: str,
    min_edge_score: float,
    solo_edge_score: float,
    nb_size: float,
    null_model: str,
    resolution: float,
    seed: int,
    max_object_pairs: int,
    partitions: Optional[int],
    domains: bool,
    pairs: bool,
    keep_duplicates: bool,
    coshare_stage: Optional[Callable[[Any, int], Any]] = None,
    stage_parts: int = 2,
    bucket_pairs: Optional[int] = None,
) -> Tuple[List[Tuple[str, pa.RecordBatchReader]], str, Optional[Tuple[int, int, int, int, int]]]:
    """The tables (name, stream of the record batches of ``lockstep detect``'s Parquet file), report.json's text,
    and what a co-share stage shipped (parts, units, hot objects, buckets, rows) when one ran."""
def classify_domains_json(items: list[str], *, min_score: Optional[float] = None) -> str: ...
def coshare_kernel(table: Any, window: int) -> Any: ...
