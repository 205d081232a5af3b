package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import com.sun.security.auth.module.UnixSystem;
import org.jboss.logging.Logger;

/**
 * The operating-system user PostgreSQL's server programs run as. initdb, pg_ctl and postgres refuse to run as root,
 * and CI runs as root: then they run as {@code postgres} through runuser, on directories that user owns.
 */
record ServerUser(String name, Path runuser) {
    static final String PROPERTY = "stowage.postgres.os-user";
    private static final Logger LOG = Logger.getLogger(ServerUser.class);
    // util-linux puts it in /sbin; with a merged /usr that is /usr/sbin too.
    private static final List<Path> RUNUSER = List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"));

    /** This JVM's own user, or (as root) {@code postgres} or whoever {@code -Dstowage.postgres.os-user} names. */
    static ServerUser forThisJvm() {
        if (new UnixSystem().getUid() != 0) {
            return new ServerUser(System.getProperty("user.name"), null);
        }
        String name = System.getProperty(PROPERTY, "postgres");
        if (ExternalCommand.of(List.of("id", "-u", name)).run().exitCode() != 0) {
            throw new IllegalStateException("This JVM runs as root, which PostgreSQL's server refuses, so it runs"
                    + " as the OS user '" + name + "'; but there is no such user. Installing postgresql-15 creates"
                    + " 'postgres'; or name another unprivileged user with -D" + PROPERTY + "=...");
        }
        Path runuser = RUNUSER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("This JVM runs as root and needs runuser (util-linux, in " + RUNUSER
                        + ") to run PostgreSQL as '" + name + "'"));
        return new ServerUser(name, runuser);
    }

    /** Whether server programs switch to this user (this JVM is root) rather than run as this JVM's own. */
    boolean switched() {
        return runuser != null;
    }

    /** The command, run as this user. */
    List<String> command(List<String> command) {
        if (!switched()) {
            return command;
        }
        List<String> asUser = new ArrayList<>(List.of(runuser.toString(), "-u", name, "--"));
        asUser.addAll(command);
        return asUser;
    }

    /** Hands the whole tree to this user (a restored backup unpacked by root, a work directory made by root). */
    void own(Path dir) {
        if (switched()) {
            ExternalCommand.of(List.of("chown", "-R", name + ":", dir.toString())).runOrThrow();
        }
    }

    /**
     * Makes sure this user can reach the directory. JUnit's and {@code Files.createTempDirectory}'s directories are
     * private to root (0700): those under the temp directory get search permission for others (not read: their
     * listing stays private); any other closed parent is an error that names it.
     */
    void makeReachable(Path dir) {
        if (!switched()) {
            return;
        }
        try {
            Path temp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
            Path real = dir.toRealPath();
            for (Path parent = real.getParent(); parent != null; parent = parent.getParent()) {
                PosixFileAttributes attributes = Files.readAttributes(parent, PosixFileAttributes.class);
                Set<PosixFilePermission> permissions = attributes.permissions();
                if (permissions.contains(PosixFilePermission.OTHERS_EXECUTE)
                        || attributes.owner().getName().equals(name)) {
                    continue;
                }
                if (!parent.startsWith(temp) || parent.equals(temp)) {
                    throw new IllegalStateException("PostgreSQL runs as '" + name + "', who cannot reach " + dir
                            + " because " + parent + " is closed to others: chmod o+x it, or use a work directory"
                            + " under " + temp);
                }
                Set<PosixFilePermission> opened = EnumSet.copyOf(permissions);
                opened.add(PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(parent, opened);
                LOG.debugf("Opened %s for search (o+x) so that OS user %s reaches %s", parent, name, dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check that OS user " + name + " can reach " + dir, e);
        }
    }
}
