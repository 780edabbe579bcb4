#!/bin/sh
# Creates the namespace and this engine's search attributes. One script for both ways of running
# the topology: docker-compose.yml runs it in temporalio/admin-tools, `npm run cluster`
# (src/cluster/setup-scripts.ts) with TEMPORAL_CLI pointing at the provisioned CLI.
# The list below must equal src/contracts/search-attributes.ts (test/unit/compose.test.ts checks).
#
# Why retries: a fresh cluster answers "Namespace default is not found" for a few seconds after
# the namespace is created (each frontend refreshes its namespace cache), so each step is retried
# until the server shows the result. Nothing is ignored: a step that never succeeds exits non-zero
# naming what failed and the server's last message.
#   TEMPORAL_CLI        temporal CLI binary (default: the one on PATH)
#   TEMPORAL_ADDRESS    frontend host:port; TEMPORAL_NAMESPACE (default: default)
#   REGISTER_ATTEMPTS   tries per step, one second apart (default: 60)
set -eu
cli="${TEMPORAL_CLI:-temporal}"
ns="${TEMPORAL_NAMESPACE:-default}"
attempts="${REGISTER_ATTEMPTS:-60}"
# Name=Type, as `temporal operator search-attribute create` takes them.
SEARCH_ATTRIBUTES="IncidentId=Keyword IncidentSeverity=Keyword IncidentStage=Keyword IncidentServices=KeywordList IncidentScenario=Keyword IncidentApprovalSince=Datetime"

# retry STEP: runs STEP (which checks first, acts, then checks again) once a second until it
# succeeds, so a re-run with everything in place changes nothing.
last=""
retry() {
  i=0
  while [ "$i" -lt "$attempts" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    i=$((i + 1))
    sleep 1
  done
  return 1
}

namespace_exists() { "$cli" operator namespace describe -n "$ns"; }
ensure_namespace() {
  namespace_exists && return 0
  # A failed create is not fatal by itself (another run may have made it meanwhile): the check
  # after it decides, and its message is kept for the final error.
  if last=$("$cli" operator namespace create -n "$ns" --retention 30d 2>&1); then :; fi
  namespace_exists
}
if ! retry ensure_namespace; then
  echo "register: namespace $ns does not exist after $attempts attempts; last answer: $last" >&2
  exit 1
fi

for attr in $SEARCH_ATTRIBUTES; do
  name="${attr%%=*}"
  type="${attr#*=}"
  attribute_exists() { "$cli" operator search-attribute list -n "$ns" | grep -qw "$name"; }
  ensure_attribute() {
    attribute_exists && return 0
    if last=$("$cli" operator search-attribute create -n "$ns" --name "$name" --type "$type" 2>&1); then :; fi
    attribute_exists
  }
  if ! retry ensure_attribute; then
    echo "register: search attribute $name ($type) not registered in $ns after $attempts attempts; last answer: $last" >&2
    exit 1
  fi
done
echo "namespace $ns and search attributes ready"
