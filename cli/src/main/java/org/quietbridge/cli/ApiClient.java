package org.quietbridge.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.quietbridge.bridge.config.ManagementSettings;
import org.quietbridge.bridge.config.BridgeConfig;

import com.fasterxml.jackson.jr.ob.JSON;

/**
 * Talks to a running quietbridge's management API for {@code stats} and {@code reload}. The
 * address and token come from {@code --api}/{@code --token}, else from the configuration file
 * ({@code -c}), else the defaults (127.0.0.1:9700, no token).
 */
final class ApiClient {
    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    static ApiClient of(String api, String token, Path config) {
        ManagementSettings settings = ManagementSettings.defaults();
        if (config != null) {
            BridgeConfig cfg = BridgeConfig.load(InputFiles.readable(config));
            if (cfg.api() == null) {
                throw new BadInputException(config + " turns the management API off ('api: off'): nothing to ask");
            }
            settings = cfg.api();
        }
        if (api != null) {
            try {
                settings = ManagementSettings.parse(api, settings.token());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--api " + e.getMessage());
            }
        }
        String t = token != null ? token : System.getenv("QUIETBRIDGE_TOKEN") != null
                ? System.getenv("QUIETBRIDGE_TOKEN") : settings.token();
        String host = settings.host().indexOf(':') >= 0 ? "[" + settings.host() + "]" : settings.host();
        return new ApiClient(URI.create("http://" + host + ":" + settings.port() + "/"), t);
    }

    /** An answer: the status code and the JSON body as maps and lists. */
    record Answer(int status, Map<String, Object> body) {
        String message() {
            Object m = body.get("message");
            return m == null ? String.valueOf(body) : m.toString();
        }
    }

    /** Whether this client sends a bearer token. */
    boolean hasToken() {
        return token != null;
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Answer post(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private Answer send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(40)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiUnreachableException("no quietbridge answers on " + base
                    + " (is it running, in this network namespace? see 'api:' in its configuration)");
        } catch (HttpTimeoutException e) {
            throw new ApiUnreachableException(base + " did not answer in time");
        } catch (IOException e) {
            throw new ApiUnreachableException("cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiUnreachableException("interrupted while asking " + base);
        }
        try {
            Map<String, Object> body = JSON.std.mapFrom(response.body());
            return new Answer(response.statusCode(), body);
        } catch (IOException e) {
            throw new ApiUnreachableException(base + " answered " + response.statusCode() + " with something that is not"
                    + " quietbridge's JSON");
        }
    }

    /** The API could not be reached or did not speak quietbridge: a run-time failure (exit 1). */
    static final class ApiUnreachableException extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        ApiUnreachableException(String message) {
            super(message);
        }
    }
}
