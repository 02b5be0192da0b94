package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resh.gateway.ordered.RequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Drives framers the way the gateway does: through the real decoder in an EmbeddedChannel, or chunk by chunk. */
final class Decoding {
    private Decoding() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The framer of a protocol named as in a config, with fixed clocks for the protocols that stamp expiries. */
    static Protocol framer(String protocol) {
        return switch (protocol) {
            case "resp" -> new RespProtocol(() -> 1_000_000L);
            case "memcached" -> new MemcachedProtocol(() -> 1_700_000_000_000L);
            default -> Protocol.named(protocol);
        };
    }

    /** Feeds {@code input} in chunks of {@code chunk} bytes and returns every message decoded. */
    static List<Object> requests(Protocol protocol, byte[] input, int chunk, int maxFrameBytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(protocol, maxFrameBytes, 60_000_000_000L));
        for (int i = 0; i < input.length; i += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(chunk, input.length - i)));
        }
        return drain(ch);
    }

    /** Feeds {@code input} in chunks of the given sizes, used in turn, and returns every message decoded. */
    static List<Object> requests(Protocol protocol, byte[] input, List<Integer> chunkSizes, int maxFrameBytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(protocol, maxFrameBytes, 60_000_000_000L));
        int next = 0;
        for (int i = 0; i < input.length; next++) {
            int chunk = Math.min(chunkSizes.get(next % chunkSizes.size()), input.length - i);
            ch.writeInbound(Unpooled.wrappedBuffer(input, i, chunk));
            i += chunk;
        }
        return drain(ch);
    }

    /**
     * What the decoder framed once the client paused: a large request that came in small pieces is parsed again only
     * after a pause (see RequestDecoder), which the channel's clock is moved past here.
     */
    private static List<Object> drain(EmbeddedChannel ch) {
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(m);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    static List<Object> requests(Protocol protocol, String input, int chunk) {
        return requests(protocol, bytes(input), chunk, 1 << 20);
    }

    /** Splits a stream of replies to {@code requests} the way the backend handler does, fed {@code chunk} bytes at a time. */
    static List<String> replies(Protocol protocol, List<Request> requests, byte[] input, int chunk, int max) {
        ByteBuf buf = Unpooled.buffer();
        List<String> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < input.length; i += chunk) {
            buf.writeBytes(input, i, Math.min(chunk, input.length - i));
            while (buf.isReadable() && next < requests.size()) {
                int len = protocol.replyLength(buf, requests.get(next), max);
                if (len < 0) {
                    break;
                }
                byte[] r = new byte[len];
                buf.readBytes(r);
                out.add(text(r));
                next++;
            }
        }
        if (buf.isReadable()) {
            out.add("LEFTOVER:" + buf.toString(StandardCharsets.ISO_8859_1));
        }
        buf.release();
        return out;
    }

    static Request request(Object m) {
        return (Request) m;
    }
}
