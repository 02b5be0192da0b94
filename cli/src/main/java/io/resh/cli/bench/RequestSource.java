package io.resh.cli.bench;

import java.util.List;

/** A fixed pool of prepared requests handed out in a cycle, so building them costs nothing while measuring. */
final class RequestSource {
    private final byte[][] pool;
    private final String description;
    private int next;

    RequestSource(List<byte[]> requests, String description) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("a request source needs at least one request");
        }
        this.pool = requests.toArray(new byte[0][]);
        this.description = description;
    }

    byte[] next() {
        byte[] r = pool[next];
        next = next + 1 == pool.length ? 0 : next + 1;
        return r;
    }

    String description() {
        return description;
    }
}
