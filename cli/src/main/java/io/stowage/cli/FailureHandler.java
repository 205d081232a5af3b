package io.stowage.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;

/**
 * Turns a failed command into one readable line on stderr and exit code 1. Stack traces are for
 * bugs, not for a stopped broker: they appear only with STOWAGE_DEBUG set.
 */
class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof CliFailure) {
            err.println("stowage: " + e.getMessage());
        } else {
            err.println("stowage: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        if (System.getenv("STOWAGE_DEBUG") != null) {
            e.printStackTrace(err);
        } else if (!(e instanceof CliFailure)) {
            err.println("(set STOWAGE_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return FAILED;
    }
}
