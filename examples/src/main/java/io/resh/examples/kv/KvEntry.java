package io.resh.examples.kv;

/**
 * A stored value and when it was last written (epoch milliseconds of the host's clock, taken from
 * the request's context). Never modified in place: a write replaces the entry.
 */
record KvEntry(byte[] value, long modifiedMillis) {
}
