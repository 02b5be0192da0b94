package io.resh.exec;

/**
 * The unvoted stderr of {@code --ignore-stderr}: replica 0's bytes go to resh's stderr as they
 * come, every other replica's are only counted and digested (for the report).
 */
final class StderrPassthrough implements StreamTarget {
    private final ReleasedSink sink;

    StderrPassthrough(ReleasedSink sink) {
        this.sink = sink;
    }

    @Override
    public void append(int replica, byte[] buf, int len) {
        if (replica == 0) {
            synchronized (sink) {
                sink.write(java.util.Arrays.copyOf(buf, len));
            }
        }
    }

    @Override
    public void end(int replica) {
        // Nothing to vote.
    }

    @Override
    public void exclude(int replica) {
        // Nothing to vote.
    }
}
