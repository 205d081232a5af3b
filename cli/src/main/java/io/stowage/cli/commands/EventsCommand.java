package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage events}: the bus, as people read it. */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = "Read the event bus.", subcommands = EventsTailCommand.class)
public class EventsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
