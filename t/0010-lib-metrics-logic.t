#!/bin/sh
# C unit tests of smetrics' pure logic (t/unit/lib-metrics-logic.c).
exec "$(dirname "$0")/unit/lib-metrics-logic"
