/**
 * Pure decision logic of resh: quorums and votes, state digests, the fault model and its events,
 * reputation, configuration records and their validation.
 *
 * <p>Nothing here starts a thread or touches a file, a socket or a clock: time is passed in. That
 * keeps every decision unit- and property-testable without processes and without sleeping.
 */
package io.resh.core;
