"""Synthetic OCDS releases as JSON lines, for streaming tests and benches.

Examples
--------
>>> import tempfile, pathlib, json
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
>>> n = write_releases(p, 0.01)
>>> first = json.loads(p.read_text(encoding="utf-8").splitlines()[0])
>>> n > 5, first["ocid"], len(first["bids"]["details"])
(True, 'ocds-test-0', 3)
"""

from __future__ import annotations

import json
from pathlib import Path


def write_releases(path: Path, target_mb: float, firms: int = 5000) -> int:
    """Write releases (3 bids each, shared firms and buyers) until the file holds
    ``target_mb`` megabytes; returns how many were written."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < target_mb * 1e6:
            bidders = [f"FIRM-{(n * 7 + k * 13) % firms}" for k in range(3)]
            rel = {
                "ocid": f"ocds-test-{n}", "id": f"r{n}", "date": "2020-01-01T00:00:00Z",
                "parties": [{"id": f"BUYER-{n % 50}", "name": f"Buyer {n % 50}",
                             "roles": ["buyer"]}]
                + [{"id": b, "name": f"Firm {b}", "roles": ["tenderer"],
                    "address": {"streetAddress": f"Street {b}"}} for b in bidders],
                "buyer": {"id": f"BUYER-{n % 50}"},
                "tender": {"title": f"Tender {n}", "procurementMethod": "open",
                           "description": "x" * 200},
                "bids": {"details": [{"id": f"b{n}-{k}", "status": "valid",
                                      "value": {"amount": 1000 + k + n % 97, "currency": "CNY"},
                                      "tenderers": [{"id": b}]}
                                     for k, b in enumerate(bidders)]},
                "awards": [{"id": f"a{n}", "status": "active", "date": "2020-02-01",
                            "value": {"amount": 1000 + n % 97, "currency": "CNY"},
                            "suppliers": [{"id": bidders[0]}]}]}
            fh.write(json.dumps(rel) + "\n")
            n += 1
    return n
