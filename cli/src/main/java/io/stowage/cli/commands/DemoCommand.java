package io.stowage.cli.commands;

import io.stowage.cli.StowageVersion;
import io.stowage.cli.demo.DemoTour;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ProjectDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stowage demo}: the storage fan-out, shown on a demo cluster. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"A tour: back up a demo database to two storages, then switch its main storage.",
                "A PostgreSQL with sample data (under .stowage/postgres/demo, running until `stowage down`), the",
                "config demo.yaml with two storages, local-fs (a folder) and local-s3 (the local S3 server), a base",
                "backup to both with its progress and where its files landed, then the main storage switched by",
                "editing the YAML and the four events config-service writes for it. Starts the local stack if it is",
                "not up. Re-runnable: each run takes another backup and switches the main to the other storage.",
                "Without backup-service built, only the switch. Exit 1 if something does not come in time."})
public class DemoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Override
    public void run() {
        new DemoTour(new LocalStack(homeOption.home(), ProjectDir.fromDefault()), spec.commandLine().getOut(),
                System.console() != null).run();
    }
}
