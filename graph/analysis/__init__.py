"""Graph analysis: projections of the store into an analysis graph, and algorithms on it.

- :mod:`graph.analysis.projection`: which records become edges, weights, dates;
  :class:`AnalysisGraph` with integer node ids and ``to_networkx()``.
- :mod:`graph.analysis.roles`: the side (official, business, supplier, crime) of each node.
- :mod:`graph.analysis.community`: Leiden / Louvain communities, seeded.
- :mod:`graph.analysis.centrality`: cross-side betweenness (brokers) and k-cores.
- :mod:`graph.analysis.engine`: the igraph engine and its seeding.
"""

from graph.analysis.centrality import Betweenness, core_numbers, cross_betweenness
from graph.analysis.community import Communities, communities, workable_communities
from graph.analysis.projection import (
    AnalysisGraph,
    FrameSource,
    Projection,
    TableSource,
    project,
)
from graph.analysis.roles import SIDES, node_roles

__all__ = ["SIDES", "AnalysisGraph", "Betweenness", "Communities", "FrameSource", "Projection",
           "TableSource", "communities", "core_numbers", "cross_betweenness", "node_roles",
           "project", "workable_communities"]
