package io.resh.replica;

import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * Recognizes, in what a service threw, the operating system refusing a write the sandbox forbids
 * (read-only file system, permission denied) — Chariot's illegal write, caught by the OS instead of a
 * shadow page table. The host is told which operation on which path; the reply itself is voted as usual.
 */
final class SandboxViolation {
    private SandboxViolation() {
    }

    /** The violation {@code thrown} (or one of its causes) is evidence of, or null if it is none. */
    static Frame.ContractViolation of(long sequence, Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FileSystemException f && refused(f.getReason(), t)) {
                return new Frame.ContractViolation(sequence, operation(t), String.valueOf(f.getFile()),
                        f.getReason() == null ? t.getClass().getSimpleName() : f.getReason());
            }
            if (t instanceof FileNotFoundException && t.getMessage() != null && refused(t.getMessage(), t)) {
                // java.io reports "PATH (Read-only file system)"
                String m = t.getMessage();
                int open = m.lastIndexOf(" (");
                String path = open > 0 ? m.substring(0, open) : m;
                String reason = open > 0 && m.endsWith(")") ? m.substring(open + 2, m.length() - 1) : m;
                return new Frame.ContractViolation(sequence, operation(t), path, reason);
            }
            if (t instanceof ReadOnlyFileSystemException) {
                return new Frame.ContractViolation(sequence, operation(t), "?", "read-only file system");
            }
        }
        return null;
    }

    private static boolean refused(String reason, Throwable t) {
        if (t instanceof AccessDeniedException) {
            return true;
        }
        return reason != null && (reason.contains("Read-only file system") || reason.contains("Permission denied")
                || reason.contains("Operation not permitted"));
    }

    /** The file operation, from the innermost JDK file API frame: "Files.write", "FileOutputStream.<init>". */
    private static String operation(Throwable t) {
        String best = "write";
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (c.equals("java.nio.file.Files") || c.startsWith("java.io.File") || c.equals("java.io.RandomAccessFile")) {
                best = c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
            } else if (!c.startsWith("java.") && !c.startsWith("sun.") && !c.startsWith("jdk.")) {
                break; // reached the service's own code: the last JDK file frame above it names the operation
            }
        }
        return best;
    }
}
