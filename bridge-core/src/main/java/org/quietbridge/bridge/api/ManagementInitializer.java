package org.quietbridge.bridge.api;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The pipeline of one management connection:
 * <ol>
 *   <li>a read timeout, so an idle or stalled client does not hold a connection for ever;</li>
 *   <li>the HTTP/1.1 codec (Netty's limits: 4 KiB request line, 8 KiB of headers);</li>
 *   <li>keep-alive (persistent connections, closed when either side asks);</li>
 *   <li>an aggregator that makes each request one message and answers a body over the limit
 *       with 413 and a JSON error;</li>
 *   <li>flow control, one request at a time while an answer is pending;</li>
 *   <li>the shared {@link ManagementHandler}.</li>
 * </ol>
 */
public final class ManagementInitializer extends ChannelInitializer<SocketChannel> {
    /** Seconds a connection may stay silent, kept alive between requests included. */
    public static final int READ_TIMEOUT_SECONDS = 60;

    private final ManagementHandler handler;
    private final int maxBodyBytes;

    public ManagementInitializer(ManagementHandler handler, int maxBodyBytes) {
        this.handler = handler;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        configure(ch.pipeline(), handler, maxBodyBytes);
    }

    /** Adds the handlers to {@code p}; tests build an EmbeddedChannel the same way. */
    static void configure(ChannelPipeline p, ManagementHandler handler, int maxBodyBytes) {
        p.addLast("timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        p.addLast("codec", new HttpServerCodec());
        p.addLast("keepalive", new HttpServerKeepAliveHandler());
        p.addLast("aggregator", new JsonErrorAggregator(maxBodyBytes));
        p.addLast("flow", new FlowControlHandler());
        p.addLast("handler", handler);
    }

    /** Netty's aggregator, with the API's JSON error body for 413 instead of an empty one. */
    private static final class JsonErrorAggregator extends HttpObjectAggregator {
        private final int maxBodyBytes;

        JsonErrorAggregator(int maxBodyBytes) {
            super(maxBodyBytes);
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
            if (answer instanceof HttpResponse r && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
                // The aggregator closes after this answer (it says Connection: close) and skips the body.
                return ManagementHandler.tooLarge(start.protocolVersion(), maxBodyBytes);
            }
            return answer;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // The rest of the body may still be on its way: answer, then close, as Netty does
            // for a request it cannot keep alive.
            ctx.writeAndFlush(ManagementHandler.tooLarge(oversized.protocolVersion(), maxBodyBytes))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
