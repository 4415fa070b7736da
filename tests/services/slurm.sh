#!/usr/bin/env bash
# A private one-node Slurm cluster for the sweep tests.
#   slurm.sh start DIR   install slurm-wlm and munge from Debian when absent (root), write DIR/slurm.conf,
#                        start munged, slurmctld and slurmd on loopback ports; prints SLURM_CONF=DIR/slurm.conf
#   slurm.sh stop DIR    stop the daemons started in DIR
# Exit 0 on success; 77 when Slurm cannot be had here (the reason is the last line on stderr), so the
# caller skips its tests with that reason; anything else is a real failure.
set -uo pipefail
cmd="${1:-}"; dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: slurm.sh start|stop DIR" >&2; exit 2; }
skip() { echo "slurm unavailable: $*" >&2; exit 77; }

stop() {
  for name in slurmd slurmctld munged; do
    pidfile="$dir/$name.pid"
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile" 2>/dev/null)"
    # only the daemon this script started: its pid file lives in our private folder
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
    rm -f "$pidfile"
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "slurm.sh: unknown command '$cmd'" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
   || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "slurm-wlm/munge are not installed and installing them needs root"
  command -v apt-get >/dev/null || skip "slurm-wlm/munge are not installed and there is no apt-get"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm munge) >"$dir.apt.log" 2>&1 \
    || skip "apt-get install slurm-wlm munge failed (see $dir.apt.log): $(tail -n 1 "$dir.apt.log")"
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
# munge: a private key, socket and daemon, so nothing system-wide is touched
key="$dir/munge/munge.key"
[ -f "$key" ] || { dd if=/dev/urandom of="$key" bs=1 count=1024 status=none && chmod 400 "$key"; }
socket="$dir/munge/munge.socket"
munged --force --key-file="$key" --socket="$socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed" >/dev/null 2>&1 \
  || skip "munged did not start: $(tail -n 1 "$dir/munged.log" 2>/dev/null)"

free_port() { python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}
ctld_port="$(free_port)"; d_port="$(free_port)"
[ "$d_port" = "$ctld_port" ] && d_port=$((ctld_port + 1))
cpus="$(nproc)"
conf="$dir/slurm.conf"
cat >"$conf" <<CONF
ClusterName=initlab
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf" -i >/dev/null 2>&1 || { stop; skip "slurmctld did not start: $(tail -n 1 "$dir/slurmctld.log" 2>/dev/null)"; }
slurmd -f "$conf" -N localhost >/dev/null 2>&1 || { stop; skip "slurmd did not start: $(tail -n 1 "$dir/slurmd.log" 2>/dev/null)"; }
# wait (bounded) for the node to come up idle
for _ in $(seq 60); do
  state="$(sinfo -h -n localhost -o %t 2>/dev/null | head -n 1)"
  case "$state" in idle*|mix*|alloc*) echo "SLURM_CONF=$conf"; exit 0 ;; esac
  [ "$state" = "down" ] || [ "$state" = "drain" ] && scontrol update nodename=localhost state=resume >/dev/null 2>&1
  sleep 1
done
stop
skip "the node did not become idle within 60 s (state '$state'; see $dir/slurmctld.log, $dir/slurmd.log)"
