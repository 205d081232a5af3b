package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage topics}: the contract's Kafka topics. */
@Command(name = "topics", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = "The contract's Kafka topics.", subcommands = TopicsApplyCommand.class)
public class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
