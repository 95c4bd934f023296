"""What plain YAML loading lets through silently, found on the composed document before anything is built: a key
given twice in one mapping (the last would win: ``period: 2022-H1`` then ``period: 2022-H2`` runs 2022-H2, and a
catalog's second ``over_months:`` changes a figure), and aliases that expand to millions of values ("billion
laughs"). Params files, ward descriptions and catalogs all go through it; each room words the problem itself.
"""

from __future__ import annotations

import yaml

__all__ = ["MAX_NODES", "duplicate_keys", "expanded_size", "merge_conflicts"]

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


def _merged(node: yaml.MappingNode) -> list[yaml.MappingNode]:
    """The mappings a mapping's merge keys (``<<: *a``, ``<<: [*a, *b]``, one or several) bring in, in order."""
    found: list[yaml.MappingNode] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE:
            continue
        items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        found += [item for item in items if isinstance(item, yaml.MappingNode)]  # others: the loader's error
    return found


def _flat(node: yaml.MappingNode, open_: set[int]) -> dict[object, yaml.Node]:
    """Every key a mapping gives once its merges are applied → the key node of its value (its own keys first)."""
    if id(node) in open_:  # a merge of one of its own parents: expanded_size refuses such a file
        return {}
    open_.add(id(node))
    keys: dict[object, yaml.Node] = {}
    for key_node, _ in node.value:
        if key_node.tag != _MERGE and isinstance(key_node, yaml.ScalarNode):
            keys.setdefault(key_node.value, key_node)
    for merged in _merged(node):
        for name, key_node in _flat(merged, open_).items():
            keys.setdefault(name, key_node)
    open_.discard(id(node))
    return keys


def _value_of(mapping: yaml.MappingNode, name: object, open_: set[int]) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.tag != _MERGE and isinstance(key_node, yaml.ScalarNode) and key_node.value == name:
            return value_node
    if id(mapping) in open_:
        return None
    open_.add(id(mapping))
    try:
        for merged in _merged(mapping):
            if (found := _value_of(merged, name, open_)) is not None:
                return found
        return None
    finally:
        open_.discard(id(mapping))


def _same(a: yaml.Node | None, b: yaml.Node | None) -> bool:
    """The same value: one node (one anchor merged twice), or equal scalars."""
    if a is b:
        return True
    return (
        isinstance(a, yaml.ScalarNode)
        and isinstance(b, yaml.ScalarNode)
        and (a.tag, a.value) == (b.tag, b.value)
    )


def merge_conflicts(node: yaml.MappingNode) -> list[tuple[str, int, int]]:
    """Keys two merges of ``node`` give different values and ``node`` does not give itself, as (key, line, line).

    Which merge wins is YAML's fine print (PyYAML: the later ``<<`` key, but the earlier mapping of a ``<<`` list);
    a key the mapping gives itself overrides every merge, by design, and is no conflict.

    >>> merge_conflicts(yaml.compose("<<: {period: 2022-H1}\\n<<: {period: 2022-H2}\\ndata: d\\n"))
    [('period', 1, 2)]
    """
    own = {k.value for k, _ in node.value if k.tag != _MERGE and isinstance(k, yaml.ScalarNode)}
    first: dict[object, tuple[yaml.Node, yaml.Node | None]] = {}
    found: list[tuple[str, int, int]] = []
    for merged in _merged(node):
        for name, key_node in _flat(merged, {id(node)}).items():
            if name in own:
                continue
            value = _value_of(merged, name, {id(node)})
            if name not in first:
                first[name] = (key_node, value)
            elif not _same(first[name][1], value) and first[name][0] is not key_node:
                found.append((str(name), first[name][0].start_mark.line + 1, key_node.start_mark.line + 1))
                first[name] = (key_node, value)  # a third merge is named against the second
    return found


def duplicate_keys(
    node: yaml.Node, path: str = "", _seen: set[int] | None = None
) -> list[tuple[str, int, int]]:
    """Every key given twice in one mapping, as (key path, first line, repeated line), lines from 1: written twice,
    or given two different values by two merges (``<<``) that the mapping does not override itself.

    >>> duplicate_keys(yaml.compose("period: 2022-H1\\ndata: d\\nperiod: 2022-H2\\n"))
    [('period', 1, 3)]
    """
    seen_nodes = set() if _seen is None else _seen
    found: list[tuple[str, int, int]] = []
    if id(node) in seen_nodes:  # an alias: its mapping was checked where it was written
        return found
    seen_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            found += duplicate_keys(child, f"{path}[{i}]", seen_nodes)
        return found
    if not isinstance(node, yaml.MappingNode):
        return found
    seen: dict[object, int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:  # "<<: *defaults": its keys may be overridden, by design; checked below
            for merged in _merged_values(value_node):
                found += duplicate_keys(merged, path, seen_nodes)
            continue
        name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        where = f"{path}.{name}" if path else str(name)
        line = key_node.start_mark.line + 1
        if name in seen:
            found.append((where, seen[name], line))
        else:
            seen[name] = line
        found += duplicate_keys(value_node, where, seen_nodes)
    for name, first, again in merge_conflicts(node):
        found.append((f"{path}.{name}" if path else name, first, again))
    return found


def _merged_values(value_node: yaml.Node) -> list[yaml.Node]:
    return list(value_node.value) if isinstance(value_node, yaml.SequenceNode) else [value_node]
