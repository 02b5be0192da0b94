package io.resh.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live server-sent-event stream on one connection: first up to {@code backlog} recent
 * {@code group-event} messages, then one {@code ready} message, then live {@code group-event} messages
 * (the event log's lines) and {@code sample} messages (one per group per second). The connection stays open until the
 * client leaves; a comment line every 15 s keeps proxies and idle timers from closing it. A client that
 * stops reading is disconnected instead of buffering without bound.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final long PING_SECONDS = 15;

    private EventStream() {
    }

    /**
     * @param group only this group's messages, or all when null
     * @param types only group events of these types, or of every type when null (samples are sent either way)
     * @param backlog recent events to send first
     */
    static void open(ChannelHandlerContext ctx, String group, Set<String> types, int backlog, EventJournal journal,
                     Broadcast samples) {
        Channel ch = ctx.channel();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("X-Accel-Buffering", "no");
        ctx.write(head);
        ctx.writeAndFlush(chunk("retry: 2000\n: connected\n\n"));
        AtomicBoolean tooSlow = new AtomicBoolean();
        Consumer<StreamMessage> sink = m -> {
            if (group != null && !group.equals(m.group())) {
                return;
            }
            if (types != null && m.name().equals(StreamMessage.GROUP_EVENT) && !types.contains(m.type())) {
                return;
            }
            if (!ch.isWritable()) {
                if (tooSlow.compareAndSet(false, true)) {
                    LOG.warn("admin: closing the event stream to {}: it does not read fast enough", ch.remoteAddress());
                    ch.close();
                }
                return;
            }
            ch.writeAndFlush(chunk(m.wire()));
        };
        Runnable stopEvents = journal.follow(backlog, group, types, m -> ch.writeAndFlush(chunk(m.wire())), sink);
        // Live messages reach this channel as tasks on its event loop, which runs after this method returns,
        // so "ready" always separates the backlog from live events.
        ctx.writeAndFlush(chunk("event: ready\ndata: {\"backlog\":" + backlog + "}\n\n"));
        Runnable stopSamples = samples.subscribe(sink);
        ScheduledFuture<?> ping = ch.eventLoop().scheduleAtFixedRate(() -> ch.writeAndFlush(chunk(": ping\n\n")),
                PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
        ch.closeFuture().addListener(f -> {
            stopEvents.run();
            stopSamples.run();
            ping.cancel(false);
        });
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }
}
