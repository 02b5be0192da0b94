/**
 * {@code resh exec}: run any program as N replicas on one host and vote on what they produce.
 *
 * <p>{@link io.resh.exec.ExecRunner} is the entry point, {@link io.resh.exec.ExecOptions} the
 * validated request and {@link io.resh.exec.ExecResult} the outcome ({@link io.resh.exec.ExecReport}
 * renders it as JSON). Inside, an {@code ExecPlan} resolves programs, the bubblewrap
 * {@code Sandbox} and {@code CorePinning} once; each attempt ({@code GroupRun}) gives every
 * replica a private {@code Workspace} directory, starts a {@code ReplicaRun} per replica whose
 * {@code StreamPump} threads feed a {@code VotedStream} per channel (a locked
 * {@link io.resh.core.StreamVoter} with backpressure), then votes exit codes and output files
 * ({@code OutputVote}). Voted bytes reach the client through a {@code ReleasedSink}.
 */
package io.resh.exec;
