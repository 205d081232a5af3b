package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ProjectDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage down}: stops the local stack; its state stays. */
@Command(name = "down", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Stop the local stack; its state stays.",
                "Every service (SIGTERM, SIGKILL after 15 s), the demo's PostgreSQL (pg_ctl stop -m fast), the S3",
                "server, then the Kafka broker. Only processes this stack started are stopped.",
                "To reset: stowage down && rm -rf .stowage"})
public class DownCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Override
    public void run() {
        new LocalStack(homeOption.home(), ProjectDir.fromDefault()).down(spec.commandLine().getOut());
    }
}
