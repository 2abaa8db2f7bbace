#!/usr/bin/env python3
"""A small Bolt server that runs Cypher on grafeo: a stand-in Neo4j for tests.

Test infrastructure, not product code. It lets the Neo4j code path (the
official ``neo4j`` driver, its sessions, managed and explicit transactions,
routing, retries, and every Cypher text the store sends) run for real on a
machine where no Neo4j server can run. Standard library plus ``grafeo``
(PyPI ``grafeo`` 0.6, needs Python >= 3.12) only; the module itself imports
without grafeo, so its doctests run under the project's Python 3.11.

Usage::

    BRIDGE_USER=neo4j BRIDGE_PASSWORD=secret \\
        python bolt_grafeo.py [--host 127.0.0.1] [--port 0] [--port-file FILE]
                              [--path DIR] [--fail-commits 3,7] [--bolt 5.8] [-v]

With ``--port 0`` a free port is bound, written to ``--port-file`` (atomically)
and printed as ``listening on HOST:PORT``. Credentials come from the
environment only, never from argv; wrong ones get
``Neo.ClientError.Security.Unauthorized`` and the connection is closed. When
``BRIDGE_PASSWORD`` is unset, authentication is off (any credentials pass).
``--path DIR`` keeps one persistent grafeo database file per database name
(``DIR/<name>.grafeo``); without it every database lives in memory.
``--fail-commits 3,7`` makes the 3rd and 7th COMMIT message (counted across
the server) roll back and fail with ``Neo.TransientError.Transaction.
DeadlockDetected``, so tests can watch ``execute_write`` retry.

Protocol
    Handshake: the 0x6060B017 preamble and four proposals, both the classic
    ``[0, range, minor, major]`` encoding and the v1 "manifest" handshake
    (``0x000001FF``) that the 6.x driver offers first. Bolt 5.0 to 5.8 is
    served (``--bolt`` caps the minor version); the 6.4 driver settles on 5.8.
    Version-dependent behaviour follows Neo4j 5.26: 5.0 takes credentials in
    HELLO, 5.1+ uses LOGON/LOGOFF, 5.4+ announces ``telemetry.enabled`` and
    accepts TELEMETRY, 5.7+ sends GQL-style FAILURE metadata (``neo4j_code``,
    ``gql_status``, ``description``, ``diagnostic_record``). Messages: HELLO,
    LOGON, LOGOFF, GOODBYE, RESET, RUN, BEGIN, COMMIT, ROLLBACK, PULL, DISCARD,
    ROUTE, TELEMETRY; chunked framing; full PackStream. The server state
    machine is Neo4j's: after a FAILURE everything but RESET and GOODBYE gets
    IGNORED. ROUTE answers with this very server as WRITE, READ and ROUTE so
    that ``neo4j://`` URIs work.

Databases and transactions
    The ``db`` field of BEGIN/RUN/ROUTE picks a database (case-insensitive,
    default ``neo4j``); each name has its own ``grafeo.GrafeoDB``, created on
    first use. An explicit transaction is a grafeo transaction
    (``db.begin_transaction()``); an auto-commit RUN runs in a transaction of
    its own, committed before RUN is answered (grafeo computes the whole
    result eagerly; PULL only pages through it). A READ transaction (``mode
    "r"``) refuses writes as Neo4j does, with
    ``Neo.ClientError.Statement.AccessMode`` / "Writing in read access mode not
    allowed": the statement's plan (``explain_cypher``) is checked for write
    operators before it runs, and its write counters after, and the
    transaction is rolled back. Any failure inside an explicit transaction
    rolls it back. One lock guards every grafeo call (one thread per
    connection). Bookmarks are issued (``FB:<db>:<n>``) but not needed: there
    is one instance. Transaction timeouts and metadata are accepted and
    ignored; impersonation is refused.

Errors
    grafeo errors map to Neo4j codes: syntax and other semantic errors (unknown
    variable, unknown function) to ``Neo.ClientError.Statement.SyntaxError``,
    unique-constraint violations to ``Neo.ClientError.Schema.
    ConstraintValidationFailed``, unknown procedures to ``Neo.ClientError.
    Procedure.ProcedureNotFound``, a missing parameter to ``...Statement.
    ParameterMissing``, division by zero to ``...Statement.ArithmeticError``,
    write-write conflicts (grafeo's retryable errors) to ``Neo.TransientError.
    Transaction.DeadlockDetected``, everything else to ``Neo.DatabaseError.
    General.UnknownError``; the message is grafeo's. GQL statuses are a best
    effort.

Values
    grafeo's Python results carry nodes as ``{'_id', '_labels', ...props}``,
    relationships as ``{'_id', '_source', '_target', '_type', ...props}``,
    paths as ``{'nodes': [...], 'edges': [...]}`` and durations as
    ``{'months', 'days', 'nanos'}``; these shapes become Bolt Node,
    Relationship, Path and Duration structures (a plain map of exactly such a
    shape is indistinguishable and is sent the same way). Element ids are
    grafeo's own ``elementId()`` strings (``n:3``, ``e:7``), so they can be fed
    back into ``elementId(x) = $id``. Dates, times, local and zoned datetimes
    go both ways as Bolt temporal structures. Known losses, all grafeo's:
    a zoned DateTime *parameter* reaches grafeo as a UTC local datetime (its
    binding drops the zone); durations as parameters are passed as the map
    ``{months, days, nanos}``; named zones (``[Europe/Paris]``) come back as
    null; temporal precision is microseconds; spatial values are refused.

Performance (measured with grafeo 0.6.0)
    ``UNWIND $rows ... MERGE (n:L {key: row.key})`` (or ``MATCH`` on the key)
    costs time quadratic in the length of the list: 2,000 rows take ~1.5 s,
    20,000 rows more than 10 minutes, while batches of 200 rows take ~7 ms
    each. The per-row lookup scans the label: grafeo's UNIQUE constraints
    are not index-backed (unlike Neo4j's), and only a plain property index
    (``CREATE INDEX ... ON (n.key)``) makes the lookup O(1). The server does
    not work around this: clients send small batches (a few hundred rows).
    Plain ``UNWIND ... CREATE`` and parameters of many thousand maps are fast.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hmac
import itertools
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVER_AGENT = "Neo4j/5.26.0"
DEFAULT_DB = "neo4j"
MAGIC = b"\x60\x60\xb0\x17"
MAX_MINOR = 8  # Bolt 5.8, the newest Bolt 5 minor version of Neo4j 5.26
MAX_CHUNK = 0xFFFF

# --------------------------------------------------------------------------
# PackStream
# --------------------------------------------------------------------------


class PackStreamError(ValueError):
    """A value that cannot be packed, or bytes that do not unpack."""


@dataclass(frozen=True)
class Structure:
    """A PackStream structure: a one-byte tag and its fields.

    >>> Structure(0x44, [19723])
    Structure(tag=0x44, fields=[19723])
    """

    tag: int
    fields: list[Any]

    def __repr__(self) -> str:
        return f"Structure(tag=0x{self.tag:02X}, fields={self.fields!r})"


def _pack_size(out: bytearray, size: int, tiny: int | None, markers: tuple[int, int, int]) -> None:
    if tiny is not None and size < 0x10:
        out.append(tiny + size)
    elif size < 0x100:
        out.append(markers[0])
        out.append(size)
    elif size < 0x10000:
        out.append(markers[1])
        out += struct.pack(">H", size)
    elif size < 0x100000000:
        out.append(markers[2])
        out += struct.pack(">I", size)
    else:
        raise PackStreamError(f"too large to pack: {size} items or bytes")


def pack_into(out: bytearray, value: Any) -> None:
    """Append the PackStream encoding of ``value`` to ``out``."""
    if value is None:
        out.append(0xC0)
    elif value is True:
        out.append(0xC3)
    elif value is False:
        out.append(0xC2)
    elif isinstance(value, int):
        if -0x10 <= value < 0x80:
            out += struct.pack(">b", value)
        elif -0x80 <= value < 0x80:
            out += b"\xc8" + struct.pack(">b", value)
        elif -0x8000 <= value < 0x8000:
            out += b"\xc9" + struct.pack(">h", value)
        elif -0x80000000 <= value < 0x80000000:
            out += b"\xca" + struct.pack(">i", value)
        elif -0x8000000000000000 <= value < 0x8000000000000000:
            out += b"\xcb" + struct.pack(">q", value)
        else:
            raise PackStreamError(f"integer out of the 64-bit range: {value}")
    elif isinstance(value, float):
        out += b"\xc1" + struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _pack_size(out, len(data), 0x80, (0xD0, 0xD1, 0xD2))
        out += data
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        _pack_size(out, len(data), None, (0xCC, 0xCD, 0xCE))
        out += data
    elif isinstance(value, (list, tuple)):
        _pack_size(out, len(value), 0x90, (0xD4, 0xD5, 0xD6))
        for item in value:
            pack_into(out, item)
    elif isinstance(value, dict):
        _pack_size(out, len(value), 0xA0, (0xD8, 0xD9, 0xDA))
        for key, item in value.items():
            if not isinstance(key, str):
                raise PackStreamError(f"map keys must be strings, not {type(key).__name__}")
            pack_into(out, key)
            pack_into(out, item)
    elif isinstance(value, Structure):
        if len(value.fields) > 0x0F:
            raise PackStreamError("a structure has at most 15 fields")
        out.append(0xB0 + len(value.fields))
        out.append(value.tag)
        for item in value.fields:
            pack_into(out, item)
    else:
        raise PackStreamError(f"cannot pack a {type(value).__name__}")


def pack(value: Any) -> bytes:
    """The PackStream encoding of one value.

    >>> pack([1, -17, 200, "é", None, True]).hex(" ")
    '96 01 c8 ef c9 00 c8 82 c3 a9 c0 c3'
    >>> pack({"a": 1.5}).hex(" ")
    'a1 81 61 c1 3f f8 00 00 00 00 00 00'
    >>> pack(Structure(0x44, [0])).hex(" ")
    'b1 44 00'
    """
    out = bytearray()
    pack_into(out, value)
    return bytes(out)


class Unpacker:
    """Reads PackStream values from a byte string.

    >>> values = [0, -16, -17, 127, 128, -129, 2**31, -(2**63), 0.25, "", "x" * 300,
    ...           b"\\x00\\xff", [None, False], {"k": [1, {"z": "中文"}]}, list(range(70000))]
    >>> [Unpacker(pack(v)).unpack() for v in values] == values
    True
    >>> Unpacker(pack(Structure(0x4E, [1, ["A"], {}, "n:1"]))).unpack()
    Structure(tag=0x4E, fields=[1, ['A'], {}, 'n:1'])
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise PackStreamError("truncated PackStream data")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def _size(self, fmt: str, n: int) -> int:
        size: int = struct.unpack(fmt, self._take(n))[0]
        return size

    def unpack(self) -> Any:
        marker = self._take(1)[0]
        if marker < 0x80:
            return marker
        if marker >= 0xF0:
            return marker - 0x100
        high, low = marker & 0xF0, marker & 0x0F
        if high == 0x80:
            return self._take(low).decode("utf-8")
        if high == 0x90:
            return [self.unpack() for _ in range(low)]
        if high == 0xA0:
            return self._map(low)
        if high == 0xB0:
            tag = self._take(1)[0]
            return Structure(tag, [self.unpack() for _ in range(low)])
        if marker == 0xC0:
            return None
        if marker == 0xC1:
            return struct.unpack(">d", self._take(8))[0]
        if marker == 0xC2:
            return False
        if marker == 0xC3:
            return True
        ints = {0xC8: (">b", 1), 0xC9: (">h", 2), 0xCA: (">i", 4), 0xCB: (">q", 8)}
        if marker in ints:
            fmt, n = ints[marker]
            return struct.unpack(fmt, self._take(n))[0]
        sizes = {0: (">B", 1), 1: (">H", 2), 2: (">I", 4)}
        if 0xCC <= marker <= 0xCE:
            return bytes(self._take(self._size(*sizes[marker - 0xCC])))
        if 0xD0 <= marker <= 0xD2:
            return self._take(self._size(*sizes[marker - 0xD0])).decode("utf-8")
        if 0xD4 <= marker <= 0xD6:
            return [self.unpack() for _ in range(self._size(*sizes[marker - 0xD4]))]
        if 0xD8 <= marker <= 0xDA:
            return self._map(self._size(*sizes[marker - 0xD8]))
        raise PackStreamError(f"unknown PackStream marker 0x{marker:02X}")

    def _map(self, size: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for _ in range(size):
            key = self.unpack()
            if not isinstance(key, str):
                raise PackStreamError("map keys must be strings")
            result[key] = self.unpack()
        return result


def frame(message: bytes) -> bytes:
    """Split one message into Bolt chunks, ending with the 0x0000 marker.

    >>> frame(b"abc").hex(" ")
    '00 03 61 62 63 00 00'
    >>> [len(frame(b"x" * n)) for n in (65535, 65536)]
    [65539, 65542]
    """
    out = bytearray()
    for start in range(0, len(message), MAX_CHUNK):
        chunk = message[start:start + MAX_CHUNK]
        out += struct.pack(">H", len(chunk))
        out += chunk
    out += b"\x00\x00"
    return bytes(out)


# --------------------------------------------------------------------------
# Values: grafeo <-> Bolt
# --------------------------------------------------------------------------

UNIX_EPOCH_DATE = dt.date(1970, 1, 1)
UNIX_EPOCH = dt.datetime(1970, 1, 1)
UNIX_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NANOS = 1_000_000_000


class BoltFailure(Exception):
    """A request the server answers with FAILURE (a Neo4j status code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _nanos_of_day(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * NANOS + t.microsecond * 1000


def _time_of_nanos(nanos: int, tz: dt.tzinfo | None = None) -> dt.time:
    seconds, rest = divmod(nanos, NANOS)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, rest // 1000, tzinfo=tz)


def _is_node(value: dict[str, Any]) -> bool:
    return (isinstance(value.get("_id"), int) and isinstance(value.get("_labels"), list)
            and "_type" not in value)


def _is_relationship(value: dict[str, Any]) -> bool:
    return (isinstance(value.get("_id"), int) and isinstance(value.get("_type"), str)
            and isinstance(value.get("_source"), int) and isinstance(value.get("_target"), int))


def _is_path(value: dict[str, Any]) -> bool:
    nodes, edges = value.get("nodes"), value.get("edges")
    return (len(value) == 2 and isinstance(nodes, list) and isinstance(edges, list)
            and len(nodes) == len(edges) + 1
            and all(isinstance(n, dict) and _is_node(n) for n in nodes)
            and all(isinstance(e, dict) and _is_relationship(e) for e in edges))


def _is_duration(value: dict[str, Any]) -> bool:
    return set(value) == {"months", "days", "nanos"} and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values())


def _props(value: dict[str, Any], hidden: tuple[str, ...]) -> dict[str, Any]:
    return {k: to_bolt(v) for k, v in value.items() if k not in hidden}


_NODE_KEYS = ("_id", "_labels")
_REL_KEYS = ("_id", "_source", "_target", "_type")


def _node(value: dict[str, Any]) -> Structure:
    nid = value["_id"]
    return Structure(0x4E, [nid, list(value["_labels"]), _props(value, _NODE_KEYS), f"n:{nid}"])


def _relationship(value: dict[str, Any]) -> Structure:
    rid, src, dst = value["_id"], value["_source"], value["_target"]
    return Structure(0x52, [rid, src, dst, value["_type"], _props(value, _REL_KEYS),
                            f"e:{rid}", f"n:{src}", f"n:{dst}"])


def _path(value: dict[str, Any]) -> Structure:
    nodes: list[Structure] = []
    rels: list[Structure] = []
    node_index: dict[int, int] = {}
    rel_index: dict[int, int] = {}
    for n in value["nodes"]:
        if n["_id"] not in node_index:
            node_index[n["_id"]] = len(nodes)
            nodes.append(_node(n))
    indices: list[int] = []
    for i, e in enumerate(value["edges"]):
        if e["_id"] not in rel_index:
            rel_index[e["_id"]] = len(rels) + 1
            rels.append(Structure(0x72, [e["_id"], e["_type"], _props(e, _REL_KEYS),
                                         f"e:{e['_id']}"]))
        before, after = value["nodes"][i]["_id"], value["nodes"][i + 1]["_id"]
        forward = e["_source"] == before and e["_target"] == after
        indices += [rel_index[e["_id"]] if forward else -rel_index[e["_id"]], node_index[after]]
    return Structure(0x50, [nodes, rels, indices])


def _datetime(value: dt.datetime) -> Structure:
    if value.tzinfo is None:
        delta = value - UNIX_EPOCH
        return Structure(0x64, [delta.days * 86400 + delta.seconds, delta.microseconds * 1000])
    delta = value - UNIX_EPOCH_UTC
    seconds, nanos = delta.days * 86400 + delta.seconds, delta.microseconds * 1000
    zone = getattr(value.tzinfo, "key", None)
    if isinstance(zone, str):
        return Structure(0x69, [seconds, nanos, zone])
    offset = value.utcoffset() or dt.timedelta(0)
    return Structure(0x49, [seconds, nanos, int(offset.total_seconds())])


def _duration(months: int, days: int, nanos: int) -> Structure:
    seconds, rest = divmod(nanos, NANOS)
    return Structure(0x45, [months, days, seconds, rest])


def to_bolt(value: Any) -> Any:
    """A grafeo result value as a PackStream-ready Bolt value.

    >>> to_bolt({"_id": 3, "_labels": ["A"], "name": "x"})
    Structure(tag=0x4E, fields=[3, ['A'], {'name': 'x'}, 'n:3'])
    >>> to_bolt(dt.date(2024, 1, 2))
    Structure(tag=0x44, fields=[19724])
    >>> to_bolt({"months": 14, "days": 3, "nanos": 3_600_000_000_001})
    Structure(tag=0x45, fields=[14, 3, 3600, 1])
    >>> to_bolt(dt.time(1, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    Structure(tag=0x54, fields=[3723000000000, 3600])
    """
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date):
        return Structure(0x44, [(value - UNIX_EPOCH_DATE).days])
    if isinstance(value, dt.time):
        offset = value.utcoffset()
        if offset is None:
            return Structure(0x74, [_nanos_of_day(value)])
        return Structure(0x54, [_nanos_of_day(value), int(offset.total_seconds())])
    if isinstance(value, dt.timedelta):
        return _duration(0, value.days, value.seconds * NANOS + value.microseconds * 1000)
    if isinstance(value, (list, tuple)):
        return [to_bolt(v) for v in value]
    if isinstance(value, dict):
        if _is_relationship(value):
            return _relationship(value)
        if _is_node(value):
            return _node(value)
        if _is_path(value):
            return _path(value)
        if _is_duration(value):
            return _duration(value["months"], value["days"], value["nanos"])
        return {str(k): to_bolt(v) for k, v in value.items()}
    raise BoltFailure("Neo.DatabaseError.General.UnknownError",
                      f"the bridge cannot send a {type(value).__name__} value: {value!r}")


def from_bolt(value: Any) -> Any:
    """A Bolt parameter value as a Python value for grafeo.

    >>> from_bolt(Structure(0x44, [19724]))
    datetime.date(2024, 1, 2)
    >>> from_bolt(Structure(0x49, [0, 5000, 3600])).isoformat()
    '1970-01-01T01:00:00.000005+01:00'
    >>> from_bolt({"d": [Structure(0x64, [86400, 0])]})
    {'d': [datetime.datetime(1970, 1, 2, 0, 0)]}
    """
    if isinstance(value, list):
        return [from_bolt(v) for v in value]
    if isinstance(value, dict):
        return {k: from_bolt(v) for k, v in value.items()}
    if not isinstance(value, Structure):
        return value
    tag, f = value.tag, value.fields
    try:
        if tag == 0x44:  # Date
            return UNIX_EPOCH_DATE + dt.timedelta(days=f[0])
        if tag == 0x74:  # LocalTime
            return _time_of_nanos(f[0])
        if tag == 0x54:  # Time
            return _time_of_nanos(f[0], dt.timezone(dt.timedelta(seconds=f[1])))
        if tag == 0x64:  # LocalDateTime
            return UNIX_EPOCH + dt.timedelta(seconds=f[0], microseconds=f[1] // 1000)
        if tag == 0x49:  # DateTime with offset (UTC-based, Bolt 5)
            utc = UNIX_EPOCH_UTC + dt.timedelta(seconds=f[0], microseconds=f[1] // 1000)
            return utc.astimezone(dt.timezone(dt.timedelta(seconds=f[2])))
        if tag == 0x69:  # DateTime with zone id (UTC-based, Bolt 5)
            from zoneinfo import ZoneInfo

            utc = UNIX_EPOCH_UTC + dt.timedelta(seconds=f[0], microseconds=f[1] // 1000)
            return utc.astimezone(ZoneInfo(f[2]))
        if tag == 0x45:  # Duration: grafeo takes no duration parameter; pass its map shape
            return {"months": f[0], "days": f[1], "nanos": f[2] * NANOS + f[3]}
    except (IndexError, TypeError, ValueError, OverflowError, LookupError) as exc:
        raise BoltFailure("Neo.ClientError.Request.Invalid",
                          f"invalid temporal value {value!r}: {exc}") from exc
    if tag in (0x58, 0x59):
        raise BoltFailure("Neo.ClientError.Statement.TypeError",
                          "spatial values are not supported by the grafeo bridge")
    raise BoltFailure("Neo.ClientError.Request.Invalid",
                      f"structure 0x{tag:02X} cannot be used as a parameter")


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

GQL = {
    "Neo.ClientError.Security.Unauthorized":
        ("42NFF", "error: syntax error or access rule violation - permission/access denied"),
    "Neo.ClientError.Statement.SyntaxError":
        ("42001", "error: syntax error or access rule violation - invalid syntax"),
    "Neo.ClientError.Statement.AccessMode":
        ("42N02", "error: syntax error or access rule violation - writing in read access mode"),
    "Neo.ClientError.Procedure.ProcedureNotFound":
        ("42N08", "error: syntax error or access rule violation - no such procedure"),
    "Neo.ClientError.Statement.ParameterMissing":
        ("42N51", "error: syntax error or access rule violation - invalid parameter"),
    "Neo.ClientError.Schema.ConstraintValidationFailed":
        ("22N79", "error: data exception - property uniqueness constraint violated"),
    "Neo.ClientError.Statement.ArithmeticError":
        ("22012", "error: data exception - division by zero"),
    "Neo.TransientError.Transaction.DeadlockDetected":
        ("50N05", "error: general processing exception - deadlock detected"),
}
CLASSIFICATION = {"ClientError": "CLIENT_ERROR", "TransientError": "TRANSIENT_ERROR",
                  "DatabaseError": "DATABASE_ERROR"}


def failure_metadata(code: str, message: str, minor: int) -> dict[str, Any]:
    """FAILURE metadata as Neo4j 5.26 sends it for Bolt 5.``minor``.

    >>> failure_metadata("Neo.ClientError.Statement.SyntaxError", "bad", 4)
    {'code': 'Neo.ClientError.Statement.SyntaxError', 'message': 'bad'}
    >>> failure_metadata("Neo.ClientError.Statement.SyntaxError", "bad", 8)["gql_status"]
    '42001'
    """
    if minor < 7:
        return {"code": code, "message": message}
    gql, description = GQL.get(
        code, ("50N42", "error: general processing exception - unexpected error"))
    classification = CLASSIFICATION.get(code.split(".")[1], "DATABASE_ERROR")
    return {"neo4j_code": code, "message": message, "gql_status": gql,
            "description": f"{description}. {message}",
            "diagnostic_record": {"OPERATION": "", "OPERATION_CODE": "0",
                                  "CURRENT_SCHEMA": "/", "_classification": classification}}


def map_grafeo_error(exc: Exception) -> BoltFailure:
    """The Neo4j status for an exception raised by grafeo."""
    message = str(exc)
    lower = message.lower()
    error_code = str(getattr(exc, "error_code", "") or "")
    gql_status = str(getattr(exc, "gql_status", "") or "")
    if "unknown procedure" in lower:
        code = "Neo.ClientError.Procedure.ProcedureNotFound"
    elif "constraint violation" in lower:
        code = "Neo.ClientError.Schema.ConstraintValidationFailed"
    elif "missing parameter" in lower:
        code = "Neo.ClientError.Statement.ParameterMissing"
    elif error_code in ("GRAFEO-Q001", "GRAFEO-Q002") or gql_status == "42001":
        # Neo4j reports semantic errors (unknown variable or function) as syntax errors too.
        code = "Neo.ClientError.Statement.SyntaxError"
    elif gql_status == "22012" or "division by zero" in lower:
        code = "Neo.ClientError.Statement.ArithmeticError"
    elif getattr(exc, "is_retryable", False):
        code = "Neo.TransientError.Transaction.DeadlockDetected"
    else:
        code = "Neo.DatabaseError.General.UnknownError"
    return BoltFailure(code, message)


# --------------------------------------------------------------------------
# Databases and statements
# --------------------------------------------------------------------------

GRAFEO_LOCK = threading.RLock()
_WRITE_OPERATOR = re.compile(
    r"^\s*(Create|Merge|Set|Add|Remove|Delete|Detach|Insert|Drop|Update|Load)\w*", re.M)
_DB_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_STATS = {"nodes_created": "nodes-created", "nodes_deleted": "nodes-deleted",
          "edges_created": "relationships-created", "edges_deleted": "relationships-deleted",
          "properties_set": "properties-set", "labels_added": "labels-added",
          "labels_removed": "labels-removed"}
ACCESS_MODE_MESSAGE = "Writing in read access mode not allowed"
_SCHEMA = re.compile(
    r"\s*(CREATE|DROP)\s+(CONSTRAINT|INDEX|TEXT|RANGE|POINT|VECTOR|FULLTEXT|LOOKUP)", re.I)


@dataclass
class Database:
    name: str
    graph: Any  # grafeo.GrafeoDB
    bookmarks: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def bookmark(self) -> str:
        return f"FB:{self.name}:{next(self.bookmarks)}"


@dataclass
class Outcome:
    """What one statement produced: columns, raw rows and summary metadata."""

    fields: list[str]
    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    position: int = 0


def plan_writes(graph: Any, query: str) -> bool | None:
    """Whether grafeo's plan for ``query`` writes; None when it cannot tell."""
    try:
        plan = graph.explain_cypher(query).scalar()
    except Exception as exc:
        return True if "Schema commands" in str(exc) else None
    if not isinstance(plan, str):
        return None
    return bool(_WRITE_OPERATOR.search(plan)) or "[after the write]" in plan


def run_statement(db: Database, tx: Any, query: str, params: dict[str, Any],
                  read_only: bool) -> Outcome:
    """Run one Cypher statement in grafeo transaction ``tx`` (caller rolls back on error)."""
    with GRAFEO_LOCK:
        by_plan = plan_writes(db.graph, query)
        if read_only and by_plan:
            raise BoltFailure("Neo.ClientError.Statement.AccessMode", ACCESS_MODE_MESSAGE)
        try:
            result = tx.execute_cypher(query, params)
            columns = [str(c) for c in result.columns]
            rows = result.to_list()
            counters = dict(result.counters or {})
        except Exception as exc:
            raise map_grafeo_error(exc) from exc
    stats = {_STATS[k]: v for k, v in counters.items() if k in _STATS and v}
    writes = bool(by_plan) or bool(stats)
    if read_only and writes:
        raise BoltFailure("Neo.ClientError.Statement.AccessMode", ACCESS_MODE_MESSAGE)
    if by_plan and not columns and not stats and _is_schema(query):
        kind = "s"
    else:
        kind = ("rw" if columns else "w") if writes else "r"
    summary: dict[str, Any] = {"type": kind, "db": db.name}
    if stats:
        summary["stats"] = stats
    return Outcome(columns, rows, summary)


def _is_schema(query: str) -> bool:
    return _SCHEMA.match(query) is not None


# --------------------------------------------------------------------------
# Bolt connections
# --------------------------------------------------------------------------

SUCCESS, RECORD, IGNORED, FAILURE = 0x70, 0x71, 0x7E, 0x7F
MESSAGE_NAMES = {0x01: "HELLO", 0x02: "GOODBYE", 0x0F: "RESET", 0x10: "RUN", 0x11: "BEGIN",
                 0x12: "COMMIT", 0x13: "ROLLBACK", 0x2F: "DISCARD", 0x3F: "PULL",
                 0x54: "TELEMETRY", 0x66: "ROUTE", 0x6A: "LOGON", 0x6B: "LOGOFF"}


class Closed(Exception):
    """The client went away, or the server closes the connection."""


class SocketReader:
    """Exact reads from a socket, with a view of what is already buffered."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()
        self.pos = 0

    def read(self, n: int) -> bytes:
        while len(self.buffer) - self.pos < n:
            if self.pos:
                del self.buffer[:self.pos]
                self.pos = 0
            data = self.sock.recv(max(65536, n))
            if not data:
                raise Closed("client closed the connection")
            self.buffer += data
        chunk = bytes(self.buffer[self.pos:self.pos + n])
        self.pos += n
        return chunk

    def pending(self) -> bool:
        return len(self.buffer) > self.pos

    def read_message(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = struct.unpack(">H", self.read(2))[0]
            if size == 0:
                if parts:
                    return b"".join(parts)
                continue  # a NOOP chunk (keep-alive)
            parts.append(self.read(size))

    def read_varint(self) -> int:
        value, shift = 0, 0
        while True:
            byte = self.read(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7


@dataclass
class OpenTransaction:
    db: Database
    tx: Any  # grafeo Transaction
    read_only: bool
    results: dict[int, Outcome] = field(default_factory=dict)
    next_qid: int = 0
    last_qid: int = -1


class BridgeServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], grafeo: Any, *, path: Path | None,
                 user: str | None, password: str | None, fail_commits: set[int],
                 max_minor: int, verbose: bool) -> None:
        super().__init__(address, BoltHandler)
        self.grafeo = grafeo
        self.path = path
        self.user = user
        self.password = password
        self.fail_commits = fail_commits
        self.max_minor = max_minor
        self.verbose = verbose
        self.databases: dict[str, Database] = {}
        self.commits = 0
        self.connection_ids = itertools.count(1)
        self.counter_lock = threading.Lock()

    def database(self, name: Any) -> Database:
        key = str(name or DEFAULT_DB).lower()
        if not _DB_NAME.match(key):
            raise BoltFailure("Neo.ClientError.Database.DatabaseNotFound",
                              f"Database does not exist. Database name: '{name}'.")
        with GRAFEO_LOCK:
            db = self.databases.get(key)
            if db is None:
                if self.path is not None:
                    self.path.mkdir(parents=True, exist_ok=True)
                    graph = self.grafeo.GrafeoDB(str(self.path / f"{key}.grafeo"))
                else:
                    graph = self.grafeo.GrafeoDB()
                db = self.databases[key] = Database(key, graph)
            return db

    def authenticate(self, auth: dict[str, Any]) -> bool:
        if self.password is None:
            return True
        principal = str(auth.get("principal", ""))
        credentials = str(auth.get("credentials", ""))
        return (auth.get("scheme") == "basic"
                and hmac.compare_digest(principal.encode(), (self.user or "").encode())
                and hmac.compare_digest(credentials.encode(), self.password.encode()))

    def count_commit(self) -> int:
        with self.counter_lock:
            self.commits += 1
            return self.commits

    def close_databases(self) -> None:
        if GRAFEO_LOCK.acquire(timeout=5):
            try:
                for db in self.databases.values():
                    try:
                        db.graph.close()
                    except Exception as exc:
                        print(f"closing {db.name}: {exc}", file=sys.stderr)
            finally:
                GRAFEO_LOCK.release()


class BoltHandler(socketserver.BaseRequestHandler):
    """One Bolt connection: handshake, then messages until GOODBYE or EOF."""

    server: BridgeServer

    def setup(self) -> None:
        self.sock: socket.socket = self.request
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = SocketReader(self.sock)
        self.out = bytearray()
        self.minor = 0
        self.state = "NEGOTIATION"
        self.authenticated = False
        self.connection_id = f"bolt-{next(self.server.connection_ids)}"
        self.tx: OpenTransaction | None = None
        self.auto: Outcome | None = None  # the open auto-commit result
        self.auto_bookmark: str | None = None

    def log(self, text: str) -> None:
        if self.server.verbose:
            print(f"[{self.connection_id}] {text}", file=sys.stderr, flush=True)

    def handle(self) -> None:
        try:
            if not self.handshake():
                return
            while True:
                data = self.reader.read_message()
                message = Unpacker(data).unpack()
                if not isinstance(message, Structure):
                    raise Closed("a message must be a structure")
                keep_going = self.dispatch(message)
                if not keep_going or not self.reader.pending():
                    self.flush()
                if not keep_going:
                    return
        except (Closed, ConnectionError, OSError, PackStreamError) as exc:
            self.log(f"closed: {exc}")
        finally:
            self.abandon()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            self.flush()

    # ---- handshake -------------------------------------------------------

    def handshake(self) -> bool:
        if self.reader.read(4) != MAGIC:
            return False
        proposals = [self.reader.read(4) for _ in range(4)]
        if any(p[2:] == b"\x01\xff" for p in proposals):
            return self.manifest_handshake()
        for p in proposals:
            span, minor, major = p[1], p[2], p[3]
            if major != 5:
                continue
            for candidate in range(minor, minor - span - 1, -1):
                if 0 <= candidate <= self.server.max_minor:
                    return self.agree(candidate, bytes((0, 0, candidate, 5)))
        self.sock.sendall(b"\x00\x00\x00\x00")
        return False

    def manifest_handshake(self) -> bool:
        top = self.server.max_minor
        self.sock.sendall(b"\x00\x00\x01\xff" + b"\x01" + bytes((0, top, top, 5)) + b"\x00")
        chosen = self.reader.read(4)
        self.reader.read_varint()  # the capabilities the client picked (none are offered)
        major, minor = chosen[3], chosen[2]
        if major != 5 or not 0 <= minor <= top:
            return False
        return self.agree(minor, b"")

    def agree(self, minor: int, reply: bytes) -> bool:
        self.minor = minor
        if reply:
            self.sock.sendall(reply)
        self.log(f"Bolt 5.{minor}")
        return True

    # ---- responses -------------------------------------------------------

    def send(self, tag: int, *fields: Any) -> None:
        self.out += frame(pack(Structure(tag, list(fields))))

    def success(self, metadata: dict[str, Any] | None = None) -> None:
        self.log(f"S: SUCCESS {metadata or {}}")
        self.send(SUCCESS, metadata or {})

    def failure(self, failure: BoltFailure) -> None:
        self.log(f"S: FAILURE {failure.code} {failure.message[:200]}")
        self.send(FAILURE, failure_metadata(failure.code, failure.message, self.minor))

    def flush(self) -> None:
        if self.out:
            self.sock.sendall(self.out)
            self.out = bytearray()

    # ---- dispatch --------------------------------------------------------

    def dispatch(self, message: Structure) -> bool:
        name = MESSAGE_NAMES.get(message.tag, f"0x{message.tag:02X}")
        if name == "TELEMETRY" and self.minor < 4:
            name = "0x54"
        if name in ("LOGON", "LOGOFF") and self.minor < 1:
            name = f"0x{message.tag:02X}"
        self.log(f"C: {name} (state {self.state})")
        if name == "GOODBYE":
            return False
        if self.state == "FAILED":
            if name == "RESET":
                self.reset()
                self.success()
            else:
                self.log("S: IGNORED")
                self.send(IGNORED)
            return True
        handler = getattr(self, f"on_{name.lower()}", None)
        try:
            if handler is None:
                raise BoltFailure("Neo.ClientError.Request.Invalid",
                                  f"Unsupported message {name} for Bolt 5.{self.minor}")
            handler(*message.fields)
        except BoltFailure as failure:
            self.failure(failure)
            self.rollback_open()
            if self.state in ("NEGOTIATION", "AUTHENTICATION") or not self.authenticated:
                return False  # Neo4j closes the connection after a failed handshake/auth
            self.state = "FAILED"
        except Exception as exc:  # a malformed message, or grafeo failing outside a statement
            code = ("Neo.ClientError.Request.Invalid" if isinstance(exc, TypeError)
                    else "Neo.DatabaseError.General.UnknownError")
            self.failure(BoltFailure(code, f"{name}: {type(exc).__name__}: {exc}"))
            self.rollback_open()
            if not self.authenticated:
                return False
            self.state = "FAILED"
        return True

    def expect(self, name: str, *states: str) -> None:
        if self.state not in states:
            raise BoltFailure("Neo.ClientError.Request.Invalid",
                              f"Message '{name}' cannot be handled by a session in the "
                              f"{self.state} state.")

    # ---- connection messages ---------------------------------------------

    def on_hello(self, extra: dict[str, Any]) -> None:
        self.expect("HELLO", "NEGOTIATION")
        if self.minor == 0:
            self.login(extra)
            self.state = "READY"
        else:
            self.state = "AUTHENTICATION"
        hints: dict[str, Any] = {}
        if self.minor >= 4:
            hints["telemetry.enabled"] = True
        self.success({"server": SERVER_AGENT, "connection_id": self.connection_id, "hints": hints})

    def login(self, auth: dict[str, Any]) -> None:
        if not self.server.authenticate(auth):
            raise BoltFailure("Neo.ClientError.Security.Unauthorized",
                              "The client is unauthorized due to authentication failure.")
        self.authenticated = True

    def on_logon(self, auth: dict[str, Any]) -> None:
        self.expect("LOGON", "AUTHENTICATION")
        self.login(auth)
        self.state = "READY"
        self.success()

    def on_logoff(self) -> None:
        self.expect("LOGOFF", "READY")
        self.authenticated = False
        self.state = "AUTHENTICATION"
        self.success()

    def on_telemetry(self, api: int) -> None:
        self.expect("TELEMETRY", "READY")
        self.success()

    def on_reset(self) -> None:
        self.reset()
        self.success()

    def reset(self) -> None:
        self.rollback_open()
        self.state = "READY" if self.authenticated else "AUTHENTICATION"

    def on_route(self, routing: dict[str, Any], bookmarks: list[Any],
                 db_context: dict[str, Any] | str | None) -> None:
        self.expect("ROUTE", "READY")
        if isinstance(db_context, dict):
            if db_context.get("imp_user"):
                raise _no_impersonation()
            name = db_context.get("db")
        else:
            name = db_context
        db = self.server.database(name)
        host, port = self.sock.getsockname()[:2]
        address = str((routing or {}).get("address") or f"{host}:{port}")
        servers = [{"addresses": [address], "role": role} for role in ("WRITE", "READ", "ROUTE")]
        self.success({"rt": {"ttl": 300, "db": db.name, "servers": servers}})

    # ---- transactions ----------------------------------------------------

    def on_begin(self, extra: dict[str, Any]) -> None:
        self.expect("BEGIN", "READY")
        if extra.get("imp_user"):
            raise _no_impersonation()
        db = self.server.database(extra.get("db"))
        with GRAFEO_LOCK:
            tx = db.graph.begin_transaction()
        self.tx = OpenTransaction(db, tx, read_only=extra.get("mode") == "r")
        self.state = "TX_READY"
        self.success({"db": db.name} if self.minor >= 8 else {})

    def on_run(self, query: str, params: dict[str, Any], extra: dict[str, Any]) -> None:
        started = time.perf_counter()
        if not isinstance(query, str) or not isinstance(params, dict):
            raise BoltFailure("Neo.ClientError.Request.Invalid", "RUN takes a string and a map")
        values = from_bolt(params)
        if self.tx is not None:
            self.expect("RUN", "TX_READY", "TX_STREAMING")
            outcome = run_statement(self.tx.db, self.tx.tx, query, values, self.tx.read_only)
            qid = self.tx.next_qid
            self.tx.next_qid += 1
            self.tx.last_qid = qid
            self.tx.results[qid] = outcome
            self.state = "TX_STREAMING"
            self.success({"fields": outcome.fields, "t_first": _ms(started), "qid": qid})
            return
        self.expect("RUN", "READY")
        extra = extra or {}
        if extra.get("imp_user"):
            raise _no_impersonation()
        db = self.server.database(extra.get("db"))
        with GRAFEO_LOCK:
            tx = db.graph.begin_transaction()
        try:
            outcome = run_statement(db, tx, query, values, extra.get("mode") == "r")
            with GRAFEO_LOCK:
                tx.commit()
        except BoltFailure:
            _rollback(tx)
            raise
        except Exception as exc:
            _rollback(tx)
            raise map_grafeo_error(exc) from exc
        outcome.summary["bookmark"] = db.bookmark()
        self.auto = outcome
        self.state = "STREAMING"
        metadata: dict[str, Any] = {"fields": outcome.fields, "t_first": _ms(started)}
        if self.minor >= 8:
            metadata["db"] = db.name
        self.success(metadata)

    def on_pull(self, extra: dict[str, Any]) -> None:
        self.stream("PULL", extra or {}, discard=False)

    def on_discard(self, extra: dict[str, Any]) -> None:
        self.stream("DISCARD", extra or {}, discard=True)

    def stream(self, name: str, extra: dict[str, Any], discard: bool) -> None:
        started = time.perf_counter()
        self.expect(name, "STREAMING", "TX_STREAMING")
        n, qid = extra.get("n", -1), extra.get("qid", -1)
        if not isinstance(n, int) or n == 0 or n < -1:
            raise BoltFailure("Neo.ClientError.Request.Invalid", f"invalid n: {n!r}")
        if self.tx is not None:
            key = self.tx.last_qid if qid == -1 else qid
            outcome = self.tx.results.get(key)
        else:
            key, outcome = -1, self.auto if qid == -1 else None
        if outcome is None:
            raise BoltFailure("Neo.ClientError.Request.Invalid", f"no open result with qid {qid}")
        end = len(outcome.rows) if n == -1 else min(len(outcome.rows), outcome.position + n)
        if not discard:
            for row in outcome.rows[outcome.position:end]:
                self.send(RECORD, [to_bolt(row.get(c)) for c in outcome.fields])
        outcome.position = len(outcome.rows) if discard and n == -1 else end
        if outcome.position < len(outcome.rows):
            self.success({"has_more": True})
            return
        summary = dict(outcome.summary)
        summary["t_last"] = _ms(started)
        if self.tx is not None:
            summary.pop("bookmark", None)
            del self.tx.results[key]
            self.state = "TX_STREAMING" if self.tx.results else "TX_READY"
        else:
            self.auto = None
            self.state = "READY"
        self.success(summary)

    def on_commit(self) -> None:
        self.expect("COMMIT", "TX_READY", "TX_STREAMING")
        assert self.tx is not None
        tx, self.tx = self.tx, None
        number = self.server.count_commit()
        if number in self.server.fail_commits:
            _rollback(tx.tx)
            raise BoltFailure("Neo.TransientError.Transaction.DeadlockDetected",
                              f"ForsetiClient can't acquire lock (commit #{number} fails on "
                              "purpose: --fail-commits)")
        try:
            with GRAFEO_LOCK:
                tx.tx.commit()
        except Exception as exc:
            _rollback(tx.tx)
            raise map_grafeo_error(exc) from exc
        self.state = "READY"
        self.success({"bookmark": tx.db.bookmark()})

    def on_rollback(self) -> None:
        self.expect("ROLLBACK", "TX_READY", "TX_STREAMING")
        self.rollback_open()
        self.state = "READY"
        self.success()

    def rollback_open(self) -> None:
        self.auto = None
        if self.tx is not None:
            tx, self.tx = self.tx, None
            _rollback(tx.tx)

    def abandon(self) -> None:
        self.rollback_open()


def _rollback(tx: Any) -> None:
    with GRAFEO_LOCK:
        try:
            if getattr(tx, "is_active", True):
                tx.rollback()
        except Exception:  # already finished: nothing left to undo
            pass


def _no_impersonation() -> BoltFailure:
    return BoltFailure("Neo.ClientError.Statement.ArgumentError",
                       "impersonation is not supported by the grafeo bridge")


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _commit_numbers(text: str) -> set[int]:
    """``"3,7"`` -> ``{3, 7}``.

    >>> sorted(_commit_numbers("7, 3"))
    [3, 7]
    """
    return {int(part) for part in text.split(",") if part.strip()}


def _bolt_minor(text: str) -> int:
    major, _, minor = text.partition(".")
    if major != "5" or not minor.isdigit() or not 0 <= int(minor) <= MAX_MINOR:
        raise argparse.ArgumentTypeError(f"Bolt 5.0 to 5.{MAX_MINOR}, not {text}")
    return int(minor)


def write_port_file(path: Path, port: int) -> None:
    """Write ``port`` to ``path`` atomically (a reader never sees a partial file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as fh:
        fh.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: pick a free port")
    parser.add_argument("--port-file", type=Path, help="write the bound port here")
    parser.add_argument("--path", type=Path, help="keep databases in this folder (else memory)")
    parser.add_argument("--fail-commits", type=_commit_numbers, default=set(),
                        help="make these COMMITs (1-based, server-wide) fail, e.g. 3,7")
    parser.add_argument("--bolt", type=_bolt_minor, default=MAX_MINOR, metavar="5.N",
                        help=f"highest Bolt version to offer (default 5.{MAX_MINOR})")
    parser.add_argument("-v", "--verbose", action="store_true", help="log messages to stderr")
    args = parser.parse_args(argv)
    try:
        import grafeo
    except ImportError as exc:
        print(f"bolt_grafeo: grafeo is not installed for {sys.executable} ({exc}); "
              "it needs Python >= 3.12 and `pip install grafeo`", file=sys.stderr)
        return 2
    server = BridgeServer((args.host, args.port), grafeo, path=args.path,
                          user=os.environ.get("BRIDGE_USER", "neo4j"),
                          password=os.environ.get("BRIDGE_PASSWORD"),
                          fail_commits=args.fail_commits, max_minor=args.bolt,
                          verbose=args.verbose)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    host, port = args.host, int(server.server_address[1])
    try:
        if args.port_file is not None:
            write_port_file(args.port_file, port)
        print(f"listening on {host}:{port}", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.close_databases()
    return 0


if __name__ == "__main__":
    sys.exit(main())
