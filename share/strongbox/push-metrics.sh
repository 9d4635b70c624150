#!/bin/bash
# push-metrics.sh [DATE]: the seeds' metrics push: smetrics computes the
# day's figures (DATE, default today in $TZ) from $DATABASE_URL and supload
# stores them as $BRANCH_ID/metrics/DATE.json, replacing an earlier push of
# the same day.  Run at 21:45 for the day, and the next morning for
# yesterday to include late refunds.
#
# The JSON is computed whole before the upload, so that a failed query
# never stores half a file.  Exit status: 0 ok, 75 when a retry later may
# succeed, 1 otherwise.
set -euo pipefail

: "${BRANCH_ID:?BRANCH_ID is not set (see strongbox.env)}"
day=${1:-$(date +%F)}
day=$(date -d "$day" +%F)

json=$(smetrics --date "$day")
printf '%s\n' "$json" | supload "$BRANCH_ID/metrics/$day.json"
