#!/bin/sh
# Registers the project's custom search attributes in one namespace, idempotently: an attribute that
# already exists with the same type is left alone, so this runs again without failing. An attribute
# that exists with a different type is an error (Temporal cannot change a type in place).
#
# Usage: register-search-attributes.sh            (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE from the env)
# Needs the `temporal` CLI (the temporalio/admin-tools image has it).
#
# The list between the markers is GENERATED from SEARCH_ATTRIBUTE_REGISTRATIONS in
# workflows/contract/search-attributes.ts by `npx tsx scripts/write-search-attributes-script.ts`;
# test/deployment.test.ts fails when the two differ.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"

existing_type() {
  # `temporal operator search-attribute list` prints a table "Name  Type"; print the type of $1.
  temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" \
    | awk -v n="$1" '$1 == n { print $2; exit }'
}

register() {
  name="$1"
  type="$2"
  have="$(existing_type "$name" || true)"
  if [ -n "$have" ]; then
    if [ "$(echo "$have" | tr 'A-Z' 'a-z')" = "$(echo "$type" | tr 'A-Z' 'a-z')" ]; then
      echo "search attribute $name ($type) already registered in $NAMESPACE"
      return 0
    fi
    echo "search attribute $name exists in $NAMESPACE as $have, expected $type: fix it by hand" >&2
    return 1
  fi
  if temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type "$type"; then
    echo "search attribute $name ($type) registered in $NAMESPACE"
    return 0
  fi
  # Another run may have created it between the list and the create.
  have="$(existing_type "$name" || true)"
  if [ -n "$have" ]; then
    echo "search attribute $name ($have) already registered in $NAMESPACE"
    return 0
  fi
  echo "could not register search attribute $name ($type) in $NAMESPACE" >&2
  return 1
}

# BEGIN GENERATED SEARCH ATTRIBUTES
register OffboardingStage Keyword
register OffboardingBatchId Keyword
register OffboardingUserId Int
register OffboardingOpenItems Int
register OffboardingWaitingSince Datetime
# END GENERATED SEARCH ATTRIBUTES
