/**
 * The management API: an HTTP/1.1 server on its own event-loop thread that serves Prometheus
 * metrics, a JSON API and a self-contained dashboard.
 *
 * <p>It never touches the data plane's state directly. Everything it shows comes through a
 * {@link org.quietbridge.bridge.api.ManagementBackend}: counters that any thread may read, and
 * commands that the data-plane thread runs between two rounds (an FDB snapshot). A slow or
 * hostile client therefore costs the management thread, never the forwarding thread.
 *
 * <p>The server is three classes, as in Netty's HTTP examples: {@link
 * org.quietbridge.bridge.api.ManagementServer} (bootstrap and transport), {@link
 * org.quietbridge.bridge.api.ManagementInitializer} (codec pipeline and limits) and {@link
 * org.quietbridge.bridge.api.ManagementHandler} (routing, status codes, authorization).
 */
package org.quietbridge.bridge.api;
