package io.stowage.backup.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the manifest records about the server, asked with psql before the backup starts.
 *
 * @param databaseBytes the sum of the databases' sizes: the estimate behind progress events
 */
public record ServerFacts(String systemIdentifier, String version, long databaseBytes) {

    public static ServerFacts ask(PostgresTools tools) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tools.tool("psql").toString()));
        command.addAll(tools.connection());
        command.addAll(List.of("-X", "-A", "-t", "-F", "|", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
                "select (select system_identifier from pg_control_system()), current_setting('server_version'), "
                        + "(select sum(pg_database_size(oid)) from pg_database)"));
        Process p = tools.builder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("psql did not answer within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("cannot reach PostgreSQL: " + out);
        }
        String[] f = out.split("\\|");
        if (f.length < 3) {
            throw new IOException("unexpected answer from PostgreSQL: " + out);
        }
        return new ServerFacts(f[0], f[1], Long.parseLong(f[2]));
    }
}
