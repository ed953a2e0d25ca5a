#!/bin/sh
# One-shot job (temporalio/admin-tools; `npm run stack` runs it with temporal-sql-tool built from the
# same version): creates the Temporal databases in PostgreSQL if missing and brings both schemas to
# the version this temporal-sql-tool ships. Every step is idempotent, so the job runs on every
# `docker compose up` and after an image upgrade it applies the new schema versions (the pattern that
# replaced the deprecated auto-setup image). It needs only `temporal-sql-tool` on PATH: the schema
# files are the ones embedded in the tool (--schema-name), so tool and schema are always one version.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
PORT="${DB_PORT:-5432}"

sqltool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"
}

# Wait until PostgreSQL accepts this user (a login, not just an open port). `create` is idempotent,
# so it doubles as the check.
echo "waiting for PostgreSQL at ${POSTGRES_SEEDS}:${PORT}"
i=0
until out="$(sqltool --db "${DBNAME:-temporal}" create 2>&1)"; do
  i=$((i + 1))
  [ "$i" -lt 60 ] || { echo "PostgreSQL at ${POSTGRES_SEEDS}:${PORT} did not accept ${POSTGRES_USER}: ${out}" >&2; exit 1; }
  sleep 2
done

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  schema="${pair#*:}"
  echo "schema for database $db ($schema)"
  sqltool --db "$db" create
  sqltool --db "$db" setup-schema -v 0.0
  sqltool --db "$db" update-schema --schema-name "postgresql/v12/$schema"
done
echo "Temporal schemas are up to date"
