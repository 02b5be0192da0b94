package io.resh.admin;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.resh.core.CompletionCause;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates each request and hands it to its route: the dashboard page (public: it holds no
 * data), the event stream, or {@link AdminRoutes}. A request without the right bearer token gets 401
 * and a log line (rate-limited, so a scanner can't flood the log); the token itself is never logged.
 * Shared by every connection; holds no per-connection state.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminToken token;
    private final AdminRoutes routes;
    private final Dashboard dashboard;
    private final EventJournal journal;
    private final Broadcast samples;
    private final Counter rejected;
    private final LogBudget rejectionLog = new LogBudget(10, 1_000_000_000L);

    AdminHandler(AdminToken token, AdminRoutes routes, Dashboard dashboard, EventJournal journal, Broadcast samples,
                 Counter rejected) {
        this.token = token;
        this.routes = routes;
        this.dashboard = dashboard;
        this.journal = journal;
        this.samples = samples;
        this.rejected = rejected;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            write(ctx, false, HttpReply.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.rawPath();
        List<String> segments;
        Map<String, List<String>> query;
        try {
            segments = AdminRequest.segments(path);
            query = uri.parameters();
        } catch (IllegalArgumentException e) {
            // "%zz": Netty's decoder threw on the event loop and the connection closed without an answer.
            write(ctx, false, HttpReply.error(HttpResponseStatus.BAD_REQUEST, "malformed URL: " + e.getMessage()
                    + "; a '%' in a URL must start an escape such as %2F"));
            return;
        }
        HttpMethod method = req.method();
        if (path.equals("/") || path.equals("/index.html")) {
            write(ctx, keepAlive, method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) ? dashboard.page()
                    : HttpReply.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "the dashboard takes GET"));
            return;
        }
        String remote = String.valueOf(ctx.channel().remoteAddress());
        String problem = authProblem(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (problem != null) {
            reject(ctx, method, path, remote, problem);
            return;
        }
        if (AdminEndpoint.EVENT_STREAM.matches(segments) && method.equals(AdminEndpoint.EVENT_STREAM.method())) {
            AdminRequest r = new AdminRequest(method, path, segments, query, new byte[0], remote);
            try {
                String group = r.param("group", null);
                routes.requireKnown(group);
                int backlog = r.intParam("backlog", 0, 0, AdminConfig.MAX_EVENTS_LISTED);
                EventStream.open(ctx, group, r.eventTypes(), backlog, journal, samples);
            } catch (BadRequestException e) {
                write(ctx, keepAlive, HttpReply.error(e.status(), e.getMessage()));
            }
            return;
        }
        AdminRequest r = new AdminRequest(method, path, segments, query, ByteBufUtil.getBytes(req.content()), remote);
        routes.handle(r).whenComplete((reply, error) -> {
            if (error != null) {
                Throwable cause = CompletionCause.of(error);
                String what = Failures.firstLine(cause.toString());
                LOG.warn("admin: {} {} failed: {}", method, path, what, cause);
                reply = HttpReply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + what
                        + "; the admin server's log has the stack trace");
            }
            write(ctx, keepAlive, reply);
        });
    }

    /** Null when the Authorization header carries the token; otherwise what is wrong with it. */
    private String authProblem(String authorization) {
        if (authorization == null) {
            return "no Authorization header";
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return "Authorization is not a bearer token";
        }
        return token.matches(authorization.substring(7).trim()) ? null : "wrong token";
    }

    private void reject(ChannelHandlerContext ctx, HttpMethod method, String path, String remote, String problem) {
        rejected.increment();
        long suppressed = rejectionLog.admit(System.nanoTime());
        if (suppressed >= 0) {
            LOG.warn("admin: rejected {} {} from {}: {}{}", method, path, remote, problem,
                    suppressed > 0 ? " (" + suppressed + " more rejected calls were not logged)" : "");
        }
        HttpReply reply = HttpReply.error(HttpResponseStatus.UNAUTHORIZED, problem
                + ": send 'Authorization: Bearer <token>' with the token from the admin token file");
        write(ctx, false, new HttpReply(reply.status(), reply.contentType(), reply.body(),
                Map.of("WWW-Authenticate", "Bearer realm=\"resh\"")));
    }

    static void write(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
        FullHttpResponse res = response(keepAlive, reply);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** {@code reply} as Netty's response, with the headers every admin answer carries. */
    static FullHttpResponse response(boolean keepAlive, HttpReply reply) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(),
                Unpooled.wrappedBuffer(reply.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set("X-Content-Type-Options", "nosniff");
        if (!reply.headers().containsKey("Cache-Control")) {
            res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        reply.headers().forEach((k, v) -> res.headers().set(k, v));
        res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return res;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // an idle keep-alive connection; streams write a ping every 15 s and never get here
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin: connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
