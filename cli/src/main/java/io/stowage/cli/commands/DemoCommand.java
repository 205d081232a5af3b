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
        description = {"Switch a demo cluster's main storage and show the fan-out.",
                "A demo cluster with two filesystem storages; its main storage is switched by editing its YAML,",
                "and the events config-service writes for it are shown. Starts the local stack if it is not up.",
                "Each run switches the main to the other storage."})
public class DemoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Override
    public void run() {
        new DemoTour(new LocalStack(homeOption.home(), ProjectDir.fromDefault()), spec.commandLine().getOut()).run();
    }
}
