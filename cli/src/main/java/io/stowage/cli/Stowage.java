package io.stowage.cli;

import io.stowage.cli.commands.BackupCommand;
import io.stowage.cli.commands.DemoCommand;
import io.stowage.cli.commands.DownCommand;
import io.stowage.cli.commands.RestoreCommand;
import io.stowage.cli.commands.ResyncCommand;
import io.stowage.cli.commands.RetentionCommand;
import io.stowage.cli.commands.EventsCommand;
import io.stowage.cli.commands.StatusCommand;
import io.stowage.cli.commands.StorageCommand;
import io.stowage.cli.commands.TopicsCommand;
import io.stowage.cli.commands.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stowage} command: runs the local stack and shows what happens on the bus. */
@Command(name = "stowage",
        mixinStandardHelpOptions = true,
        versionProvider = StowageVersion.class,
        description = "Stowage, a backup control plane for database clusters with several backup storages.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, DemoCommand.class,
                EventsCommand.class, StorageCommand.class, BackupCommand.class, RestoreCommand.class,
                ResyncCommand.class, RetentionCommand.class, TopicsCommand.class},
        footer = {"", "State lives under .stowage/ (config/, secrets/, kafka/, s3/, postgres/, logs/, run/).",
                "Start with: stowage up, then stowage demo."})
public class Stowage implements Runnable {
    private static final String LOG_MANAGER = "java.util.logging.manager";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Before any logger exists: JBoss Logging and the Kafka clients' SLF4J binding both log
        // through the JBoss LogManager, which reads logging.properties (warnings only, on stderr).
        if (System.getProperty(LOG_MANAGER) == null) {
            System.setProperty(LOG_MANAGER, "org.jboss.logmanager.LogManager");
        }
        System.exit(commandLine().execute(args));
    }

    /** The command tree with Stowage's error handling; tests run it in-process with their own writers. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Stowage());
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        return commandLine;
    }

    @Override
    public void run() {
        // No subcommand: show what there is to do rather than doing nothing silently.
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
