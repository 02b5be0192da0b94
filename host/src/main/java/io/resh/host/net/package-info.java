/**
 * resh's own TCP front door: the length-prefixed protocol of {@link io.resh.client.ClientProtocol}
 * in front of whatever orders and answers the requests, a {@link io.resh.host.net.RequestSink}: a local
 * {@link io.resh.host.ReplicaGroup}, or a cluster's Raft log. One Netty pipeline per connection: a frame
 * decoder with a size limit, then {@code FrontDoorHandler}, which submits to the sink and writes replies.
 */
package io.resh.host.net;
