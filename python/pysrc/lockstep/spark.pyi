from typing import Any, Optional, Union

from . import Result

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
    """Detect coordinated sharing in a Spark DataFrame, the co-shares found on the executors; the CLI's results."""
