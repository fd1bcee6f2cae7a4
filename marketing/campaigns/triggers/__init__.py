"""Each trigger kind: who qualifies now (a set-based scan), whether the cause still holds when a
step is due, and what its message shows. `TRIGGERS` maps a campaign kind to its trigger."""

from marketing.campaigns.triggers.base import (
    FOUND_COLUMNS,
    Candidate,
    Content,
    ProductItem,
    Trigger,
    Verdict,
    person_of,
    person_sql,
)
from marketing.campaigns.triggers.broadcast import BroadcastMessage
from marketing.campaigns.triggers.cart import AbandonedCart
from marketing.campaigns.triggers.others import (
    Birthday,
    BrowseAbandonment,
    CrossSell,
    LoyaltyThreshold,
    Reactivation,
    Replenishment,
    ReviewRequest,
    Welcome,
)
from marketing.campaigns.triggers.watch import BackInStock, PriceDrop

TRIGGERS: dict[str, Trigger] = {
    trigger.kind: trigger
    for trigger in (AbandonedCart(), Welcome(), Birthday(), Reactivation(), BrowseAbandonment(), CrossSell(),
                    ReviewRequest(), Replenishment(), LoyaltyThreshold(), BroadcastMessage(), BackInStock(),
                    PriceDrop())
}

__all__ = [
    "FOUND_COLUMNS", "TRIGGERS", "Candidate", "Content", "ProductItem", "Trigger", "Verdict", "person_of", "person_sql",
]
