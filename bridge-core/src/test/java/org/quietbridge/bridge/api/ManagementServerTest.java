package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quietbridge.bridge.agent.AgentRunner;
import org.quietbridge.bridge.agent.BackoffIdleStrategy;
import org.quietbridge.bridge.config.ManagementSettings;
import org.quietbridge.bridge.forward.BridgeAgent;
import org.quietbridge.bridge.forward.BridgeSettings;
import org.quietbridge.bridge.port.MemoryPort;
import org.quietbridge.frame.testing.FrameBuilder;
import org.quietbridge.rules.CompiledRules;
import org.quietbridge.rules.RuleSetLoader;

/** The server on a real loopback socket: start, serve, stop; epoll where it can run. */
@Timeout(60)
class ManagementServerTest {
    private static final ManagementSettings EPHEMERAL = new ManagementSettings("127.0.0.1", 0, null,
            ManagementSettings.DEFAULT_MAX_BODY_BYTES);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        http.close();
    }

    private ManagementServer start(ManagementBackend backend, ManagementSettings settings) throws IOException {
        ManagementServer s = ManagementServer.start(backend, settings);
        toClose.add(s);
        return s;
    }

    private static URI uri(ManagementServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.address().getPort() + path);
    }

    private HttpResponse<String> get(ManagementServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesStatusOnAnEphemeralLoopbackPort() throws Exception {
        ManagementServer server = start(new FakeBackend(), EPHEMERAL);
        InetSocketAddress bound = server.address();
        assertEquals("127.0.0.1", bound.getAddress().getHostAddress());
        assertTrue(bound.getPort() > 0);

        HttpResponse<String> r = get(server, "/api/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        assertEquals("1.2.3-test", StrictJson.object(r.body()).get("version"));

        HttpResponse<String> page = get(server, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<svg id=\"bm-chart\""));
        HttpResponse<String> metrics = get(server, "/metrics");
        assertNotNull(PrometheusText.parse(metrics.body()).get("quietbridge_up"));
    }

    @Test
    void usesEpollWhenItIsAvailable() throws Exception {
        ManagementServer server = start(new FakeBackend(), EPHEMERAL);
        assertEquals(Epoll.isAvailable(), server.usesEpoll());
        if (server.usesEpoll()) {
            assertInstanceOf(EpollServerSocketChannel.class, server.channel());
        }
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.equals("linux") && (arch.equals("amd64") || arch.equals("aarch64"))) {
            // The build ships the native library for these; NIO here would mean a packaging fault.
            assertTrue(Epoll.isAvailable(), () -> "epoll should load on " + arch + ": " + Epoll.unavailabilityCause());
            assertEquals(null, ManagementServer.nativeTransportProblem());
        }
    }

    @Test
    void closeStopsListeningAndEndsTheThreadAndIsIdempotent() throws Exception {
        ManagementServer server = ManagementServer.start(new FakeBackend(), EPHEMERAL);
        int port = server.address().getPort();
        assertEquals(200, get(server, "/api/status").statusCode());
        server.close();
        server.close();
        assertTrue(server.channel().eventLoop().parent().isTerminated());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void aPortInUseIsAnIOExceptionNamingTheAddress() throws Exception {
        ManagementServer first = start(new FakeBackend(), EPHEMERAL);
        int port = first.address().getPort();
        IOException e = assertThrows(IOException.class,
                () -> start(new FakeBackend(), EPHEMERAL.withPort(port)));
        assertTrue(e.getMessage().startsWith("management API: cannot listen on 127.0.0.1:" + port + ": "), e.getMessage());
    }

    @Test
    void reloadOverTheWireNeedsTheBearerToken() throws Exception {
        FakeBackend backend = new FakeBackend();
        ManagementServer server = start(backend, EPHEMERAL.withToken("tok-123"));
        HttpRequest.Builder post = HttpRequest.newBuilder(uri(server, "/api/reload")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> r = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals(0, backend.reloadCalls.get());
        r = http.send(post.header("Authorization", "Bearer tok-123").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(true, StrictJson.object(r.body()).get("ok"));
    }

    @Test
    void aStalledClientDoesNotHoldUpOthers() throws Exception {
        ManagementServer server = start(new FakeBackend(), EPHEMERAL);
        try (Socket slow = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The half-sent request stays open while another client is served in full.
            assertEquals(200, get(server, "/api/status").statusCode());
            assertEquals(200, get(server, "/api/rules").statusCode());
        }
    }

    @Test
    void fdbComesFromARunningDataPlaneThread() throws Exception {
        MemoryPort[] ports = {new MemoryPort("ap0", 1500), new MemoryPort("core0", 1500)};
        BridgeAgent agent = new BridgeAgent(ports, BridgeSettings.defaults(),
                CompiledRules.compile(RuleSetLoader.defaults(), null), System::nanoTime);
        ports[0].inject(FrameBuilder.ethernet().src("02:00:00:00:00:0a").dst("02:00:00:00:00:0b")
                .udp("10.0.0.1", "10.0.0.2", 40000, 9).payload(32).build());
        AgentRunner runner = new AgentRunner(agent, new BackoffIdleStrategy(10, 10, 1_000, 1_000_000), e -> { });
        toClose.add(() -> {
            runner.close();
            for (MemoryPort p : ports) {
                p.close();
            }
        });
        runner.start();
        BridgeBackend backend = new BridgeBackend(agent, "test", runner::isRunning, runner::errors, System::nanoTime);
        ManagementServer server = start(backend, EPHEMERAL);

        HttpResponse<String> r = get(server, "/api/fdb");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> j = StrictJson.object(r.body());
        assertEquals(1L, j.get("count"));
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = ((List<Map<String, Object>>) j.get("entries")).getFirst();
        assertEquals("02:00:00:00:00:0a", entry.get("mac"));
        assertEquals("ap0", entry.get("port"));
        assertEquals(null, entry.get("vlan"));
        assertEquals(true, StrictJson.object(get(server, "/api/status").body()).get("forwarding"));
    }
}
