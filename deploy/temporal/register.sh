#!/bin/sh
# Creates the namespace and this engine's search attributes (the same list the dev server gets
# from src/contracts/search-attributes.ts). Re-running is harmless: existing ones are kept.
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
temporal operator namespace describe -n "$ns" >/dev/null 2>&1 || temporal operator namespace create -n "$ns" --retention 30d
for attr in IncidentId=Keyword IncidentSeverity=Keyword IncidentStage=Keyword IncidentServices=KeywordList IncidentScenario=Keyword; do
  temporal operator search-attribute create -n "$ns" --name "${attr%%=*}" --type "${attr#*=}" || true
done
echo "namespace $ns and search attributes ready"
