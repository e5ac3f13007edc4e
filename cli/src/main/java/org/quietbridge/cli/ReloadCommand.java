package org.quietbridge.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quietbridge reload}: asks a running instance to re-read its configuration
 * ({@code POST /api/reload}), as SIGHUP does. Exit 0 when the new configuration is in force, 2
 * when it was refused (the running one stays; the message is {@code file:line:column: ...}),
 * 1 when the instance cannot be reached.
 */
@Command(name = "reload", description = "Make a running quietbridge re-read its configuration.")
final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The running instance's configuration: where its API listens, and its token.")
    Path config;

    @Option(names = "--api", paramLabel = "HOST:PORT", description = "Where the API listens (default 127.0.0.1:9700).")
    String api;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token for the API (default: $QUIETBRIDGE_TOKEN, else the configuration's).")
    String token;

    @Override
    public Integer call() {
        ApiClient client = ApiClient.of(api, token, config);
        ApiClient.Answer a = client.post("api/reload");
        if (a.status() == 200) {
            spec.commandLine().getOut().println(a.message());
            return ExitCode.OK;
        }
        if (a.status() == 422) {
            spec.commandLine().getErr().println(FailureReporter.PREFIX + "reload refused, the running configuration"
                    + " stays: " + a.message());
            return ExitCode.BAD_INPUT;
        }
        if (a.status() == 401) {
            throw new BadInputException(client.hasToken() ? "the API refused the token"
                    : "the API wants a token: give --token, $QUIETBRIDGE_TOKEN or -c FILE");
        }
        spec.commandLine().getErr().println(FailureReporter.PREFIX + "reload: " + a.status() + " " + a.message());
        return ExitCode.FAILURE;
    }
}
