package io.stowage.localstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

/** The operating-system side of a broker: formatting its storage, spawning it, and stopping it. */
final class BrokerProcess {
    private static final Logger LOG = Logger.getLogger(BrokerProcess.class);
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private BrokerProcess() {
    }

    /**
     * Formats the storage once; later starts reuse it, so topics and records survive restarts.
     *
     * @return whether it formatted now
     */
    static boolean formatIfNeeded(BrokerWorkDir dir, Path libs, List<String> extraArguments)
            throws IOException, InterruptedException {
        if (dir.isFormatted()) {
            return false;
        }
        List<String> command = new ArrayList<>(JavaCommand.of(libs, JavaCommand.TOOL_JVM, "kafka.tools.StorageTool",
                "format", "--cluster-id", dir.clusterId(), "--config", dir.serverProperties().toString()));
        // The SCRAM users' passwords, if any: StorageTool takes them nowhere else, so they are on its command line
        // for the second it runs. Never in a message: the failures below name no argument.
        command.addAll(extraArguments);
        Process format = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.log().toFile()))
                .start();
        format.getOutputStream().close();
        if (!format.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw dir.startFailure("formatting its storage took longer than " + FORMAT_TIMEOUT.toSeconds() + " s");
        }
        if (format.exitValue() != 0) {
            throw dir.startFailure("formatting its storage failed (exit " + format.exitValue() + ")");
        }
        return true;
    }

    static ProcessHandle spawn(BrokerWorkDir dir, Path libs, boolean detached) throws IOException {
        List<String> command = new ArrayList<>();
        if (detached) {
            // A session of its own: the terminal's Ctrl-C (SIGINT to the foreground group) and
            // hang-up never reach it. Java's children are not process-group leaders, so setsid
            // execs in place and the pid we record is the broker's.
            Optional<String> setsid = JavaCommand.setsid();
            setsid.ifPresentOrElse(command::add, () -> LOG.warn(
                    "setsid not found: the detached Kafka broker shares this terminal's Ctrl-C"));
        }
        command.addAll(JavaCommand.of(libs, JavaCommand.brokerJvm(), "kafka.Kafka", dir.serverProperties().toString()));
        Process process = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectErrorStream(true)
                // A file, not a pipe: a detached broker must not block or die on a pipe whose reader has exited.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.log().toFile()))
                .start();
        process.getOutputStream().close();
        return process.toHandle();
    }

    /** SIGTERM, then SIGKILL if the broker has not exited after 30 s. */
    static void terminate(ProcessHandle process) {
        // SIGTERM first: Kafka's own shutdown hook closes the logs cleanly, so the next start skips recovery.
        process.destroy();
        try {
            process.onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("Kafka broker (pid %d) ignored SIGTERM for %d s; killing it", process.pid(), STOP_TIMEOUT.toSeconds());
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot wait for the Kafka broker (pid " + process.pid() + ") to exit", e);
        }
    }
}
