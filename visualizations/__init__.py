"""Interactive HTML graph views: one self-contained file per view, safe to open anywhere.

pyvis assembles the vis-network objects; our own template inlines
vis-network (from the pyvis wheel), the data and the page script, and a
Content-Security-Policy forbids every request. Texts are shown as plain text,
identity numbers masked unless revealed.

* :func:`build_page`: the generic builder, from plain node and edge records;
* :func:`finding_page`, :func:`neighbourhood_page`, :func:`path_page`: views
  over a store;
* :func:`write_scan_pages`: one page per top finding plus an index page.
"""

from visualizations.builder import GraphPage, build_page
from visualizations.index import write_scan_pages
from visualizations.pages import finding_page, neighbourhood_page, path_page
from visualizations.records import EdgeRecord, NodeRecord

__all__ = ["EdgeRecord", "GraphPage", "NodeRecord", "build_page", "finding_page",
           "neighbourhood_page", "path_page", "write_scan_pages"]
