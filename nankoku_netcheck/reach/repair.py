"""A search result repaired after an edit that changes what happens to some packets only.

Every packet set the engine holds is a set of packets as they were injected (a rewrite is kept
beside the set as its `Translation`, never applied to it), and no packet's fate depends on
which other packets travel with it: `reach(I)` delivers at each endpoint exactly the packets
of `I` that reach it on their own. So when an edit changes a device's treatment of the
packets in a set `changed` only (incremental.py works out which edits those are and that
set), and packets reach that device untranslated, every packet outside `changed` travels as
before, and the search of the edited network is the earlier result outside `changed`
together with a search of the edited network from the starts' packets inside it:

    delivered'[e] = (delivered[e] - changed) | fresh.delivered[e]

`fresh` is usually tiny next to the whole search (one ACL line's packets). A device the earlier
search reached is reached again when its witness (one packet that arrived there) lies outside
`changed`: that packet travels as before; a device `fresh` reached is reached. A device whose
witness lies inside `changed` and which `fresh` did not reach may or may not be: the repair is
not made. The repaired result enters every device either search entered (a superset of what a
full search would: more only costs re-use later). Its work is the sum of both; a repair whose
sum passes the budget, or whose fresh search ran out, is not made (the caller searches from
scratch).

The fresh search carries packets of `changed` only: with boxes known to hold `changed`
(`Repair.boxes`, from the edited lines), `repair_region` bounds what it injects, and an engine
`within` that region (reach/engine.py) compiles each filter from the few lines that can match
a packet of it (reach/region.py), with the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from .engine import ReachResult
from .packets import PacketSet, PacketSpace
from .region import Region, narrowed

K = TypeVar("K")


@dataclass(frozen=True)
class Repair:
    """An earlier search that still holds for every packet outside `changed`."""

    earlier: ReachResult
    changed: PacketSet
    # Boxes (reach/region.py) whose union holds `changed`, where known: what bounds the fresh search.
    boxes: Region | None = None


def repair_region(space: PacketSpace, repair: Repair, injected: Iterable[PacketSet]) -> Region | None:
    """A region holding every packet the fresh search injects (`injected`, within `changed`),
    narrowed to them; None when the boxes are not known, do not hold them or bound nothing."""
    if repair.boxes is None:
        return None
    return narrowed(space, repair.boxes, injected)


def repaired(space: PacketSpace, repair: Repair, fresh: ReachResult) -> ReachResult | None:
    """The search of the edited network from `repair` and `fresh` (the edited network's search
    from the starts' packets inside `repair.changed`); None when it cannot be made."""
    earlier = repair.earlier
    work = earlier.work + fresh.work
    if earlier.exhausted or fresh.exhausted or work > earlier.budget:
        return None
    witnesses = _witnesses(space, earlier.witnesses, fresh.witnesses, repair.changed)
    if witnesses is None:
        return None
    return ReachResult(
        delivered=_joined(space, earlier.delivered, fresh.delivered, ~repair.changed),
        witnesses=witnesses,
        work=work,
        budget=earlier.budget,
        exhausted=False,
        entered=earlier.entered | fresh.entered,
        translated_into=earlier.translated_into | fresh.translated_into,
    )


def _joined(
    space: PacketSpace, earlier: dict[K, PacketSet], fresh: dict[K, PacketSet], kept: PacketSet
) -> dict[K, PacketSet]:
    """Each key's earlier packets outside the change with its fresh ones; no empty sets (a
    search never holds one). Keys in the earlier order, then the fresh ones."""
    joined: dict[K, PacketSet] = {}
    # A search's sets repeat (a kept one's roots are shared; ~4,000 distinct sets in ~19,000 keys
    # at 1,000 devices): each distinct one is cut once.
    outside: dict[PacketSet, PacketSet] = {}
    for key in [*earlier, *(key for key in fresh if key not in earlier)]:
        before = earlier.get(key, space.false)
        packets = outside.get(before)
        if packets is None:
            packets = outside[before] = before & kept
        if key in fresh:
            packets = packets | fresh[key]
        if packets != space.false:
            joined[key] = packets
    return joined


def _witnesses(
    space: PacketSpace, earlier: dict[str, PacketSet], fresh: dict[str, PacketSet], changed: PacketSet
) -> dict[str, PacketSet] | None:
    """The devices the edited network's search reaches, each with a witness: an earlier one
    outside `changed`, else a fresh one; None when a device's only witness is inside `changed`."""
    witnesses: dict[str, PacketSet] = {}
    for device, witness in earlier.items():
        if witness & changed == space.false:
            witnesses[device] = witness
        elif device in fresh:
            witnesses[device] = fresh[device]
        else:
            return None
    for device, witness in fresh.items():
        witnesses.setdefault(device, witness)
    return witnesses
