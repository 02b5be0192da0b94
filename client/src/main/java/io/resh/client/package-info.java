/**
 * The client side of resh's own front door: {@link io.resh.client.ReshClient} and the length-prefixed
 * client protocol it shares with the host's server.
 */
package io.resh.client;
