package org.quietbridge.bridge.api;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.quietbridge.bridge.config.ManagementSettings;

/**
 * The management HTTP server: one event-loop thread of its own, on Netty's native epoll
 * transport (NIO where epoll cannot load), serving a {@link ManagementBackend}.
 *
 * <p>The data plane never waits for this server: the handler only reads counters that any thread
 * may read and submits commands to the data plane's bounded queue, so a slow client costs this
 * thread alone.
 *
 * <pre>
 * try (ManagementServer api = ManagementServer.start(new BridgeBackend(bridge, version), settings)) {
 *     ... api.address() ...
 * }
 * </pre>
 */
public final class ManagementServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ManagementServer.class.getName());

    private final EventLoopGroup group;
    private final Channel channel;
    private final boolean epoll;
    private boolean closed;

    private ManagementServer(EventLoopGroup group, Channel channel, boolean epoll) {
        this.group = group;
        this.channel = channel;
        this.epoll = epoll;
    }

    /**
     * Whether the native epoll transport can run here: checked once per JVM, and when it cannot,
     * the reason is logged once and kept for {@link #nativeTransportProblem()}.
     */
    private static final class NativeTransport {
        static final boolean AVAILABLE = Epoll.isAvailable();
        static final Throwable CAUSE = Epoll.unavailabilityCause();

        static {
            if (!AVAILABLE) {
                LOG.log(Level.WARNING, "management API: the native epoll transport is unavailable, using NIO ("
                        + CAUSE + ")", CAUSE);
            }
        }

        private NativeTransport() {
        }
    }

    /** Why the epoll transport cannot run here, or null when it can. */
    public static Throwable nativeTransportProblem() {
        return NativeTransport.AVAILABLE ? null : NativeTransport.CAUSE;
    }

    /**
     * Binds {@code settings.host():settings.port()} and starts serving.
     *
     * @throws IOException when the address cannot be bound, with a message naming it
     */
    public static ManagementServer start(ManagementBackend backend, ManagementSettings settings) throws IOException {
        // Netty derives channel ids from a hardware address; a bridge's namespace often has
        // none worth using, and Netty then warns at every start. Any stable locally administered
        // value does, and the operator's own setting wins.
        if (System.getProperty("io.netty.machineId") == null) {
            System.setProperty("io.netty.machineId", "02:51:42:00:00:01");
        }
        ManagementHandler handler = new ManagementHandler(backend, settings.token());
        boolean epoll = NativeTransport.AVAILABLE;
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        // One thread: requests are small and cheap, and a daemon so it never holds the JVM up.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("quietbridge-api", true), io);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ManagementInitializer(handler, settings.maxBodyBytes()))
                    .bind(settings.host(), settings.port())
                    .sync()
                    .channel();
            if (settings.token() == null && !settings.isLoopback()) {
                LOG.log(Level.WARNING, "management API listens on " + settings.host()
                        + " without a token: anyone who can reach it can reload the configuration;"
                        + " set api.token");
            }
            return new ManagementServer(group, channel, epoll);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("management API: cannot listen on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (the real port when the settings asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Whether this server runs on the native epoll transport. */
    public boolean usesEpoll() {
        return epoll;
    }

    /** The listening channel. */
    Channel channel() {
        return channel;
    }

    /** Stops listening, closes every connection and ends the event-loop thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
