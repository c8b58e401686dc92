"""Keeping big graphs drawable: collapse repeated chains, then summarise by operation.

Graphviz's layout grows faster than linearly (about 0.5 s for 1,000 nodes, 18 s for 5,000),
so a graph above ``max_nodes`` is shrunk *before* layout: first runs of a repeating pattern
along a chain become one node (``[MulBackward0 -> AddBackward0] x1000``), constants feeding
collapsed nodes are counted instead of drawn; if that is still too big, one node per operation
name stands for all nodes of that name, with a notice saying so.

Long edges are what make Graphviz slow (every edge spanning k ranks becomes k virtual nodes),
and a tensor used all along a chain (a weight reused at every step) gives one per use: about
40 s for 100 operations. So a node used more than ``MAX_USES`` times is drawn again next to
each further use, as a copy that names the original (``copy_of``); the copies' SVG classes
(``agv-of-<id>``) let a front end highlight them with the original.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict

from .model import GraphModel, VizEdge, VizNode

MAX_PERIOD = 6  # longest repeating pattern looked for along a chain
MAX_USES = 3  # uses drawn from one box; further uses get a copy of it beside them


def simplify(model: GraphModel, max_nodes: int) -> GraphModel:
    """The model as it will be drawn: small enough to lay out quickly."""
    return spread_shared(_shrink(model, max_nodes))


def spread_shared(model: GraphModel, max_uses: int = MAX_USES) -> GraphModel:
    """Draw a node used more than ``max_uses`` times again beside each further use."""
    uses = Counter(e.src for e in model.edges)
    if not uses or max(uses.values()) <= max_uses:
        return model
    by_id = {n.id: n for n in model.nodes}
    seen = Counter()
    edges, copies = [], defaultdict(list)
    for e in model.edges:
        seen[e.src] += 1
        if uses[e.src] <= max_uses or seen[e.src] == 1:
            edges.append(e)
            continue
        original = by_id[e.src]
        copy = dataclasses.replace(original, id=f"{original.id}u{seen[e.src]}",
                                   copy_of=original.id, scope=by_id[e.dst].scope)
        copies[original.id].append(copy)
        edges.append(dataclasses.replace(e, src=copy.id))
    nodes = []
    for n in model.nodes:
        nodes.append(n)
        nodes.extend(copies.get(n.id, ()))
    return dataclasses.replace(model, nodes=nodes, edges=edges)


def _shrink(model: GraphModel, max_nodes: int) -> GraphModel:
    if len(model.nodes) <= max_nodes:
        return model
    collapsed = collapse_chains(model)
    if len(collapsed.nodes) <= max_nodes:
        collapsed.notice = (
            f"{model.total_nodes:,} nodes exceed max_nodes={max_nodes:,}: repeated chains are "
            "collapsed (draw(..., max_nodes=...) raises the limit)"
        )
        return collapsed
    summary = summarize_by_name(model)
    summary.notice = (
        f"Summary: {model.total_nodes:,} nodes exceed max_nodes={max_nodes:,}; one box per "
        "operation with its count (draw(..., max_nodes=...) raises the limit)"
    )
    return summary


def collapse_chains(model: GraphModel) -> GraphModel:
    """Replace maximal runs of a repeating op pattern along single-input chains by one node."""
    by_id = {n.id: n for n in model.nodes}
    grad_in = defaultdict(list)  # op inputs that carry gradient
    consumers = defaultdict(list)
    for e in model.edges:
        if e.kind == "grad":
            grad_in[e.dst].append(e.src)
            consumers[e.src].append(e.dst)

    def linkable(node_id):
        """A chain link: an unnamed op with one gradient input and one consumer."""
        n = by_id[node_id]
        return (n.kind == "op" and n.name is None and len(grad_in[node_id]) == 1
                and len(consumers[node_id]) == 1)

    # Chains, walked from their top (the link whose input is not a link) downwards.
    in_chain = set()
    chains = []
    for n in model.nodes:
        if not linkable(n.id) or n.id in in_chain:
            continue
        parent = grad_in[n.id][0]
        if linkable(parent) and consumers[parent] == [n.id]:
            continue  # not the top of its chain
        chain = [n.id]
        while True:
            nxt = consumers[chain[-1]][0]
            if not linkable(nxt) or grad_in[nxt] != [chain[-1]]:
                break
            chain.append(nxt)
        if len(chain) >= 2 * 2:
            chains.append(chain)
            in_chain.update(chain)

    replaced = {}  # node id -> group id
    groups = []
    for chain in chains:
        titles = [by_id[i].title for i in chain]
        start = 0
        while start < len(chain):
            period, reps = _best_run(titles, start)
            if reps >= 2:
                members = chain[start:start + period * reps]
                pattern = " -> ".join(titles[start:start + period])
                group = VizNode(id=f"g{len(groups)}", kind="group",
                                title=f"[{pattern}]" if period > 1 else pattern,
                                count=reps, scope=by_id[members[0]].scope,
                                rule=(f"{len(members)} nodes collapsed",))
                groups.append((group, members))
                for m in members:
                    replaced[m] = group.id
                start += period * reps
            else:
                start += 1

    def mapped(node_id):
        return replaced.get(node_id, node_id)

    nodes = [n for n in model.nodes if n.id not in replaced]
    # Constants that only feed collapsed nodes are dropped (they are counted in the group).
    dropped_consts = {e.src for e in model.edges
                      if e.kind == "const" and e.dst in replaced}
    nodes = [n for n in nodes if n.id not in dropped_consts]
    position = {n.id: i for i, n in enumerate(model.nodes)}
    for group, members in groups:
        nodes.append(group)
        position[group.id] = position[members[0]]  # a group sits where its first member was
    nodes.sort(key=lambda n: position[n.id])
    edges, seen = [], {}
    for e in model.edges:
        if e.src in dropped_consts:
            continue
        src, dst = mapped(e.src), mapped(e.dst)
        if src == dst:
            continue
        key = (src, dst, e.kind, e.label if src == e.src and dst == e.dst else None)
        if key in seen:
            seen[key].count += 1
            continue
        seen[key] = edge = VizEdge(src, dst, key[3], e.kind)
        edges.append(edge)
    roots = [mapped(r) for r in model.roots]
    return GraphModel(nodes=nodes, edges=edges, roots=roots, state=model.state,
                      total_nodes=model.total_nodes)


def _best_run(titles, start):
    """The period (1..MAX_PERIOD) repeating most often from ``start``: (period, repetitions)."""
    best = (1, 1)
    for period in range(1, MAX_PERIOD + 1):
        pattern = titles[start:start + period]
        if len(pattern) < period:
            break
        reps = 1
        while titles[start + reps * period:start + (reps + 1) * period] == pattern:
            reps += 1
        if reps >= 2 and reps * period > best[0] * best[1]:
            best = (period, reps)
    return best


def summarize_by_name(model: GraphModel) -> GraphModel:
    """One node per (kind, title): how many nodes of each operation, and how they connect."""
    key_of = {}
    counts = Counter()
    order = []
    for n in model.nodes:
        key = (n.kind, n.title)
        key_of[n.id] = key
        if key not in counts:
            order.append(key)
        counts[key] += n.count
    ids = {key: f"s{i}" for i, key in enumerate(order)}
    nodes = [VizNode(id=ids[key], kind="group" if key[0] == "op" else key[0], title=key[1],
                     count=counts[key]) for key in order]
    edge_counts = Counter()
    edge_kind = {}
    for e in model.edges:
        pair = (ids[key_of[e.src]], ids[key_of[e.dst]])
        edge_counts[pair] += 1
        edge_kind.setdefault(pair, e.kind)
    edges = [VizEdge(s, d, None, edge_kind[(s, d)], count=c)
             for (s, d), c in edge_counts.items()]
    roots = sorted({ids[key_of[r]] for r in model.roots})
    return GraphModel(nodes=nodes, edges=edges, roots=roots, state=model.state,
                      total_nodes=model.total_nodes)
