package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage backup}: base backups. */
@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = "Base backups.", subcommands = {BackupCreateCommand.class, BackupListCommand.class, BackupDeleteCommand.class})
public class BackupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
