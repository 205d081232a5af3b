package io.stowage.restore.steps;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Unpacks a tar stream (as pg_basebackup writes it) into a folder, as it arrives: files, folders and their modes,
 * and each file's CRC-32C as it is written (what backup_manifest lists), so no second read is needed to check it.
 * Files are flushed to disk behind the writing ({@link FileSync}): the copy is durable once this returns.
 * An entry that would land outside the folder, or a link, is refused: a base backup with tablespaces (links in
 * pg_tblspc) is not restored by this version.
 */
final class TarExtractor {
    private static final int BUFFER = 1 << 20;

    /** What was unpacked: every file's size and CRC-32C, by its path in the archive. */
    record Extracted(long files, long bytes, Map<String, ManifestCheck.Unpacked> unpacked) {
    }

    private TarExtractor() {
    }

    static Extracted extract(InputStream tar, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        byte[] buffer = new byte[BUFFER];
        long files = 0;
        long bytes = 0;
        Map<String, ManifestCheck.Unpacked> unpacked = new HashMap<>();
        CRC32C crc = new CRC32C();
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        TarArchiveEntry entry;
        try (FileSync sync = new FileSync()) {
            while ((entry = in.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("the archive has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    setMode(target, entry.getMode(), true);
                    sync.made(target);
                } else if (entry.isSymbolicLink() || entry.isLink()) {
                    throw new IOException("the archive has a link (" + entry.getName() + " -> "
                            + entry.getLinkName()
                            + "): base backups with tablespaces are not restored by this version");
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    try {
                        crc.reset();
                        long size = 0;
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                            while (chunk.hasRemaining()) {
                                out.write(chunk);
                            }
                            crc.update(buffer, 0, n);
                            size += n;
                        }
                        bytes += size;
                        unpacked.put(root.relativize(target).toString(), new ManifestCheck.Unpacked(size,
                                (int) crc.getValue()));
                        setMode(target, entry.getMode(), false);
                    } catch (IOException | RuntimeException e) {
                        out.close();
                        throw e;
                    }
                    sync.syncAndClose(out, target);
                    files++;
                }
            }
            sync.finish();
        }
        return new Extracted(files, bytes, unpacked);
    }

    private static void setMode(Path path, int mode, boolean directory) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        // Owner bits always include read (and write, and search for folders): the server must own its files.
        permissions.add(PosixFilePermission.OWNER_READ);
        permissions.add(PosixFilePermission.OWNER_WRITE);
        if (directory || (mode & 0100) != 0) {
            permissions.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if ((mode & 040) != 0) {
            permissions.add(PosixFilePermission.GROUP_READ);
        }
        if ((mode & 010) != 0) {
            permissions.add(PosixFilePermission.GROUP_EXECUTE);
        }
        Files.setPosixFilePermissions(path, permissions);
    }
}
