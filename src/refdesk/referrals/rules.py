"""Pure referral arithmetic: fees in Decimal, and per-source figures. No database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FeeSplit:
    total: Decimal
    referrer: Decimal
    employee: Decimal


def fee_for(
    *,
    kind: str,
    amount: Decimal,
    percent: Decimal | None,
    flat: Decimal | None,
    employee_share_percent: Decimal,
) -> FeeSplit:
    """The fee for a won referral and how it splits: the employee's share comes out of the fee, to the cent.

    Rounding: the total is rounded half-up to the cent first, then the employee's share; the
    referrer gets the rest, so the two parts always add up to the total exactly.
    """
    if kind == "percent":
        total = cents(amount * (percent or Decimal("0")) / HUNDRED)
    else:
        total = cents(flat or Decimal("0"))
    employee = cents(total * employee_share_percent / HUNDRED)
    return FeeSplit(total=total, referrer=total - employee, employee=employee)


@dataclass
class SourceFigures:
    """Leads, outcomes and money for one lead source."""

    source: str
    leads: int = 0
    won: int = 0
    lost: int = 0
    revenue: Decimal = Decimal("0.00")
    fees: Decimal = Decimal("0.00")

    @property
    def open(self) -> int:
        return self.leads - self.won - self.lost

    @property
    def closure_rate(self) -> Decimal | None:
        """Won as a share of the leads decided (won or lost), in percent to one decimal; None before any closes."""
        decided = self.won + self.lost
        if not decided:
            return None
        return (Decimal(self.won) * HUNDRED / Decimal(decided)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def cost_per_lead(self) -> Decimal | None:
        """What a lead from this source cost us in fees."""
        return cents(self.fees / self.leads) if self.leads else None

    @property
    def cost_per_won(self) -> Decimal | None:
        """What a won deal from this source cost us in fees."""
        return cents(self.fees / self.won) if self.won else None

    def as_dict(self) -> dict:
        return {"source": self.source, "leads": self.leads, "open": self.open, "won": self.won, "lost": self.lost,
                "closure_rate": self.closure_rate, "revenue": self.revenue, "fees": self.fees,
                "cost_per_lead": self.cost_per_lead, "cost_per_won": self.cost_per_won}  # fmt: skip
