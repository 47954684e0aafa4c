from typing import Any, Dict, List, Optional, Union

__version__: str

class Result:
    """What one detection found: ``tables`` (name -> ``pyarrow.Table``: what the CLI's Parquet tables hold,
    handed over in memory without a copy) and ``report`` (report.json as a dict)."""

    tables: Dict[str, Any]
    report: Dict[str, Any]
    stage: Optional[Dict[str, float]]
    def __init__(
        self, tables: Dict[str, Any], report: Dict[str, Any], stage: Optional[Dict[str, float]] = None
    ) -> None: ...
    def __getattr__(self, name: str) -> Any: ...

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
    """Detect coordinated sharing in an Arrow-compatible table (read in place); the same tables and report as
    ``lockstep detect --output-format parquet``, handed over in memory."""

def classify_domains(items: List[str], *, min_score: Optional[float] = None) -> List[Dict[str, Any]]:
    """Classify domains or URLs with the built-in feed and watchlist (the columns of ``lockstep domains``)."""
