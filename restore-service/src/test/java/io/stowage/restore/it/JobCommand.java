package io.stowage.restore.it;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Job's container run as a local process, as a kubelet would run it: its command and environment as the Job
 * says, with each path the container sees (its mounts, the image's application folder, the termination message)
 * standing for a folder of this machine. Secrets given by reference (secretKeyRef) are not resolved here: the test's
 * broker needs no login.
 */
final class JobCommand {
    private final Container container;
    private final Map<String, Path> paths = new LinkedHashMap<>();

    JobCommand(Job job) {
        this.container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** The container's path {@code inContainer} is {@code here} on this machine. */
    JobCommand with(String inContainer, Path here) {
        paths.put(inContainer, here.toAbsolutePath());
        return this;
    }

    List<VolumeMount> mounts() {
        return container.getVolumeMounts();
    }

    /** Runs the command to its end; returns its exit code. Its output goes to {@code log}. */
    int run(Path log, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        for (String word : container.getCommand()) {
            command.add(word.equals("java") ? ProcessHandle.current().info().command().orElse("java") : local(word));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("STOWAGE_"));
        for (EnvVar e : container.getEnv()) {
            if (e.getValue() != null) {
                pb.environment().put(e.getName(), local(e.getValue()));
            }
        }
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the Job's command did not end within " + timeoutSeconds + " s: see " + log);
        }
        return p.exitValue();
    }

    /** A value with the container's paths made this machine's (classpath entries included). */
    private String local(String value) {
        String out = value;
        for (Map.Entry<String, Path> e : paths.entrySet()) {
            out = out.replace(e.getKey(), e.getValue().toString());
        }
        return out;
    }

    static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
