"""What plain YAML loading lets through silently, found on the composed document before anything is built: a key
given twice in one mapping (the last would win: ``period: 2022-H1`` then ``period: 2022-H2`` runs 2022-H2, and a
catalog's second ``over_months:`` changes a figure), and aliases that expand to millions of values ("billion
laughs"). Params files, ward descriptions and catalogs all go through it; each room words the problem itself.
"""

from __future__ import annotations

import yaml

__all__ = ["MAX_NODES", "duplicate_keys", "expanded_size"]

# A province's list of 3,321 units is about 25,000 nodes; eight levels of nine aliases would build 43 million.
MAX_NODES = 200_000
_MERGE = "tag:yaml.org,2002:merge"


def expanded_size(node: yaml.Node, limit: int = MAX_NODES) -> int:
    """Nodes ``node`` stands for with its aliases expanded, counting stops past ``limit`` (a cycle is infinite)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in open_:
            return limit + 1  # an alias of one of its own parents: infinite once expanded
        open_.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        open_.discard(key)
        sizes[key] = total
        return total

    return size(node)


def duplicate_keys(node: yaml.Node, path: str = "") -> list[tuple[str, int, int]]:
    """Every key given twice in one mapping, as (key path, first line, repeated line), lines from 1.

    >>> duplicate_keys(yaml.compose("period: 2022-H1\\ndata: d\\nperiod: 2022-H2\\n"))
    [('period', 1, 3)]
    """
    found: list[tuple[str, int, int]] = []
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            found += duplicate_keys(child, f"{path}[{i}]")
        return found
    if not isinstance(node, yaml.MappingNode):
        return found
    seen: dict[object, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:  # "<<: *defaults": its keys may be overridden, by design
            continue
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        where = f"{path}.{name}" if path else str(name)
        line = key_node.start_mark.line + 1
        if name in seen:
            found.append((where, seen[name], line))
        else:
            seen[name] = line
        found += duplicate_keys(value_node, where)
    return found
