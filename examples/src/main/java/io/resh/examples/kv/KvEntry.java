package io.resh.examples.kv;

/**
 * A stored value and when it was last written (epoch milliseconds of the host's clock, taken from
 * the request's context). Rewritten in place when its key is written again: a write to an existing
 * key allocates nothing but the value.
 */
final class KvEntry {
    private byte[] value;
    private long modifiedMillis;

    KvEntry(byte[] value, long modifiedMillis) {
        this.value = value;
        this.modifiedMillis = modifiedMillis;
    }

    byte[] value() {
        return value;
    }

    long modifiedMillis() {
        return modifiedMillis;
    }

    void set(byte[] newValue, long now) {
        value = newValue;
        modifiedMillis = now;
    }

    void touch(long now) {
        modifiedMillis = now;
    }
}
