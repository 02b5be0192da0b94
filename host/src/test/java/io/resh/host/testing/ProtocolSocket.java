package io.resh.host.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.resh.client.ClientProtocol;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain blocking client socket that writes {@link io.resh.client.ClientProtocol} frames byte by byte,
 * malformed ones included, and reads the replies one at a time: for front-door tests that must control
 * what a single socket read holds. Every read gives up after 20 s.
 */
public final class ProtocolSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;

    /** One reply frame as it came off the wire. */
    public record Frame(long id, byte status, String text) {
    }

    private ProtocolSocket(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(20_000);
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to a front door on 127.0.0.1. */
    public static ProtocolSocket connect(int port) {
        try {
            return new ProtocolSocket(new Socket("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** A well-formed request frame: length, correlation id, UTF-8 payload. */
    public static byte[] request(long id, String payload) {
        return request(id, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A well-formed request frame: length, correlation id, payload. */
    public static byte[] request(long id, byte[] payload) {
        return ByteBuffer.allocate(4 + 8 + payload.length).putInt(8 + payload.length).putLong(id).put(payload).array();
    }

    /** A frame of three bytes, too short to hold the 8-byte correlation id. */
    public static byte[] malformed() {
        return new byte[] {0, 0, 0, 3, 1, 2, 3};
    }

    /** Writes the frames with one write and one flush, so that the server reads them together. */
    public void sendTogether(byte[]... frames) {
        int total = 0;
        for (byte[] f : frames) {
            total += f.length;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (byte[] f : frames) {
            all.put(f);
        }
        try {
            OutputStream out = socket.getOutputStream();
            out.write(all.array());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next reply frame. */
    public Frame read() throws IOException {
        int length = in.readInt();
        long id = in.readLong();
        byte status = in.readByte();
        return new Frame(id, status, new String(in.readNBytes(length - 9), StandardCharsets.UTF_8));
    }

    /** True once the server has closed the connection and nothing more is left to read. */
    public boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    /**
     * Asserts what a client that sent requests 1 to 3, each adding one to a counter that stood at {@code
     * before}, then a malformed frame, then request 4, must see: the three answered in the order sent, then
     * the error for the bad frame, then the connection closed with request 4 unanswered.
     */
    public void expectThreeAnsweredThenRejected(long before) throws IOException {
        List<Frame> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(read());
        }
        assertThat(replies).as("the three requests before the malformed frame, applied in the order sent")
                .extracting(Frame::id, Frame::status, Frame::text)
                .containsExactlyInAnyOrder(
                        tuple(1L, ClientProtocol.STATUS_OK, Long.toString(before + 1)),
                        tuple(2L, ClientProtocol.STATUS_OK, Long.toString(before + 2)),
                        tuple(3L, ClientProtocol.STATUS_OK, Long.toString(before + 3)));
        Frame error = read();
        assertThat(error.id()).isZero();
        assertThat(error.status()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
        assertThat(error.text()).contains("malformed request frame");
        assertThat(closedByServer()).as("closed after the error, request 4 unanswered").isTrue();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
