package io.stowage.cli.commands;

import io.stowage.cli.stack.StowageHome;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --home}: the local stack's state folder. */
public class HomeOption {
    @Option(names = "--home", paramLabel = "DIR",
            description = "State folder of the local stack (default: .stowage in the repository, or -Dstowage.home).")
    Path home;

    public StowageHome home() {
        return home == null ? StowageHome.fromDefault() : new StowageHome(CallerDir.resolve(home));
    }
}
