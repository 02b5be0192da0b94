package io.resh.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with the admin API's error bodies: its own refusals (a body over the limit, an
 * {@code Expect} it cannot meet) are empty, where every other error says what was wrong as
 * {@code {"error": "one line"}}.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    BoundedAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    private HttpReply tooLarge() {
        return HttpReply.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is larger than "
                + maxBytes / 1024 + " KiB, the most the admin API takes (its calls carry a few hundred bytes of JSON)");
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        // As the aggregator decides: a connection whose body was partly read, or that is not kept alive, is
        // closed; otherwise the rest of the body is skipped and the connection serves the next request.
        boolean close = oversized instanceof io.netty.handler.codec.http.FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        FullHttpResponse res = AdminHandler.response(!close, tooLarge());
        ctx.writeAndFlush(res).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        if (!ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(answer instanceof FullHttpResponse res) || res.status().code() < 400) {
            return answer; // 100 Continue, or nothing to answer
        }
        HttpResponseStatus status = res.status();
        ReferenceCountUtil.release(answer);
        HttpReply reply = status.code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code() ? tooLarge()
                : HttpReply.error(status, "unsupported Expect header '" + start.headers().get("Expect")
                        + "'; the admin API understands only 100-continue");
        // The aggregator keeps the connection open after this answer and skips the body if one comes anyway.
        return AdminHandler.response(true, reply);
    }
}
