#!/bin/sh
# One-shot job (temporalio/admin-tools): waits until the Temporal server answers, creates the
# namespace if it is missing, then registers the custom search attributes. Safe to run again.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
export TEMPORAL_ADDRESS="$ADDRESS" TEMPORAL_NAMESPACE="$NAMESPACE"

echo "waiting for the Temporal server at $ADDRESS"
i=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 90 ] || { echo "Temporal server at $ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done

if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  # A concurrent run may win the race; describe again before calling it a failure.
  temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION" \
    || temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null
  echo "namespace $NAMESPACE created (retention $RETENTION)"
  # A new namespace takes a moment (the server's namespace cache refreshes every 10 s) to reach the
  # operator API. `namespace describe` answers from the database at once, so it is no sign of that:
  # wait until the call the next script needs works.
  i=0
  until temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 60 ] || { echo "namespace $NAMESPACE did not reach the operator API" >&2; exit 1; }
    sleep 1
  done
fi

# Beside this script's folder, as in the repository (compose mounts deploy/ the same way).
sh "$(dirname "$0")/../register-search-attributes.sh"
echo "namespace $NAMESPACE is ready"
