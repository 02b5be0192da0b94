/**
 * The trusted supervisor — RESH's "domain NV" and Minix's reincarnation server in one. {@link
 * io.resh.host.ReplicaGroup} launches N replica processes, orders every request, dispatches in
 * batches, votes, detects crashes, hangs, divergence and latent state corruption, and recovers a faulty
 * replica from the voted snapshot while the group keeps answering.
 *
 * <p>All decisions of a group are taken on one thread, the group loop; replica I/O happens on a
 * reader and a writer thread per replica process, which only move frames between pipes and queues.
 */
package io.resh.host;
