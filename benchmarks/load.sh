#!/usr/bin/env bash
# End-to-end load: starts docker/target/wharf.jar (OTLP gRPC receiver -> batch -> otlp exporter to a
# loopback sink run by the load generator), drives it at RATE spans/s for SECONDS, and prints what
# the collector achieved, refused and delivered, with its RSS and CPU. Loopback only, bounded.
#
#   benchmarks/load.sh RATE [SECONDS] [JAVA_OPTS...]
#   e.g. benchmarks/load.sh 1000 60 -Xmx64m -XX:+UseSerialGC
#
# Needs: mvn -B -DskipTests package (docker/target/wharf.jar, benchmarks/target/benchmarks.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:?usage: benchmarks/load.sh RATE [SECONDS] [JAVA_OPTS...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
java_opts=("$@")
java=${JAVA:-java}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
grpc=$(free_port); sink=$(free_port); health=$(free_port)
dir=$(mktemp -d)
cat > "$dir/config.yaml" <<YAML
extensions:
  health_check: {endpoint: "127.0.0.1:$health"}
receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:$grpc"}
processors:
  batch: {}
exporters:
  otlp:
    endpoint: "127.0.0.1:$sink"
    tls: {insecure: true}
    compression: none
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [otlp]}
YAML
"$java" "${java_opts[@]}" -jar docker/target/wharf.jar --config="$dir/config.yaml" > "$dir/wharf.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 200); do
  if "$java" -jar docker/target/wharf.jar healthcheck --port "$health" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
idle=$(awk '/VmRSS/ {print $2/1024}' /proc/$pid/status)
echo "wharf pid $pid healthy; idle RSS ${idle} MiB; options: ${java_opts[*]:-(none)}"
"$java" -cp benchmarks/target/benchmarks.jar dev.wharf.benchmarks.load.LoadGenerator \
  --target "127.0.0.1:$grpc" --sink-port "$sink" --rate "$rate" --batch 50 --seconds "$seconds" --pid "$pid"
