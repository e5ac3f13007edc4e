package org.quietbridge.bridge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.quietbridge.rules.ConfigNode;

/** The {@code api:} section. */
final class ApiSection {
    private ApiSection() {
    }

    /**
     * The management API: on by default on 127.0.0.1:9700; {@code api: off} (or
     * {@code listen: off}) turns it off; {@code token} or {@code token_file} guard POST
     * /api/reload. Returns null when off.
     */
    static ManagementSettings read(ConfigNode node) {
        if (node == null || node.isNull()) {
            return ManagementSettings.defaults();
        }
        if (node.isScalar()) {
            node.expectWord("api", List.of("off"));
            return null;
        }
        node.expectMapping("'api'");
        node.checkKeys("in api", List.of("listen", "token", "token_file"));
        String listen = ManagementSettings.DEFAULT_HOST + ":" + ManagementSettings.DEFAULT_PORT;
        ConfigNode listenNode = node.get("listen");
        if (listenNode != null) {
            listen = listenNode.expectText("api.listen");
            if (listen.equals("off")) {
                return null;
            }
        }
        ConfigNode tokenNode = node.get("token");
        ConfigNode tokenFile = node.get("token_file");
        if (tokenNode != null && tokenFile != null) {
            throw tokenFile.error("give api.token or api.token_file, not both");
        }
        String token = tokenNode == null ? null : tokenNode.expectText("api.token");
        if (tokenFile != null) {
            Path file = Path.of(tokenFile.expectText("api.token_file"));
            try {
                token = Files.readString(file).strip();
            } catch (IOException e) {
                throw tokenFile.error("cannot read api.token_file " + file + ": "
                        + (e instanceof NoSuchFileException ? "No such file" : e.getMessage()));
            }
        }
        try {
            return ManagementSettings.parse(listen, token);
        } catch (IllegalArgumentException e) {
            throw (tokenNode != null && e.getMessage().contains("token") ? tokenNode
                    : listenNode != null ? listenNode : node).error(e.getMessage());
        }
    }
}
