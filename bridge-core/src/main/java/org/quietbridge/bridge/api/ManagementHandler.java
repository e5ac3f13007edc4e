package org.quietbridge.bridge.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Routes each request to the {@link ManagementBackend} and answers it: the dashboard, Prometheus
 * metrics, the JSON API and reload. Every error is a small JSON document with the status code,
 * and no bad request reaches the backend.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>path</th><th>methods</th><th>answer</th></tr>
 *   <tr><td>{@code /}</td><td>GET, HEAD</td><td>the dashboard (one self-contained page)</td></tr>
 *   <tr><td>{@code /metrics}</td><td>GET, HEAD</td><td>Prometheus text format</td></tr>
 *   <tr><td>{@code /api/status}</td><td>GET, HEAD</td><td>version, uptime, ports, mode, digest</td></tr>
 *   <tr><td>{@code /api/counters}</td><td>GET, HEAD</td><td>every raw data-plane counter</td></tr>
 *   <tr><td>{@code /api/fdb}</td><td>GET, HEAD</td><td>the MAC table</td></tr>
 *   <tr><td>{@code /api/rules}</td><td>GET, HEAD</td><td>the rules with their hits</td></tr>
 *   <tr><td>{@code /api/nlb}</td><td>GET, HEAD</td><td>NLB clusters and their counters</td></tr>
 *   <tr><td>{@code /api/arp?bindings=false}</td><td>GET, HEAD</td><td>ARP containment: mode, counters, bindings
 *   (without the binding table when {@code bindings=false})</td></tr>
 *   <tr><td>{@code /api/storm}</td><td>GET, HEAD</td><td>storm-control limits, storms and their counters</td></tr>
 *   <tr><td>{@code /api/top-talkers?minutes=N}</td><td>GET, HEAD</td><td>sources of dropped frames</td></tr>
 *   <tr><td>{@code /api/reload}</td><td>POST</td><td>re-reads the configuration (bearer token)</td></tr>
 * </table>
 *
 * <p>Status codes: 400 malformed HTTP or bad query, 401 missing or wrong token, 403 a cross-origin
 * POST, 404 unknown path, 405 wrong method (with {@code Allow}), 413 body too large (from the
 * aggregator), 414 and 431 request line or headers too long, 422 reload rejected (the
 * configuration on disk is invalid), 503 the data plane did not answer or reload is unavailable,
 * 505 an HTTP version other than 1.x.
 *
 * <p>Answers that need the data plane (the MAC table, top talkers) or a reload complete later; until then the
 * connection reads no further request (the pipeline's flow control holds it), so pipelined
 * requests are answered in order. Stateless and shared by every connection.
 */
@ChannelHandler.Sharable
public final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String JSON = "application/json; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";
    static final int DEFAULT_MINUTES = 10;
    static final int MAX_MINUTES = 60;
    static final int DEFAULT_TOP_TALKERS = 20;
    static final int MAX_TOP_TALKERS = 100;
    /** How long an answer that needs the data-plane thread (MAC table, top talkers) may take. */
    static final long DATA_PLANE_TIMEOUT_SECONDS = 5;
    static final long RELOAD_TIMEOUT_SECONDS = 30;

    private final ManagementBackend backend;
    private final BridgeMetrics metrics;
    private final ReloadAccess access;
    private final DashboardPage dashboard;

    /**
     * @param token the bearer token {@code POST /api/reload} requires, or null to require none
     */
    public ManagementHandler(ManagementBackend backend, String token) {
        this.backend = backend;
        this.metrics = new BridgeMetrics(backend);
        this.access = new ReloadAccess(token);
        this.dashboard = DashboardPage.load();
    }

    /** The API's paths and the methods each takes. */
    enum Route {
        DASHBOARD("/", false),
        METRICS("/metrics", false),
        STATUS("/api/status", false),
        COUNTERS("/api/counters", false),
        FDB("/api/fdb", false),
        RULES("/api/rules", false),
        NLB("/api/nlb", false),
        STORM("/api/storm", false),
        ARP("/api/arp", false),
        TOP_TALKERS("/api/top-talkers", false),
        RELOAD("/api/reload", true);

        final String path;
        final boolean mutating;

        Route(String path, boolean mutating) {
            this.path = path;
            this.mutating = mutating;
        }

        static Route of(String path) {
            for (Route r : values()) {
                if (r.path.equals(path)) {
                    return r;
                }
            }
            return null;
        }

        boolean allows(HttpMethod m) {
            return mutating ? HttpMethod.POST.equals(m) : HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m);
        }

        String allow() {
            return mutating ? "POST" : "GET, HEAD";
        }
    }

    /** What an answer needs to know of its request after the request is released. */
    private record Exchange(HttpVersion version, boolean head) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        Exchange ex = new Exchange(req.protocolVersion(), HttpMethod.HEAD.equals(req.method()));
        if (!req.decoderResult().isSuccess()) {
            malformed(ctx, ex, req.decoderResult().cause());
            return;
        }
        if (req.protocolVersion().majorVersion() != 1) {
            // RFC 9110 15.6.6; answered in HTTP/1.1, the only version this server speaks.
            Exchange v11 = new Exchange(HttpVersion.HTTP_1_1, ex.head());
            FullHttpResponse r = response(v11, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, JSON, JsonDocuments.error(505,
                    "http_version_not_supported", "this server speaks HTTP/1.1 and 1.0, not " + req.protocolVersion()));
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        QueryStringDecoder target;
        try {
            target = target(req.uri());
        } catch (IllegalArgumentException e) {
            error(ctx, ex, HttpResponseStatus.BAD_REQUEST, "bad_request", "bad request target: " + e.getMessage());
            return;
        }
        Route route = Route.of(target.path());
        if (route == null) {
            error(ctx, ex, HttpResponseStatus.NOT_FOUND, "not_found", "no such endpoint: " + target.path());
            return;
        }
        if (!route.allows(req.method())) {
            FullHttpResponse r = response(ex, HttpResponseStatus.METHOD_NOT_ALLOWED, JSON, JsonDocuments.error(405,
                    "method_not_allowed", req.method() + " is not allowed on " + route.path + "; use " + route.allow()));
            r.headers().set(HttpHeaderNames.ALLOW, route.allow());
            ctx.writeAndFlush(r);
            return;
        }
        try {
            serve(ctx, ex, route, req, target);
        } catch (RuntimeException e) {
            error(ctx, ex, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", describe(e));
        }
    }

    private void serve(ChannelHandlerContext ctx, Exchange ex, Route route, FullHttpRequest req,
            QueryStringDecoder target) {
        switch (route) {
            case DASHBOARD -> ctx.writeAndFlush(dashboard.withHeaders(response(ex, HttpResponseStatus.OK, HTML,
                    dashboard.html())));
            case METRICS -> ok(ctx, ex, BridgeMetrics.CONTENT_TYPE, metrics.scrape());
            case STATUS -> ok(ctx, ex, JSON, JsonDocuments.status(backend.status()));
            case COUNTERS -> ok(ctx, ex, JSON, JsonDocuments.counters(backend.counters()));
            case RULES -> ok(ctx, ex, JSON, JsonDocuments.rules(backend.status(), backend.rules()));
            case NLB -> ok(ctx, ex, JSON, JsonDocuments.nlb(backend.nlb()));
            case STORM -> ok(ctx, ex, JSON, JsonDocuments.storms(backend.storms()));
            case TOP_TALKERS -> topTalkers(ctx, ex, target.parameters());
            case FDB -> later(ctx, ex, backend::fdb, DATA_PLANE_TIMEOUT_SECONDS,
                    entries -> response(ex, HttpResponseStatus.OK, JSON, JsonDocuments.fdb(entries)));
            case ARP -> arp(ctx, ex, target.parameters());
            case RELOAD -> reload(ctx, ex, req.headers());
        }
    }

    /** {@code /api/arp}: with the binding table (from the data plane), or {@code ?bindings=false} without. */
    private void arp(ChannelHandlerContext ctx, Exchange ex, Map<String, List<String>> query) {
        List<String> bindings = query.getOrDefault("bindings", List.of("true"));
        if (bindings.size() != 1 || !List.of("true", "false").contains(bindings.getFirst())) {
            error(ctx, ex, HttpResponseStatus.BAD_REQUEST, "bad_query", "bindings must be true or false");
            return;
        }
        if (bindings.getFirst().equals("false")) {
            ok(ctx, ex, JSON, JsonDocuments.arp(backend.arp()));
            return;
        }
        later(ctx, ex, backend::arpBindings, DATA_PLANE_TIMEOUT_SECONDS,
                arp -> response(ex, HttpResponseStatus.OK, JSON, JsonDocuments.arp(arp)));
    }

    private void topTalkers(ChannelHandlerContext ctx, Exchange ex, Map<String, List<String>> query) {
        int minutes;
        int limit;
        try {
            minutes = intParameter(query, "minutes", DEFAULT_MINUTES, 1, MAX_MINUTES);
            limit = intParameter(query, "limit", DEFAULT_TOP_TALKERS, 1, MAX_TOP_TALKERS);
        } catch (IllegalArgumentException e) {
            error(ctx, ex, HttpResponseStatus.BAD_REQUEST, "bad_query", e.getMessage());
            return;
        }
        later(ctx, ex, () -> backend.topTalkers(minutes, limit), DATA_PLANE_TIMEOUT_SECONDS,
                talkers -> response(ex, HttpResponseStatus.OK, JSON, JsonDocuments.topTalkers(minutes, talkers)));
    }

    /** A whole number from {@code min} to {@code max}, once, or the default when absent. */
    static int intParameter(Map<String, List<String>> query, String name, int absent, int min, int max) {
        List<String> values = query.get(name);
        if (values == null) {
            return absent;
        }
        String why = name + " must be a whole number from " + min + " to " + max;
        if (values.size() != 1) {
            throw new IllegalArgumentException(why + ", given once");
        }
        String v = values.getFirst();
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(why + ", not \"" + v + "\"");
        }
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
            throw new IllegalArgumentException(why + ", not " + n);
        }
        return n;
    }

    private void reload(ChannelHandlerContext ctx, Exchange ex, HttpHeaders headers) {
        if (!ReloadAccess.sameOrigin(headers)) {
            error(ctx, ex, HttpResponseStatus.FORBIDDEN, "forbidden",
                    "cross-origin request refused (Origin " + headers.get(HttpHeaderNames.ORIGIN) + ")");
            return;
        }
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (!access.authorized(authorization)) {
            FullHttpResponse r = response(ex, HttpResponseStatus.UNAUTHORIZED, JSON, JsonDocuments.error(401,
                    "unauthorized", authorization == null ? "this endpoint needs Authorization: Bearer <token>"
                            : "the bearer token is not valid"));
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, authorization == null
                    ? "Bearer realm=\"quietbridge\"" : "Bearer realm=\"quietbridge\", error=\"invalid_token\"");
            ctx.writeAndFlush(r);
            return;
        }
        later(ctx, ex, backend::reload, RELOAD_TIMEOUT_SECONDS, result -> response(ex, switch (result.outcome()) {
            case APPLIED -> HttpResponseStatus.OK;
            case REJECTED -> HttpResponseStatus.UNPROCESSABLE_ENTITY;
            case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
        }, JSON, JsonDocuments.reload(result)));
    }

    /**
     * Answers when {@code work}'s future completes, on this connection's event loop (never on the
     * data-plane thread that may complete the future). Until then
     * the connection reads nothing more, so a pipelined request cannot overtake this answer.
     */
    private <T> void later(ChannelHandlerContext ctx, Exchange ex,
            Supplier<CompletableFuture<T>> work, long timeoutSeconds,
            Function<T, FullHttpResponse> answer) {
        CompletableFuture<T> pending;
        try {
            pending = work.get().copy().orTimeout(timeoutSeconds, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            error(ctx, ex, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", describe(e));
            return;
        }
        ctx.channel().config().setAutoRead(false);
        pending.whenCompleteAsync((value, failure) -> {
            FullHttpResponse r;
            if (failure == null) {
                try {
                    r = answer.apply(value);
                } catch (RuntimeException e) {
                    r = response(ex, HttpResponseStatus.INTERNAL_SERVER_ERROR, JSON,
                            JsonDocuments.error(500, "internal", describe(e)));
                }
            } else {
                Throwable cause = unwrap(failure);
                String message = cause instanceof TimeoutException
                        ? "the data plane did not answer within " + timeoutSeconds + " s" : describe(cause);
                r = response(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
                        JsonDocuments.error(503, "unavailable", message));
            }
            ctx.writeAndFlush(r);
            ctx.channel().config().setAutoRead(true);
        }, ctx.executor());
    }

    private void malformed(ChannelHandlerContext ctx, Exchange ex, Throwable cause) {
        HttpResponseStatus status;
        String code;
        if (cause instanceof TooLongHttpLineException) {
            status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
            code = "uri_too_long";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            code = "headers_too_large";
        } else {
            status = HttpResponseStatus.BAD_REQUEST;
            code = "bad_request";
        }
        FullHttpResponse r = response(ex, status, JSON,
                JsonDocuments.error(status.code(), code, "malformed HTTP request: " + describe(cause)));
        // The decoder has given up on this connection: close it once the answer is out.
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static void ok(ChannelHandlerContext ctx, Exchange ex, String type, byte[] body) {
        ctx.writeAndFlush(response(ex, HttpResponseStatus.OK, type, body));
    }

    private static void error(ChannelHandlerContext ctx, Exchange ex, HttpResponseStatus status, String code,
            String message) {
        ctx.writeAndFlush(response(ex, status, JSON, JsonDocuments.error(status.code(), code, message)));
    }

    /** A complete response; a HEAD request gets the headers a GET would, and no body. */
    private static FullHttpResponse response(Exchange ex, HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(ex.version(), status,
                ex.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setContentLength(r, body.length);
        return r;
    }

    /** The error response the aggregator sends for a body over the limit. */
    static FullHttpResponse tooLarge(HttpVersion version, int maxBodyBytes) {
        FullHttpResponse r = response(new Exchange(version, false), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, JSON,
                JsonDocuments.error(413, "payload_too_large", "request body larger than " + maxBodyBytes + " bytes"));
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }

    /** The request target's path and query; origin-form ({@code /path?q}) or absolute-form. */
    static QueryStringDecoder target(String uri) {
        if (uri.startsWith("/")) {
            QueryStringDecoder d = new QueryStringDecoder(uri);
            d.path();
            d.parameters();
            return d;
        }
        try {
            URI u = new URI(uri);
            if (!"http".equalsIgnoreCase(u.getScheme()) || u.getRawPath() == null) {
                throw new IllegalArgumentException("expected /path or http://host/path");
            }
            String path = u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return target(u.getRawQuery() == null ? path : path + "?" + u.getRawQuery());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A read timeout (an idle or stalled client) or a reset: nothing to answer, just let go.
        ctx.close();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
