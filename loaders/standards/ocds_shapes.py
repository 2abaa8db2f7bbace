"""The shapes OCDS data comes in, reduced to releases.

Release packages, record packages, single records (with a compiled release,
embedded releases or only a versioned release), versioned releases, compiled
releases and plain releases all come out as ``(line, pointer, release)``; a
record that holds only links to releases published elsewhere comes out as a
reason (``str``) instead of a release.

Examples
--------
>>> v = {"ocid": "o1", "tender": {"title": [{"releaseDate": "2020", "releaseID": "1",
...                                          "value": "Old"},
...                                         {"releaseDate": "2021", "releaseID": "2",
...                                          "value": "New"}]}}
>>> latest(v)
{'ocid': 'o1', 'tender': {'title': 'New'}}
>>> merge_releases([{"ocid": "o", "date": "2", "awards": [{"id": "a", "status": "active"}]},
...                 {"ocid": "o", "date": "1", "awards": [{"id": "a", "value": 5}]}])["awards"]
[{'id': 'a', 'value': 5, 'status': 'active'}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lang import _

Release = dict[str, Any]
_LINK_KEYS = {"url", "date", "tag"}
_BY_ID = ("parties", "awards", "contracts")


def _is_versions(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(
        isinstance(x, dict) and "value" in x and ("releaseDate" in x or "releaseID" in x)
        for x in v)


def latest(v: Any) -> Any:
    """A versioned release (every field a list of versions) as its latest values."""
    if _is_versions(v):
        newest = max(v, key=lambda x: str(x.get("releaseDate") or ""))
        return latest(newest["value"])
    if isinstance(v, list):
        return [latest(x) for x in v]
    if isinstance(v, dict):
        return {k: latest(x) for k, x in v.items()}
    return v


def _has_versions(v: Any, depth: int) -> bool:
    if _is_versions(v):
        return True
    if depth <= 0:
        return False
    if isinstance(v, dict):
        return any(_has_versions(x, depth - 1) for x in v.values())
    if isinstance(v, list):
        return any(_has_versions(x, depth - 1) for x in v[:3])
    return False


def is_versioned(release: dict[str, Any]) -> bool:
    """Whether a release-like object is a versioned release (fields as version lists)."""
    return any(_has_versions(v, 3) for k, v in release.items() if k != "ocid")


def _merge_lists(old: list[Any], new: list[Any]) -> list[Any]:
    out = {str(x.get("id")): dict(x) for x in old if isinstance(x, dict)}
    extra = [x for x in old if not isinstance(x, dict)]
    for x in new:
        if isinstance(x, dict) and "id" in x:
            out.setdefault(str(x["id"]), {}).update(x)
        else:
            extra.append(x)
    return [*out.values(), *extra]


def merge_releases(releases: list[Release]) -> Release:
    """Releases of one process merged in date order (a simple compiled release)."""
    out: Release = {}
    for r in sorted(releases, key=lambda x: str(x.get("date") or "")):
        for k, v in r.items():
            if k in _BY_ID and isinstance(v, list):
                out[k] = _merge_lists(out.get(k) or [], v)
            elif k == "bids" and isinstance(v, dict):
                bids = dict(out.get("bids") or {})
                bids.update({x: y for x, y in v.items() if x != "details"})
                bids["details"] = _merge_lists(bids.get("details") or [], v.get("details") or [])
                out["bids"] = bids
            elif k == "tender" and isinstance(v, dict):
                out["tender"] = {**(out.get("tender") or {}), **v}
            else:
                out[k] = v
    return out


def record_release(record: dict[str, Any]) -> Release | str:
    """The release that best describes a record, or why there is none."""
    if isinstance(record.get("compiledRelease"), dict):
        return dict(record["compiledRelease"])
    full = [r for r in record.get("releases") or []
            if isinstance(r, dict) and set(r) - _LINK_KEYS]
    if full:
        return latest(merge_releases(full)) if any(map(is_versioned, full)) else \
            merge_releases(full)
    if isinstance(record.get("versionedRelease"), dict):
        return dict(latest(record["versionedRelease"]))
    return _("the record holds neither a compiled release nor its releases, only links to "
             "releases published elsewhere; load those release packages instead")


def _numbered(line: int, pointer: str, n: int, key: str) -> tuple[int, str]:
    """Where the n-th element of ``key`` is: record number in a whole document, else the
    line of the JSON line that holds it."""
    return (n + 1 if line == 0 else line), f"{pointer}/{key}/{n}"


def releases_of(value: Any, line: int, pointer: str,
                container: str = "") -> Iterator[tuple[int, str, Release | str]]:
    """Every release in one JSON value (package, record, release...) with its place."""
    if not isinstance(value, dict):
        yield max(line, 1), pointer, _("not an OCDS release, record or package (not an "
                                       "object)")
        return
    if container == "records":
        yield line, pointer, record_release(value)
        return
    if container == "releases":
        yield line, pointer, (latest(value) if is_versioned(value) else value)
        return
    is_record = any(k in value for k in ("compiledRelease", "versionedRelease")) or (
        "ocid" in value and isinstance(value.get("releases"), list))
    if is_record:
        yield max(line, 1), pointer, record_release(value)
    elif isinstance(value.get("records"), list):
        for n, rec in enumerate(value["records"]):
            at, ptr = _numbered(line, pointer, n, "records")
            yield at, ptr, record_release(rec) if isinstance(rec, dict) else _("not an object")
    elif isinstance(value.get("releases"), list):
        for n, rel in enumerate(value["releases"]):
            at, ptr = _numbered(line, pointer, n, "releases")
            if not isinstance(rel, dict):
                yield at, ptr, _("not an object")
            else:
                yield at, ptr, latest(rel) if is_versioned(rel) else rel
    elif "ocid" in value:
        yield max(line, 1), pointer, latest(value) if is_versioned(value) else value
    else:
        yield max(line, 1), pointer, _("not an OCDS release, record or package (no ocid, "
                                       "releases or records)")
