"""Whether what a page shows holds demo data, so it carries :data:`geoapp.records.DEMO_MARK`. No Flask.

Trip-wire: the edition-wide answer comes from the import batches (an active batch flagged demo); a
province's answer then looks at that province's records and values only, so a province without demo
data carries no mark though another province has it. Both are read once per store data version
(:mod:`geoapp.store.snapshot`): every page asks.
"""
from __future__ import annotations

from ..store.base import Store
from ..store.snapshot import snapshot


def demo_editions(store: Store) -> set[str]:
    """The editions with at least one active import batch of demo data (read once per data version)."""
    return set(snapshot(store).memo(("demo_editions",), lambda: _demo_editions(store)))


def _demo_editions(store: Store) -> frozenset[str]:
    batches = store.batches()
    if not len(batches) or "is_demo" not in batches:
        return frozenset()
    active = batches["state"] == "active" if "state" in batches else True
    return frozenset(batches.loc[batches["is_demo"].astype(bool) & active, "edition"])


def _demo_provinces(store: Store, edition: str) -> frozenset[str]:
    """The provinces of ``edition`` with a demo status record or indicator value (once per data version)."""
    snap = snapshot(store)

    def produce():
        found = set()
        for frame in (snap.status_records(edition), store.indicator_values(edition)):
            if len(frame):
                found |= set(frame.loc[frame["is_demo"].astype(bool), "province_code"])
        return frozenset(found)
    return snap.memo(("demo_provinces", edition), produce)


def has_demo(store: Store, edition: str | None = None, province: str | None = None) -> bool:
    """Whether the store (``edition`` None), an edition, or one province of it holds demo data."""
    editions = demo_editions(store)
    if edition is None or edition not in editions:
        return edition is None and bool(editions)
    if province is None:
        return True
    return province in _demo_provinces(store, edition)
