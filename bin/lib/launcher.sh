# Shared by bin/meft and bin/meft-submit (sourced, not run).
# JVM flags come from .mvn/jvm.config and the environment from conf/runtime.env:
# the one definition each, shared with Maven and Surefire.

MEFT_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
set -a
# shellcheck source=../../conf/runtime.env
. "$MEFT_ROOT/conf/runtime.env"
set +a

MEFT_CLASSPATH_FILE="$MEFT_ROOT/spark-jobs/target/launcher-classpath.txt"

meft_die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Builds the project when it was never built here or a source or pom changed since,
# so a fresh clone needs no manual step. MEFT_SKIP_BUILD=1 skips the check.
meft_ensure_built() {
  command -v java >/dev/null 2>&1 || meft_die "java not found: install Java 17 (for example 'apt-get install openjdk-17-jdk-headless')"
  [ "${MEFT_SKIP_BUILD:-0}" = 1 ] && return 0
  local stale=0
  if [ ! -f "$MEFT_CLASSPATH_FILE" ] || [ ! -d "$MEFT_ROOT/spark-jobs/target/classes/org" ]; then
    stale=1
  elif [ -n "$(find "$MEFT_ROOT/pom.xml" "$MEFT_ROOT"/*/pom.xml "$MEFT_ROOT"/*/src/main \
             -newer "$MEFT_CLASSPATH_FILE" -type f -print -quit 2>/dev/null)" ]; then
    stale=1
  fi
  if [ "$stale" = 1 ]; then
    command -v mvn >/dev/null 2>&1 || meft_die "the project is not built and mvn is not installed: install Maven 3.8+ ('apt-get install maven'), then run 'mvn -DskipTests package' in $MEFT_ROOT"
    echo "$(basename "$0"): building meft-spark (first use or sources changed): mvn -q -DskipTests package" >&2
    (cd "$MEFT_ROOT" && mvn -B -q -DskipTests package) >&2 \
      || meft_die "build failed; run 'mvn -DskipTests package' in $MEFT_ROOT to see why"
  fi
}

# The jobs' classes plus every dependency, Spark included (provided scope).
meft_classpath() {
  printf '%s:%s' "$MEFT_ROOT/spark-jobs/target/classes" "$(cat "$MEFT_CLASSPATH_FILE")"
}

# java with the project's flags. MEFT_HEAP sets -Xmx (default 4g); MEFT_JAVA_OPTS
# are appended last, so they override (for example a larger
# -Dorg.bytedeco.javacpp.maxPhysicalBytes on a big host).
meft_java() {
  # shellcheck disable=SC2086
  exec java @"$MEFT_ROOT/.mvn/jvm.config" -Xmx"${MEFT_HEAP:-4g}" \
    -Dlog4j2.configurationFile="$MEFT_ROOT/conf/log4j2.properties" \
    -Dmeft.project.root="$MEFT_ROOT" ${MEFT_JAVA_OPTS:-} \
    -cp "$(meft_classpath)" "$@"
}
