#!/bin/sh
# One-shot job (temporalio/admin-tools; `npm run stack` runs it with temporal-sql-tool built from the
# same version): creates the Temporal databases in PostgreSQL if missing and brings both schemas to
# the version this temporal-sql-tool ships. Every step is idempotent, so the job runs on every
# `docker compose up` and after an image upgrade it applies the new schema versions (the pattern that
# replaced the deprecated auto-setup image). The schema files are the ones embedded in the tool
# (--schema-name), so tool and schema are always one version and no path into the image is needed.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT="${DB_PORT:-5432}"

echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${PORT}"
i=0
until nc -z -w 5 "$POSTGRES_SEEDS" "$PORT"; do
  i=$((i + 1))
  [ "$i" -lt 60 ] || { echo "PostgreSQL did not open its port" >&2; exit 1; }
  sleep 2
done

sqltool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"
}

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  schema="${pair#*:}"
  echo "schema for database $db ($schema)"
  sqltool --db "$db" create
  sqltool --db "$db" setup-schema -v 0.0
  sqltool --db "$db" update-schema --schema-name "postgresql/v12/$schema"
done
echo "Temporal schemas are up to date"
