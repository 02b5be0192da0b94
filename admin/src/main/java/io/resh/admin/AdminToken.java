package io.resh.admin;

import io.resh.core.ConfigException;
import io.resh.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's bearer token: 32 random bytes in hex, kept in a file only its owner can read. The
 * file is created on first start; later starts reuse it, so scripts and the CLI keep working.
 */
final class AdminToken {
    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String token;
    private final byte[] tokenHash;

    AdminToken(String token) {
        this.token = token;
        this.tokenHash = Digest.of(token.getBytes(StandardCharsets.UTF_8)).bytes();
    }

    /** Reads the token from {@code file}, or creates the file with a fresh token if it does not exist. */
    static AdminToken loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            warnIfOthersCanRead(file);
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (text.length() < 16 || text.chars().anyMatch(c -> c <= ' ')) {
                throw new ConfigException("admin.tokenFile", file + " must hold one token of at least 16 characters"
                        + " without spaces; delete it to have a new one generated");
            }
            return new AdminToken(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the admin token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String hex = HexFormat.of().formatHex(random);
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir.getRoot(), PosixFileAttributeView.class) != null;
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        try {
            // Created with owner-only permissions, so the token is never readable by others, not even briefly.
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            return; // another process created it first: use theirs
        }
        Files.writeString(file, hex + "\n", StandardCharsets.UTF_8);
        LOG.info("admin: created a new access token in {}", file);
    }

    private static void warnIfOthersCanRead(Path file) throws IOException {
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
            LOG.warn("admin: token file {} is readable by other users ({}); run chmod 600 on it", file,
                    PosixFilePermissions.toString(perms));
        }
    }

    /** Compares in constant time (hashing first, so not even the length leaks). */
    boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] hash = Digest.of(presented.getBytes(StandardCharsets.UTF_8)).bytes();
        return MessageDigest.isEqual(tokenHash, hash);
    }

    String value() {
        return token;
    }
}
