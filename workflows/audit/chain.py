"""The audit chain's arithmetic, with no dependency beyond the standard library.

Used by the application (`workflows.audit`) and, unchanged, as a standalone verifier of an
exported event log (`flask audit export`), so an auditor can check the record on any machine
with Python and the key — without the database or OrgFlow installed:

    python -m workflows.audit.chain EXPORT.jsonl --key-file audit.key [--checkpoint CHECKPOINT.json]
    python workflows/audit/chain.py EXPORT.jsonl --key-file audit.key        # the file alone works too

    hash(event) = HMAC-SHA256(key, prev_hash ‖ canonical JSON of the event's fields)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from itertools import islice
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "acted_for", "instance", "work_item", "action", "payload")
# A key rotation is itself an event, signed with the outgoing key, naming the incoming one:
# every event after it is signed with the new key.
ROTATION = "audit.key_rotated"


def fingerprint(key: bytes) -> str:
    """A public name for a key (its SHA-256, shortened); safe to store and print."""
    return hashlib.sha256(key).hexdigest()[:16]


def keyring(keys: bytes | Iterable[bytes]) -> dict[str, bytes]:
    """Keys by fingerprint (one key, or every key the log was ever signed with)."""
    return {fingerprint(k): k for k in ([keys] if isinstance(keys, bytes) else keys)}


def at_text(at: datetime) -> str:
    """The one textual form of an event time: UTC with microseconds."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes a hash covers: the event fields (not id, not the hashes), sorted, compact."""
    body = {name: record[name] for name in FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link_hash(key: bytes, prev_hash: str, record: Mapping[str, Any]) -> str:
    return hmac.new(key, prev_hash.encode("ascii") + canonical(record), hashlib.sha256).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    count: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None


def _broken(count: int, seq: int, prev_hash: str, at: int, reason: str) -> VerifyResult:
    return VerifyResult(False, count, seq, prev_hash, at, reason)


def _first_key(records: list[Mapping[str, Any]], ring: Mapping[str, bytes]) -> bytes | None:
    """The key the log starts with: the one that signs its first event."""
    if not records:
        return next(iter(ring.values()), None)
    return next((k for k in ring.values() if link_hash(k, GENESIS, records[0]) == records[0]["hash"]), None)


def _check(record: Mapping[str, Any], expected: int, prev_hash: str, key: bytes | None,
           checkpoint: Mapping[str, Any] | None) -> str | None:
    """Why `record` does not continue the chain, or None."""
    if record["seq"] != expected:
        return f"事件 {expected} 缺失或顺序被改动"
    if record["prev_hash"] != prev_hash:
        return "与前一事件的链接不符"
    if key is None or link_hash(key, prev_hash, record) != record["hash"]:
        return "事件内容与哈希不符（被修改，或缺少签名所用的密钥）"
    if checkpoint and record["seq"] == checkpoint["seq"] and record["hash"] != checkpoint["hash"]:
        return "与外部保存的检查点不符"
    return None


def verify_records(records: Iterable[Mapping[str, Any]], keys: bytes | Iterable[bytes],
                   checkpoint: Mapping[str, Any] | None = None) -> VerifyResult:
    """Walk records in seq order from the genesis; report the first that does not link.

    `keys` is the audit key, or every key the log was signed with (after rotations): the log
    starts with the key that signs event 1 and switches at each rotation event it verifies.
    With a checkpoint ({"seq", "hash"} kept outside the database), the event at that seq must
    carry exactly that hash and the log must reach it: nothing before it was changed or cut.
    """
    ring = keyring(keys)
    iterator = iter(records)
    head = list(islice(iterator, 1))  # peek at event 1 to find the starting key
    key = _first_key(head, ring)
    prev_hash, expected, count = GENESIS, 1, 0
    for record in [*head, *iterator]:
        reason = _check(record, expected, prev_hash, key, checkpoint)
        if reason:
            return _broken(count, expected - 1, prev_hash, expected, reason)
        if record["action"] == ROTATION:
            key = ring.get(str(record["payload"].get("to")))
        prev_hash, expected, count = record["hash"], expected + 1, count + 1
    if checkpoint and count < checkpoint["seq"]:
        return _broken(count, count, prev_hash, count + 1, f"审计记录短于检查点（检查点为第 {checkpoint['seq']} 号事件）")
    return VerifyResult(True, count, count, prev_hash)


def _read_jsonl(path: str) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an exported OrgFlow audit log.")
    parser.add_argument("export", help="JSON-lines file written by `flask audit export`")
    parser.add_argument("--key-file", required=True, action="append",
                        help="file holding an audit key; repeat for every key used since the first (rotations)")
    parser.add_argument("--checkpoint", help="checkpoint file written by `flask audit checkpoint --out`")
    args = parser.parse_args(argv)
    keys = []
    for path in args.key_file:
        with open(path, encoding="utf-8") as handle:
            keys.append(handle.read().strip().encode("utf-8"))
    checkpoint = None
    if args.checkpoint:
        with open(args.checkpoint, encoding="utf-8") as handle:
            checkpoint = json.load(handle)
    result = verify_records(_read_jsonl(args.export), keys, checkpoint)
    if not result.ok:
        print(f"BROKEN at event {result.broken_seq}: {result.reason}")
        return 1
    print(f"OK {result.count} events, head {result.head_seq} {result.head_hash}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
