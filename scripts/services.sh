#!/usr/bin/env bash
# Starts the local PostgreSQL and RabbitMQ when they are not running (the start commands of
# this machine kind), then waits until both accept connections. Idempotent.
set -euo pipefail

log() { echo "[services] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 120); do
    port_open "$port" && return 0
    sleep 1
  done
  log "$name did not open port $port"
  return 1
}

if ! port_open 5432; then
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  else
    log "PostgreSQL is not running and pg_ctlcluster is not installed"; exit 1
  fi
fi
wait_port 5432 PostgreSQL
for _ in $(seq 1 60); do
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done

if ! port_open 5672; then
  log "starting RabbitMQ"
  if command -v rabbitmq-server >/dev/null 2>&1; then
    rabbitmq-server -detached
  else
    log "RabbitMQ is not running and rabbitmq-server is not installed"; exit 1
  fi
fi
wait_port 5672 RabbitMQ
log "PostgreSQL and RabbitMQ are up"
