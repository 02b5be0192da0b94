/**
 * What runs inside a replica process. Service authors compile against {@link
 * io.resh.replica.ReplicatedService} and {@link io.resh.replica.ExecutionContext} only; the rest
 * ({@link io.resh.replica.ReplicaMain}, the IPC frames of {@link io.resh.replica.Frame}, the fault
 * hooks) is the runtime that the host starts in every replica JVM.
 */
package io.resh.replica;
