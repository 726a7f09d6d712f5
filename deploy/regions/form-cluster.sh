#!/bin/sh
# Forms the three-region Cluster of docker-compose.regions.yml the way scripts/regions/cluster-form.ts forms the test
# harness's: distinct config epochs, MEET, each region's master given its home slots (docs/regions.md), each replica
# told which master to follow (the one of its shard), then a wait until every node reports cluster_state:ok.
# redis-cli --cluster create cannot be used: it places replicas by its own rule, not one per other region.
# Run once; on a Cluster that is already formed it changes nothing and exits 0.
set -eu

NODES="redis-r1-s1 redis-r1-s2 redis-r1-s3 redis-r2-s1 redis-r2-s2 redis-r2-s3 redis-r3-s1 redis-r3-s2 redis-r3-s3"
# Region r's master, redis-r<r>-s<r>, owns these slots: the home of region r's users (REDIS_HOME_SLOTS).
HOME_SLOTS_1="0 5460"
HOME_SLOTS_2="5461 10922"
HOME_SLOTS_3="10923 16383"

cli () { redis-cli -h "$@"; }

for node in $NODES; do
  until cli "$node" ping >/dev/null 2>&1; do sleep 1; done
done
if cli redis-r1-s1 cluster info | grep -q '^cluster_state:ok'; then
  echo "already formed"
  exit 0
fi

epoch=1
for node in $NODES; do
  cli "$node" cluster set-config-epoch "$epoch" >/dev/null
  epoch=$((epoch + 1))
done
for node in $NODES; do
  # MEET takes an address; the nodes then gossip the hostnames they announce.
  cli redis-r1-s1 cluster meet "$(getent hosts "$node" | cut -d ' ' -f 1)" 6379 >/dev/null
done
for region in 1 2 3; do
  eval "slots=\$HOME_SLOTS_$region"
  # shellcheck disable=SC2086 # two words: first and last slot
  cli "redis-r$region-s$region" cluster addslotsrange $slots >/dev/null
done
for node in $NODES; do
  until [ "$(cli "$node" cluster nodes | wc -l)" -eq 9 ]; do sleep 1; done
done
for region in 1 2 3; do
  for shard in 1 2 3; do
    [ "$region" = "$shard" ] && continue
    master_id=$(cli "redis-r$shard-s$shard" cluster myid)
    cli "redis-r$region-s$shard" cluster replicate "$master_id" >/dev/null
  done
done
for node in $NODES; do
  until cli "$node" cluster info | grep -q '^cluster_state:ok'; do sleep 1; done
done
echo "formed: three masters, each with a replica in both other regions"
