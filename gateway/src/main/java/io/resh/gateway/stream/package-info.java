/**
 * Stream mode: protocol-agnostic replication for services whose connections don't interact. Each
 * client connection gets one backend connection per replica; client bytes go to all of them, and the
 * client receives the longest byte prefix that f+1 replicas agree on ({@link io.resh.core.StreamVoter}).
 * A replica whose stream departs from the released prefix, ends early, continues past an agreed end,
 * or lags it past the deadline is faulty: it is killed and restarted empty (there is no request log to
 * replay in this mode).
 */
package io.resh.gateway.stream;
