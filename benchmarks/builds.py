"""Which builds an install can measure: every backend, and each backend's stable-ABI build.

``bindings.BUILDS`` names them all (``capi``, ..., then ``capi-abi3``, ...). The call
patterns run on every build that imports; the other benchmarks (sizes, variants, threads,
static figures) on the backends only: a stable-ABI build is the same code compiled against
the limited API, so what it can change is the crossing of a call, which the patterns time.
"""

from __future__ import annotations

import bindings

#: A stable-ABI build's name is its backend's plus this (``bindings.ABI3_SUFFIX``).
ABI3_SUFFIX = bindings.ABI3_SUFFIX


def loadable(names: tuple[str, ...] = bindings.BUILDS) -> tuple[str, ...]:
    """The builds of ``names`` that import on this install, in ``ordered`` order."""
    found = []
    for name in names:
        try:
            bindings.load(name)
        except ImportError:
            continue
        found.append(name)
    return ordered(found)


def backend_of(name: str) -> str:
    """The backend a build belongs to: "capi" for "capi-abi3"."""
    return name.removesuffix(ABI3_SUFFIX)


def ordered(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Backends in ``bindings.BACKENDS`` order, each stable-ABI build right after its backend.

    The benchmarks measure the builds of one call in this order, so a stable-ABI build
    and its full-API build run seconds apart in every worker: their ratio is paired.
    """
    rank = {name: i for i, name in enumerate(bindings.BACKENDS)}
    return tuple(sorted(names, key=lambda n: (rank.get(backend_of(n), len(rank)), n != backend_of(n))))
