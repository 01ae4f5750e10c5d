#!/bin/sh
# Restores a dump made by backup.sh into PGDATABASE, all or nothing. Usage: restore.sh <dump file>
# (or `latest` for the newest in BACKUP_DIR). Refuses a dump whose checksum does not match or that
# pg_restore cannot read to the end; then restores in one transaction (--single-transaction
# --exit-on-error), so a dump that fails half-way leaves the database as it was.
# Connection: the standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
set -eu

: "${PGDATABASE:?PGDATABASE is required}"
dump=${1:?usage: restore.sh <dump file> | latest}
if [ "$dump" = latest ]; then
    : "${BACKUP_DIR:?BACKUP_DIR is required for latest}"
    dump=$(ls -1 "$BACKUP_DIR" | grep -E "^$PGDATABASE-[0-9]{8}T[0-9]{6}Z\.dump\$" | sort -r | head -n 1)
    [ -n "$dump" ] || { echo "restore: FAILED: no dump of $PGDATABASE in $BACKUP_DIR" >&2 && exit 1; }
    dump="$BACKUP_DIR/$dump"
fi
fail() { echo "restore: FAILED: $*; the database was not changed" >&2 && exit 1; }

[ -f "$dump" ] || fail "no such dump: $dump"
[ -f "$dump.sha256" ] || fail "no checksum file $dump.sha256 (an incomplete backup)"
expected=$(cut -d' ' -f1 "$dump.sha256")
actual=$(sha256sum "$dump" | cut -d' ' -f1)
[ "$expected" = "$actual" ] || fail "checksum mismatch for $dump (expected $expected, got $actual): truncated or corrupted"
pg_restore --list "$dump" >/dev/null 2>&1 || fail "pg_restore cannot read $dump"

echo "restore: restoring $dump into $PGDATABASE"
pg_restore --dbname="$PGDATABASE" --clean --if-exists --no-owner --no-privileges \
    --single-transaction --exit-on-error "$dump" || fail "pg_restore stopped (rolled back)"
echo "restore: done"
