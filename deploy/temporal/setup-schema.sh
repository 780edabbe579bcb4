#!/bin/sh
# Creates or migrates Temporal's two PostgreSQL databases. One script for both ways of running the
# topology: docker-compose.yml runs it in temporalio/admin-tools with the defaults below, and
# `npm run cluster` (src/cluster/setup-scripts.ts) runs it with the native binaries' paths.
# Idempotent, so it runs on every start: `create` accepts an existing database, `setup-schema
# -v 0.0` skips a database already past 0.0, and update-schema applies only missing versions.
# Any failure stops the script with a non-zero exit (no `|| true`: a half-made schema must not
# reach the server).
#   SQL_TOOL       temporal-sql-tool binary (default: the one on PATH)
#   SCHEMA_DIR     the server's schema/postgresql/v12 folder (default: admin-tools' copy)
#   POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD  where PostgreSQL is and who to be
set -eu
sql_tool="${SQL_TOOL:-temporal-sql-tool}"
schema_dir="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
tool() {
  "$sql_tool" --plugin postgres12 --ep "${POSTGRES_SEEDS:-postgresql}" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}
for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="$schema_dir/${pair#*:}/versioned"
  [ -d "$dir" ] || { echo "setup-schema: schema folder $dir not found" >&2; exit 1; }
  tool --db "$db" create || { echo "setup-schema: could not create database $db" >&2; exit 1; }
  tool --db "$db" setup-schema -v 0.0 || { echo "setup-schema: setup-schema failed for $db" >&2; exit 1; }
  tool --db "$db" update-schema -d "$dir" || { echo "setup-schema: update-schema failed for $db" >&2; exit 1; }
done
echo "schema ready"
