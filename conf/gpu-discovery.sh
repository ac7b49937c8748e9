#!/usr/bin/env bash
# Spark GPU discovery script (spark.worker.resource.gpu.discoveryScript /
# spark.executor.resource.gpu.discoveryScript): prints the NVIDIA GPUs of this
# host as Spark's ResourceInformation JSON, e.g. {"name":"gpu","addresses":["0","1"]}.
# Without nvidia-smi, or when it fails, it reports no addresses: Spark then offers
# no GPUs on this host and GPU tasks are refused instead of scheduled blindly.
set -u
addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  if indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null); then
    for i in $indices; do
      case "$i" in (*[!0-9]*|"") continue ;; esac
      addresses="${addresses:+$addresses,}\"$i\""
    done
  fi
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
