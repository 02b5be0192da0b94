/**
 * resh's own TCP front door: the length-prefixed protocol of {@link io.resh.client.ClientProtocol}
 * in front of a {@link io.resh.host.ReplicaGroup}. One Netty pipeline per connection: a frame decoder
 * with a size limit, then {@code RequestHandler}, which submits to the group and writes voted replies.
 */
package io.resh.host.net;
