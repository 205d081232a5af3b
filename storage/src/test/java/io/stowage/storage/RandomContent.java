package io.stowage.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Pseudo-random test content, written in chunks of varying sizes, with its SHA-256. */
public final class RandomContent {

    private RandomContent() {
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed} in chunks of 1 byte to 3 MiB; returns their SHA-256. */
    public static String write(OutputStream out, long size, long seed) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[3 << 20];
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, random.nextInt(100) == 0 ? 1 : 1 + random.nextInt(chunk.length));
            random.nextBytes(chunk);
            if (n == 1) {
                out.write(chunk[0]);
            } else {
                out.write(chunk, 0, n);
            }
            digest.update(chunk, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A stream of {@code size} pseudo-random bytes that throws after {@code failAfter} bytes. */
    public static InputStream failingAfter(long failAfter, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new InputStream() {
            private long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= failAfter) {
                    throw new IOException("the source broke after " + served + " bytes");
                }
                int n = (int) Math.min(len, failAfter - served);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt();
                }
                served += n;
                return n;
            }
        };
    }

    /** The SHA-256 of everything {@code in} delivers, read in odd-sized chunks; closes it. */
    public static String sha256Of(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            byte[] buffer = new byte[1_000_003];
            while (digesting.read(buffer, 0, buffer.length) >= 0) {
                // The digest sees every byte.
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
