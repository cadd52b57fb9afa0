#!/usr/bin/env bash
# Make sure a Docker engine, a compose binary and the debian:bookworm-slim base image are available.
# Used by .ci/run and by developers on a bare Debian machine. Idempotent.
set -euo pipefail
log() { echo "[docker-up] $*"; }

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then need_apt+=(docker-compose); fi
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync) # source sync to remote engines (issue 13)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if [ -n "${DOCKER_HOST:-}" ]; then log "DOCKER_HOST=$DOCKER_HOST is not answering"; exit 1; fi
  log "starting dockerd"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start"; tail -50 /tmp/dockerd.log; exit 1; }
fi
log "engine $(docker version --format '{{.Server.Version}}')"

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  if docker pull debian:bookworm-slim >/dev/null 2>&1; then
    log "pulled debian:bookworm-slim"
  else
    log "pull impossible here; building debian:bookworm-slim with debootstrap"
    command -v debootstrap >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    root=$(mktemp -d /tmp/bookworm.XXXXXX)
    debootstrap --variant=minbase bookworm "$root" >/tmp/debootstrap.log 2>&1 || { tail -30 /tmp/debootstrap.log; exit 1; }
    tar -C "$root" -c . | docker import - debian:bookworm-slim >/dev/null
    rm -rf "$root"
    log "imported debian:bookworm-slim"
  fi
fi
