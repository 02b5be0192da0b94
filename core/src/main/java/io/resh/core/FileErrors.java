package io.resh.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * File-system errors as a user reads them: {@code afile: already exists and is not a directory}, not
 * {@code java.nio.file.FileAlreadyExistsException: afile}. The JDK's file exceptions often carry only the
 * path as their message and say what went wrong in their class name.
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** One line naming the file and what is wrong with it. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String what = f.getReason() != null ? lowerCase(f.getReason())
                    : f instanceof NoSuchFileException ? "no such file or directory"
                    : f instanceof FileAlreadyExistsException ? "already exists and is not a directory"
                    : f instanceof DirectoryNotEmptyException ? "is a directory that is not empty"
                    : f instanceof NotDirectoryException ? "not a directory"
                    : f instanceof AccessDeniedException ? "permission denied"
                    : f.getClass().getSimpleName();
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The C library's "Read-only file system" reads as the rest of the line: "read-only file system". */
    public static String lowerCase(String reason) {
        if (reason.length() > 1 && Character.isUpperCase(reason.charAt(0)) && Character.isLowerCase(reason.charAt(1))) {
            return Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        }
        return reason;
    }
}
