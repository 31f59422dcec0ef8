#!/usr/bin/env bash
# Escalation in a terminal: two critical cases under a seconds-scale policy. Nobody
# acknowledges the first, so it gets reminders, then the leads (level 2) and the
# coordinators (level 3) are paged; the second is acknowledged after a second and gets
# nothing more. Run from the project folder: examples/escalation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LIAISON_POLICY_FILE=examples/policy-fast.yaml LIAISON_BOOTSTRAP_ADMINS=console:root
export DATABASE_URL="${DATABASE_URL:-file:./data/escalation-demo.db}"
rm -f ./data/escalation-demo.db ./data/escalation-demo.db-wal ./data/escalation-demo.db-shm
# Build first, and time the steps below from when the bot has opened the cases (it may take
# a while to start on a busy machine), not from when this script began.
node scripts/build.mjs
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
{
  cat <<'LINES'
root: /ppp org add code:HKPF-CSTCB kind:agency name:"Hong Kong Police CSTCB" jurisdiction:HK domains:police.gov.hk tz:Asia/Hong_Kong
root: /ppp org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example
alice: /liaison register org:HKPF-CSTCB role:liaison email:alice@police.gov.hk
bob: /liaison register org:EXA role:investigator email:bob@exa.example
lee: /liaison register org:EXA role:investigator email:lee@exa.example
root: /liaison vet @alice
root: /liaison vet @bob
root: /liaison vet @lee
root: /ppp oncall EXA @bob
root: /ppp leads EXA @lee
root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA
alice@hk-exa: /case open title:"Nobody answers" exchange:EXA severity:critical type:freeze
alice@hk-exa: /case open title:"Answered quickly" exchange:EXA severity:critical type:freeze
LINES
  for _ in $(seq 300); do grep -q 'Opened HKPF-CSTCB-[0-9]*-0002\.' "$out" && break; sleep 0.1; done
  sleep 1
  echo 'bob@hk-exa: /case ack $ref'  # the case opened last
  sleep 12
  echo "alice@hk-exa: /ppp digest now"
} | npm start --silent | tee "$out"
