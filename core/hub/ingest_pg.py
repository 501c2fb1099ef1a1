"""core.hub.ingest on PostgreSQL: the same upload, serialised per unit by the database, not by a lock here.

Several worker processes (`hub serve --workers N`) take uploads at once. Each upload's
transaction first takes its unit's lock (core.hub.database.lock_unit, held until COMMIT or
ROLLBACK): two uploads of one unit never interleave, so the checks against the unit's rows,
the conflicts and the unit's `rev` see every row the previous upload wrote; uploads of
different units run side by side.

Idempotency is the `bundles` primary key inside that transaction: the bundle id is looked up
again once the lock is held (a copy of the same bundle that arrived at the same moment, on
another connection, has committed by then and this one answers "duplicate"); and a bundle id
reused by another unit — whose lock is another — is stopped by the key itself at INSERT, which
rolls everything back; the upload is then looked at once more and answered as any second
arrival is (duplicate, or refused when the file differs).
"""

from __future__ import annotations

from core.clock import utc_iso
from core.hub import apply_pg, ingest as base, receive, validate, validate_pg
from core.hub.database import lock_unit
from core.hub.ingest import IngestResult, _device_of, applied_result, record_applied
from core.hub.store import HubPaths, device_coverage, table_catalog
from core.hub.typed_lines import TypedStaging


def ingest(paths: HubPaths, store, data: bytes, via: str, claimed: dict) -> IngestResult:
    import psycopg

    try:
        return _ingest(paths, store, data, via, claimed)
    except psycopg.errors.UniqueViolation:
        # The same bundle id committed meanwhile by an upload holding another unit's lock.
        return _ingest(paths, store, data, via, claimed)


def _ingest(paths: HubPaths, store, data: bytes, via: str, claimed: dict) -> IngestResult:
    with receive.open_upload(data, base.key_finder(store, claimed)) as opened:
        unit = opened.source
        base.check_changes(opened)
        device, device_seq = _device_of(store, opened.manifest)
        duplicate = base.duplicate_of(store, opened, unit, device)  # the common case, without waiting for the lock
        if duplicate:
            return duplicate
        moment = base.now_utc()  # one clock for both stores' paths (tests move it there)
        now = utc_iso(moment)
        catalogue = validate.check_manifest(opened.manifest)
        target = paths.bundles_dir / unit / f"{opened.bundle_id}.zip"
        version = opened.manifest["format_version"]
        with validate_pg.PortableLineChecker(catalogue) as checker, store.transaction() as conn:
            lock_unit(store, unit)
            duplicate = base.duplicate_of(store, opened, unit, device)  # committed while this one waited
            if duplicate:
                return duplicate
            upper = validate.latest_stamp(moment)
            staging = TypedStaging(catalogue, unit=unit, versioned=version >= 2, upper=upper)
            count = apply_pg.load_lines(store, opened.records.lines(), checker, staging)
            validate_pg.check_keys(store, checker)  # as on SQLite: before any field is read
            scanned = apply_pg.scan(store, unit=unit, versioned=version >= 2, upper=upper, staging=staging)
            apply_pg.check_lines(store, unit=unit, manifest=opened.manifest, catalog=table_catalog(), scanned=scanned)
            validate_pg.check_staged(store, unit=unit, catalogue=catalogue, now=moment, checker=checker,
                                     scanned=scanned)
            if version < 2:
                apply_pg.version_legacy_lines(store, device, opened.manifest["created_at"])
            conflicts = apply_pg.apply_lines(store, unit=unit, created_at=opened.manifest["created_at"], now=now,
                                             bundle_id=opened.bundle_id)
            record_applied(conn, paths, opened, data, target, via=via, now=now, count=count, device=device,
                           device_seq=device_seq)
            through, missing = device_coverage(conn, unit, device)
    return applied_result(opened, count, device, through, missing, conflicts)
