#!/usr/bin/env bash
# Measures the image the way ImageIT runs it (chroot + private mount namespace, as root, no engine):
# time from process start to the first successful /healthcheck, RSS when idle, and the cost of one
# /healthcheck probe (static C program) versus a Java probe (`wharf healthcheck`) in the same image.
#
#   sudo docker/measure/image-footprint.sh docker/target/wharf-image.tar [runs] [container memory, default 256m]
#
# The chroot has no cgroup memory limit, so the container limit is simulated with -XX:MaxRAM (the
# JVM sizes heap percentages from it exactly as from a cgroup limit).
# Prints one line per measurement; benchmarks/README.md quotes the results.
set -euo pipefail
IMAGE=$(realpath "$1")
RUNS=${2:-5}
LIMIT=${3:-256m}
WORK=$(mktemp -d /tmp/wharf-footprint.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/archive" "$WORK/rootfs"
tar -xf "$IMAGE" -C "$WORK/archive"
for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$WORK/archive/manifest.json"); do
  tar --numeric-owner --same-owner -p -xf "$WORK/archive/$layer" -C "$WORK/rootfs"
done
ROOT=$WORK/rootfs
UNSHARE=$(command -v unshare); MOUNT=$(command -v mount); CHROOT=$(command -v chroot)
mkdir -p "$ROOT/proc" "$ROOT/dev"
echo "image: $IMAGE; load average: $(cut -d' ' -f1-3 /proc/loadavg); limit $LIMIT"
echo "size: tarball $(stat -c %s "$IMAGE") B; unpacked $(du -sb "$ROOT" | cut -f1) B; layers gzip -6 $(for f in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$WORK/archive/manifest.json"); do gzip -n -6 -c "$WORK/archive/$f" | wc -c; done | paste -sd+ | bc) B"

# Runs a command inside the image as its user with /proc and /dev mounted (the dynamic loader needs
# /proc/self/exe to resolve the java launcher's $ORIGIN rpath, as in any container).
cat >"$WORK/in-image" <<SH
#!/bin/sh
exec "$UNSHARE" --mount --propagation private -- /bin/sh -c \
  '$MOUNT -t proc proc "\$0/proc" && $MOUNT --rbind /dev "\$0/dev" && exec $CHROOT --userspec=4317:4317 "\$0" "\$@"' \
  "$ROOT" "\$@"
SH
chmod +x "$WORK/in-image"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

config() { # health grpc http metrics
  cat <<YAML
extensions:
  health_check:
    endpoint: 127.0.0.1:$1
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$2
      http:
        endpoint: 127.0.0.1:$3
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
  batch/metrics:
    timeout: 60s
exporters:
  debug:
service:
  extensions: [health_check]
  telemetry:
    metrics:
      address: 127.0.0.1:$4
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [debug]
    metrics:
      receivers: [otlp]
      processors: [batch/metrics]
      exporters: [debug]
YAML
}

# run_once LABEL WHARF_JAVA_OPTS -> prints ms to healthy and idle RSS
run_once() {
  local label=$1 opts=$2 health grpc http metrics pid start now ms
  health=$(free_port); grpc=$(free_port); http=$(free_port); metrics=$(free_port)
  start=$(date +%s%N)
  env -i PATH=/opt/java/bin:/ HOME=/home/wharf LANG=C.UTF-8 RUN_IN_CONTAINER=True \
      AOT_CONFIG_CONTENT="$(config "$health" "$grpc" "$http" "$metrics")" WHARF_JAVA_OPTS="$opts" \
      "$UNSHARE" --mount --propagation private -- /bin/sh -c \
      "$MOUNT"' -t proc proc "$0/proc" && '"$MOUNT"' --rbind /dev "$0/dev" && exec '"$CHROOT"' --userspec=4317:4317 "$0" /wharf --config=/etc/otel-config.yaml' \
      "$ROOT" >"$WORK/$label.log" 2>&1 &
  pid=$!
  until "$ROOT/healthcheck" --port "$health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "$label: exited early"; tail -20 "$WORK/$label.log"; return 1; }
    sleep 0.005
  done
  now=$(date +%s%N); ms=$(( (now - start) / 1000000 ))
  # CPU time spent until healthy (user+sys, ms): unlike wall time, independent of other load on the machine.
  local cpu_ms
  cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14+$15)*1000/hz)}' /proc/$pid/stat)
  sleep 10
  local rss
  rss=$(awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/{printf "%s=%s ", $1, $2}' /proc/$pid/status)
  echo "$label: healthy_ms=$ms cpu_ms_to_healthy=$cpu_ms idle_kib: $rss"
  if [ "$label" = "probe" ]; then probe_costs "$health"; fi
  kill -TERM "$pid"; wait "$pid" || echo "$label: exit code $?"
}

probe_costs() {
  local port=$1 i
  echo "probe: static C /healthcheck (elapsed_s max_rss_kib), $RUNS runs:"
  for i in $(seq "$RUNS"); do /usr/bin/time -o "$WORK/t" -f "  elapsed_s=%e user_s=%U sys_s=%S max_rss_kib=%M" "$ROOT/healthcheck" --port "$port" >/dev/null 2>&1; cat "$WORK/t"; done
  echo "probe: /wharf healthcheck (java with the image's options and AOT cache), $RUNS runs:"
  for i in $(seq "$RUNS"); do
    /usr/bin/time -o "$WORK/t" -f "  elapsed_s=%e user_s=%U sys_s=%S max_rss_kib=%M" "$WORK/in-image" /wharf healthcheck --port "$port" >/dev/null 2>&1 || true; cat "$WORK/t"
  done
  echo "probe: java minimal (-XX:TieredStopAtLevel=1 -Xmx8m -Xss256k -XX:+UseSerialGC -XX:-UsePerfData, no AOT cache), $RUNS runs:"
  for i in $(seq "$RUNS"); do
    /usr/bin/time -o "$WORK/t" -f "  elapsed_s=%e user_s=%U sys_s=%S max_rss_kib=%M" "$WORK/in-image" /opt/java/bin/java -XX:TieredStopAtLevel=1 -Xmx8m \
      -Xss256k -XX:+UseSerialGC -XX:-UsePerfData -jar /wharf.jar healthcheck --port "$port" >/dev/null 2>&1 || true; cat "$WORK/t"
  done
}

for i in $(seq "$RUNS"); do run_once aot "-XX:MaxRAM=$LIMIT"; done
for i in $(seq "$RUNS"); do run_once no-aot "-XX:MaxRAM=$LIMIT -XX:AOTMode=off"; done
run_once probe "-XX:MaxRAM=$LIMIT"
