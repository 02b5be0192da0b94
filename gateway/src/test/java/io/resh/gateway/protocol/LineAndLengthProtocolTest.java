package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineAndLengthProtocolTest {

    @Test
    void shouldFrameLinesSplitAtEveryByteAndRejectOverlongOnes() {
        LineProtocol line = new LineProtocol();
        List<Object> out = Decoding.requests(line, "put a \u00ff\u00fe\n\nget a\r\n", 1);
        assertThat(out).extracting(m -> text(Decoding.request(m).bytes())).containsExactly("put a \u00ff\u00fe\n", "\n", "get a\r\n");
        assertThat(Decoding.request(out.get(0)).name()).isEqualTo("put");
        LocalReply tooLong = (LocalReply) Decoding.requests(line, bytes("x".repeat(200)), 7, 100).get(0);
        assertThat(text(tooLong.bytes())).startsWith("ERROR resh: request line of").endsWith("\n");
        assertThat(tooLong.close()).isTrue();
        List<Request> reqs = Collections.nCopies(2, Request.of(new byte[0], "x", false, 0));
        assertThat(Decoding.replies(line, reqs, bytes("ok\nvalue 1\n"), 1, 64)).containsExactly("ok\n", "value 1\n");
    }

    @Test
    void shouldFrameLengthPrefixedFramesSplitAtEveryByte() {
        LengthProtocol length = new LengthProtocol();
        byte[] input = {0, 0, 0, 3, 'a', 0, 'c', 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff};
        List<Object> out = Decoding.requests(length, input, 1, 1024);
        assertThat(out).hasSize(3);
        assertThat(Decoding.request(out.get(0)).bytes()).containsExactly(0, 0, 0, 3, 'a', 0, 'c');
        assertThat(Decoding.request(out.get(1)).bytes()).containsExactly(0, 0, 0, 0);
        LocalReply huge = (LocalReply) Decoding.requests(length, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 1, 1024).get(0);
        assertThat(text(huge.bytes())).contains("request of 4294967299 bytes exceeds the limit of 1024 bytes (maxFrameBytes)");
        assertThat(huge.bytes()[3] & 0xff).as("the error is itself a length-prefixed frame").isEqualTo(huge.bytes().length - 4);
        List<Request> reqs = Collections.nCopies(2, Request.of(new byte[0], "x", false, 0));
        assertThat(Decoding.replies(length, reqs, new byte[] {0, 0, 0, 1, 'x', 0, 0, 0, 0}, 1, 64)).hasSize(2);
    }
}
