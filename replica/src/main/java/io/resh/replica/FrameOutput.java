package io.resh.replica;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffered frame channel for one writer at a time: requests and replies are encoded straight into
 * its buffer ({@link FrameCodec#write(FrameOutput, Frame)}), other frames through a {@link
 * DataOutputStream} over it. Unlike {@code DataOutputStream} over {@code BufferedOutputStream} it takes
 * no lock per call and allocates nothing per frame; whoever shares it between threads (a replica's
 * heartbeat, the host's writer and group loop) must hold a lock of their own around each use.
 */
public final class FrameOutput extends OutputStream {
    private final OutputStream sink;
    private final byte[] buf;
    private int count;
    private final DataOutputStream data = new DataOutputStream(this);

    /**
     * @param sink where full buffers and {@link #flush} go (the pipe; not buffered again)
     * @param bufferBytes buffer size: the most one system call writes
     */
    public FrameOutput(OutputStream sink, int bufferBytes) {
        this.sink = sink;
        this.buf = new byte[bufferBytes];
    }

    /** This buffer as a {@link DataOutputStream}, for frames encoded field by field. */
    DataOutputStream data() {
        return data;
    }

    /**
     * Room for {@code n} more bytes in the buffer, flushing what it holds first if needed.
     *
     * @return the offset to write them at, or -1 if {@code n} is more than the buffer holds (then write
     *     them with {@link #write(byte[], int, int)}, which passes them through)
     */
    int reserve(int n) throws IOException {
        if (n > buf.length) {
            return -1;
        }
        if (count + n > buf.length) {
            drain();
        }
        int at = count;
        count += n;
        return at;
    }

    byte[] buffer() {
        return buf;
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buf.length) {
            drain();
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - count) {
            drain();
            // Large arrays (a snapshot) pass through a buffer's worth at a time: one write of the whole
            // array makes the JDK copy all of it into a native buffer of that size first (100 MB of
            // fresh memory touched for a 100 MB snapshot), while a pipe takes 64 KiB per write anyway.
            while (len >= buf.length) {
                sink.write(b, off, buf.length);
                off += buf.length;
                len -= buf.length;
            }
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        drain();
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            sink.close();
        }
    }

    private void drain() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0; // a failed write loses the buffer either way; the channel is broken then
            sink.write(buf, 0, n);
        }
    }
}
