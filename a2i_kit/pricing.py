"""The one price table a2i-kit uses for cost estimates (dry runs, budgets).

Cost of reviewing one item = A2I per-object price + workforce price per task × TaskCount.

Sources and assumptions (check before you budget real money):

- A2I per-object price: USD 0.08 per reviewed object for custom task types, Textract pages and
  Rekognition images — the first-tier list price in us-east-1 as published on the A2I pricing
  page (aws.amazon.com/augmented-ai/pricing). Volume tiers, the free tier (500 objects in the first
  year) and other regions are ignored. A2I closed to new customers in July 2026; the embedded
  service costs nothing, so pass ``PriceTable(a2i_per_object={...: 0.0})`` for it.
- Workforce: private teams cost nothing per task; the public crowd (Mechanical Turk) costs the
  ``PublicWorkforceTaskPrice`` you set, which must be one of the price points listed in the SageMaker
  API model documentation (below); vendor prices come from the vendor's listing — pass them.

Example:
    >>> cost_per_item("custom", workforce="public", task_price=0.036, task_count=3)
    0.188
    >>> price_to_amount(0.036)
    {'Dollars': 0, 'Cents': 3, 'TenthFractionsOfACent': 6}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from a2i_kit.errors import InputError

TASK_TYPES = ("custom", "textract", "rekognition")
WORKFORCES = ("private", "public", "vendor")

_REKOGNITION_POINTS = (0.012, 0.024, 0.036, 0.048, 0.060, 0.072, 0.120, 0.240, 0.360, 0.480,
                       0.600, 0.720, 0.840, 0.960, 1.080, 1.200)
_TEXTRACT_POINTS = (*_REKOGNITION_POINTS, 1.320, 1.440, 1.560, 1.680, 1.800, 1.920, 2.040,
                    2.160, 2.280, 2.400)


@dataclass(frozen=True)
class PriceTable:
    """Prices in USD; replace any field to model your own contract."""

    a2i_per_object: dict[str, float] = field(default_factory=lambda: {
        "custom": 0.08, "textract": 0.08, "rekognition": 0.08})
    public_task_prices: dict[str, tuple[float, ...]] = field(default_factory=lambda: {
        "custom": _REKOGNITION_POINTS, "textract": _TEXTRACT_POINTS,
        "rekognition": _REKOGNITION_POINTS})
    source: str = "A2I pricing page (us-east-1, first tier) + SageMaker API model price points"


PRICES = PriceTable()


def cost_per_item(task_type: str = "custom", *, workforce: str = "private",
                  task_price: float | None = None, task_count: int = 1,
                  table: PriceTable = PRICES) -> float:
    """Expected USD for one reviewed item (rounded to 1/10,000 of a cent)."""
    if task_type not in TASK_TYPES:
        raise InputError(f"task_type={task_type!r} is unknown; use one of {list(TASK_TYPES)}")
    if workforce not in WORKFORCES:
        raise InputError(f"workforce={workforce!r} is unknown; use one of {list(WORKFORCES)}")
    if isinstance(task_count, bool) or not isinstance(task_count, int) or not 1 <= task_count <= 3:
        raise InputError(f"task_count={task_count!r} must be an integer from 1 to 3 (TaskCount)")
    return round(table.a2i_per_object[task_type]
                 + workforce_price(task_type, workforce, task_price, table) * task_count, 6)


def workforce_price(task_type: str, workforce: str, task_price: float | None,
                    table: PriceTable = PRICES) -> float:
    """USD one worker is paid per task: 0 for private teams, ``task_price`` otherwise."""
    if workforce == "private":
        return 0.0 if task_price is None else float(task_price)
    if task_price is None:
        raise InputError(f"workforce={workforce!r} needs task_price (USD per task), e.g. 0.036")
    if workforce == "public":
        allowed = table.public_task_prices[task_type]
        if not any(abs(task_price - p) < 1e-9 for p in allowed):
            raise InputError(f"task_price={task_price} is not a public-crowd price point for "
                             f"{task_type}; choose one of {list(allowed)}")
    return float(task_price)


def price_to_amount(usd: float) -> dict[str, int]:
    """USD -> ``PublicWorkforceTaskPrice.AmountInUsd``."""
    tenths = round(usd * 1000)
    if not 0 <= tenths <= 2999:
        raise InputError(f"price {usd} USD is outside 0–2.999 (AmountInUsd limits)")
    return {"Dollars": tenths // 1000, "Cents": tenths % 1000 // 10, "TenthFractionsOfACent": tenths % 10}


def amount_to_price(amount: dict[str, Any]) -> float:
    """``AmountInUsd`` -> USD, e.g. ``{"Cents": 3, "TenthFractionsOfACent": 6}`` -> 0.036."""
    return round(amount.get("Dollars", 0) + amount.get("Cents", 0) / 100
                 + amount.get("TenthFractionsOfACent", 0) / 1000, 3)
