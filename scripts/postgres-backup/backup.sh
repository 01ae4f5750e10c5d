#!/bin/sh
# Dumps one PostgreSQL database to BACKUP_DIR and keeps the newest BACKUP_KEEP dumps. Run by the
# in-cluster CronJob (components/operations/postgres-dump.ts) and by test/backup-restore (same file).
# A dump is written under a temporary name, checked (pg_restore --list reads it to the end) and
# checksummed, then renamed: a dump file with its .sha256 beside it is always complete.
# Connection: the standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
set -eu

: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${PGDATABASE:?PGDATABASE is required}"
keep=${BACKUP_KEEP:-7}
case $keep in '' | *[!0-9]* | 0) echo "backup: BACKUP_KEEP must be a positive integer, got '$keep'" >&2 && exit 2 ;; esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$PGDATABASE-$stamp.dump"
tmp="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$tmp"' EXIT

echo "backup: dumping $PGDATABASE to $BACKUP_DIR/$name"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$tmp"
pg_restore --list "$tmp" >/dev/null
(cd "$BACKUP_DIR" && sha256sum ".$name.partial" | sed "s/\.$name\.partial\$/$name/" >"$name.sha256.partial")
mv "$tmp" "$BACKUP_DIR/$name"
mv "$BACKUP_DIR/$name.sha256.partial" "$BACKUP_DIR/$name.sha256"
echo "backup: $(wc -c <"$BACKUP_DIR/$name") bytes, sha256 $(cut -d' ' -f1 "$BACKUP_DIR/$name.sha256")"

# Retention: the newest $keep complete dumps stay (names sort by time).
ls -1 "$BACKUP_DIR" | grep -E "^$PGDATABASE-[0-9]{8}T[0-9]{6}Z\.dump\$" | sort -r | tail -n +"$((keep + 1))" | while read -r old; do
    echo "backup: removing $old (keeping $keep)"
    rm -f "$BACKUP_DIR/$old" "$BACKUP_DIR/$old.sha256"
done
