/**
 * Example services that resh replicates: {@link io.resh.examples.aes} (the AES case study, three
 * diverse implementations of one service) and {@link io.resh.examples.kv} (a stateful key-value
 * store). Each shows the rules a {@link io.resh.replica.ReplicatedService} follows: deterministic
 * replies, time from the context, canonical snapshots.
 */
package io.resh.examples;
