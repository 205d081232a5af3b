package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage storage}: a cluster's storages. */
@Command(name = "storage", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = "A cluster's storages.", subcommands = StorageListCommand.class)
public class StorageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
