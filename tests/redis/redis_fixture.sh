#!/usr/bin/env bash
# The redis-server that the Redis tests share under ctest.
#
#   redis_fixture.sh start DIR   starts a server on a free 127.0.0.1 port with persistence off,
#                                and writes its port to DIR/port and its pid to DIR/redis.pid
#   redis_fixture.sh stop DIR    stops the server whose pid DIR/redis.pid names
#
# ctest runs "start" as the FIXTURES_SETUP test and "stop" as the FIXTURES_CLEANUP test.
set -euo pipefail

action=${1:?usage: redis_fixture.sh start|stop DIR}
dir=${2:?usage: redis_fixture.sh start|stop DIR}
pid_file=$dir/redis.pid
port_file=$dir/port
attempts_max=20

# True when something accepts connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when the server on 127.0.0.1:$1 replies to PING with PONG.
replies_to_ping() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf 'PING\r\n' >&3
    read -r -t 1 reply <&3
    [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

# True while process $1 runs. A zombie counts as ended, because in a container no process may
# reap the daemon for a while after it exits.
process_running() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  # The state is the first field after the command name, which is in parentheses.
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1) || return 1
  [ "$state" != Z ]
}

stop_server() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do
      process_running "$pid" || break
      sleep 0.1
    done
    if process_running "$pid"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pid_file" "$port_file"
}

start_server() {
  mkdir -p "$dir"
  # A server left over from an interrupted run would otherwise keep its port forever.
  stop_server
  for _ in $(seq "$attempts_max"); do
    local port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --daemonize yes --pidfile "$pid_file" --logfile "$dir/redis.log" --dir "$dir" \
      --loglevel warning
    for _ in $(seq 50); do
      # The pid file shows that our daemon, not some other process, listens on the port.
      if [ -f "$pid_file" ] && process_running "$(cat "$pid_file")" && replies_to_ping "$port"; then
        echo "$port" >"$port_file"
        echo "redis-server pid $(cat "$pid_file") listens on 127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
    done
    stop_server
  done
  echo "redis_fixture.sh: redis-server did not start after $attempts_max attempts" >&2
  tail -n 20 "$dir/redis.log" >&2 || true
  return 1
}

case "$action" in
  start) start_server ;;
  stop) stop_server ;;
  *) echo "redis_fixture.sh: unknown action \"$action\"; expected start or stop" >&2; exit 2 ;;
esac
