/**
 * The trusted supervisor — RESH's "domain NV" and Minix's reincarnation server in one. {@link
 * io.resh.host.ReplicaGroup} launches N replica processes, orders every request, dispatches in
 * batches, votes, detects crashes, hangs, divergence and latent state corruption, and recovers a faulty
 * replica from the voted snapshot while the group keeps answering.
 *
 * <p>Beyond restarting what failed, the supervisor keeps a decaying reputation of every slot, version
 * and core, rotates pinned replicas over the cores and avoids suspect ones, backs off crash loops and
 * quarantines failing versions, skips a request that kills every replica (a request of death) instead
 * of replaying it into every replacement, rejuvenates replicas proactively, checks and repairs its own
 * bookkeeping, and can run TMR as DMR with a dormant third replica (docs/SUPERVISION.md). Each of those
 * decisions is a small pure class driven by a passed-in clock.
 *
 * <p>All decisions of a group are taken on one thread, the group loop; replica I/O happens on a
 * reader and a writer thread per replica process, which only move frames between pipes and queues.
 */
package io.resh.host;
