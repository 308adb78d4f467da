#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh BIN SEEDS WORKDIR SECONDS RESULTS ASAN_OPTIONS UBSAN_OPTIONS:
# a bounded libFuzzer run; appends "PASS|FAIL fuzz/NAME: ..." to RESULTS.
bin=$1 seeds=$2 work=$3 secs=$4 res=$5
name=fuzz/${bin##*/}
rm -rf "$work/artifacts"
mkdir -p "$work/new" "$work/artifacts"
log=$work/log
ASAN_OPTIONS=$6 UBSAN_OPTIONS=$7 timeout $((secs + 60)) "$bin" \
	-max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/new" "$seeds" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$execs" ]; then
	line="PASS $name: ${execs} execs in ${secs}s, no findings"
else
	why=$(grep -E 'ERROR|invariant|runtime error|SUMMARY|deadly signal' "$log" | head -n 1)
	art=$(ls "$work/artifacts" 2>/dev/null | head -n 1)
	line="FAIL $name: exit $rc${why:+: $why}${art:+ (input: $work/artifacts/$art)}"
fi
echo "$line"
[ -n "$res" ] && echo "$line" >>"$res"
exit 0
