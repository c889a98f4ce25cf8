"""Whether what a page shows holds demo data, so it carries :data:`geoapp.records.DEMO_MARK`. No Flask.

Trip-wire: the edition-wide answer comes from the import batches (one small query: an active batch
flagged demo); a province's answer then looks at that province's records and values only, so a
province without demo data carries no mark though another province has it.
"""
from __future__ import annotations

from ..store.base import Store


def demo_editions(store: Store) -> set[str]:
    """The editions with at least one active import batch of demo data."""
    batches = store.batches()
    if not len(batches) or "is_demo" not in batches:
        return set()
    active = batches["state"] == "active" if "state" in batches else True
    return set(batches.loc[batches["is_demo"].astype(bool) & active, "edition"])


def has_demo(store: Store, edition: str | None = None, province: str | None = None) -> bool:
    """Whether the store (``edition`` None), an edition, or one province of it holds demo data."""
    editions = demo_editions(store)
    if edition is None or edition not in editions:
        return edition is None and bool(editions)
    if province is None:
        return True
    for frame in (store.status_records(edition, province=province),
                  store.indicator_values(edition, province=province)):
        if len(frame) and bool(frame["is_demo"].astype(bool).any()):
            return True
    return False
