#!/usr/bin/env bash
# Test-only discovery script: reports one fake GPU address so the scheduling path
# (worker resources -> executor -> TaskContext.resources()) is exercised without a GPU.
echo '{"name":"gpu","addresses":["0"]}'
