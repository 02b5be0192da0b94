/**
 * JMH microbenchmarks of resh's hot paths: the vote ({@link io.resh.bench.BallotBench}), the IPC frame
 * codec ({@link io.resh.bench.FrameCodecBench}), the gateway's RESP codec ({@link io.resh.bench.RespCodecBench}),
 * its ordered-mode voting path ({@link io.resh.bench.OrderedVoteBench}) and state digests ({@link io.resh.bench.DigestBench});
 * and the example KV store every {@code kv-small} replica runs: a request ({@link io.resh.bench.KvStoreBench}) and a
 * checkpoint's snapshot ({@link io.resh.bench.KvSnapshotBench}).
 * One scenario per class, competing setups as {@code @Param}s, the run command in each class's Javadoc.
 *
 * <p>Build once with {@code mvn -q -pl bench -am package -DskipTests}; run any of them from
 * {@code bench/target/benchmarks.jar}. These measure resh's own cost per request, not end-to-end
 * throughput, which depends on the replicas' work.
 */
package io.resh.bench;
