package io.stowage.cli;

import io.stowage.cli.bus.KafkaRefusal;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * Turns a failed command into one readable line on stderr and exit code 1. Stack traces are for
 * bugs, not for a stopped broker or refused credentials: they appear only with STOWAGE_DEBUG set.
 */
class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        // Kafka's refusals can surface anywhere a client is used; they are the user's to act on, like a CliFailure.
        Optional<String> refusal = e instanceof CliFailure ? Optional.empty() : KafkaRefusal.explain(e);
        boolean actionable = e instanceof CliFailure || refusal.isPresent();
        err.println("stowage: " + (e instanceof CliFailure ? e.getMessage()
                : refusal.orElseGet(() -> e.getClass().getSimpleName() + ": " + e.getMessage())));
        if (System.getenv("STOWAGE_DEBUG") != null) {
            e.printStackTrace(err);
        } else if (!actionable) {
            err.println("(set STOWAGE_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return FAILED;
    }
}
