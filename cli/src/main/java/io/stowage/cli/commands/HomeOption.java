package io.stowage.cli.commands;

import io.stowage.cli.stack.StowageHome;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --home}: the local stack's state folder. */
public class HomeOption {
    /** The directory the user typed the command in; the launcher sets it before it changes to the repository. */
    static final String CALLER_DIR = "stowage.cwd";

    @Option(names = "--home", paramLabel = "DIR",
            description = "State folder of the local stack (default: .stowage in the repository, or -Dstowage.home).")
    Path home;

    public StowageHome home() {
        if (home == null) {
            return StowageHome.fromDefault();
        }
        // Relative to where the user typed it, not to where the launcher runs the JVM.
        String callerDir = System.getProperty(CALLER_DIR);
        return new StowageHome(callerDir == null || home.isAbsolute() ? home : Path.of(callerDir).resolve(home));
    }
}
