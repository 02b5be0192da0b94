package io.resh.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds programs the way a shell does: names without a slash on PATH, paths relative to a directory. */
final class ProgramPath {

    private ProgramPath() {
    }

    /** The executable {@code name} on PATH, if any. */
    static Optional<Path> find(String name) {
        return find(name, System.getenv("PATH"));
    }

    /** The executable {@code name} in the directories of {@code path} (a PATH value), if any. */
    static Optional<Path> find(String name, String path) {
        if (path == null || name.contains("/")) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (InvalidPathException e) {
                // An odd PATH entry is not our user's problem; skip it like a shell would.
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that the program of {@code argv} exists. A program given as a path is made absolute
     * against {@code startDir}, because replicas run in their own work directories.
     *
     * @throws ExecSetupException with {@link ExitCodes#NOT_FOUND} if it does not exist, {@link ExitCodes#SETUP_FAILED}
     *     if it exists but cannot be executed
     */
    static List<String> resolve(List<String> argv, Path startDir) {
        String program = argv.get(0);
        if (!program.contains("/")) {
            Optional<Path> found = find(program);
            if (found.isEmpty()) {
                throw new ExecSetupException(ExitCodes.NOT_FOUND, "command not found: " + program);
            }
            checkInterpreter(found.get(), program);
            return argv;
        }
        Path file = startDir.resolve(program).normalize();
        if (!Files.exists(file)) {
            throw new ExecSetupException(ExitCodes.NOT_FOUND, "command not found: " + program);
        }
        // Found but not runnable: 126, as a shell answers it, so that a script tells it from a missing program.
        if (Files.isDirectory(file)) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot execute " + program + ": is a directory");
        }
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot execute " + program
                    + ": not an executable file (chmod +x " + program + "?)");
        }
        checkInterpreter(file, program);
        List<String> resolved = new ArrayList<>(argv);
        resolved.set(0, file.toString());
        return List.copyOf(resolved);
    }

    /**
     * Refuses a script whose {@code #!} interpreter does not exist. Every replica failed to start it, and each
     * said only "resh: cannot run ./tool.sh: No such file or directory" of a file that was there, and exited 2,
     * the code of an invalid option.
     */
    private static void checkInterpreter(Path file, String program) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(256);
        } catch (IOException e) {
            return; // not readable: the kernel may still run it (execute-only), and says so if not
        }
        if (head.length < 3 || head[0] != '#' || head[1] != '!') {
            return;
        }
        int end = 2;
        while (end < head.length && head[end] != '\n') {
            end++;
        }
        String line = new String(head, 2, end - 2, StandardCharsets.ISO_8859_1);
        if (line.endsWith("\r")) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot execute " + program + ": its #! line ends"
                    + " in a carriage return, which the kernel takes as part of the interpreter's name (Windows line"
                    + " endings? dos2unix " + program + ")");
        }
        String interpreter = line.replaceFirst("^[ \t]+", "").split("[ \t]", 2)[0];
        // A relative one resolves against each replica's work directory: the kernel says what it finds there.
        Path path;
        try {
            path = Path.of(interpreter);
        } catch (InvalidPathException e) {
            return;
        }
        if (interpreter.startsWith("/") && !Files.isExecutable(path)) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot execute " + program + ": its #! interpreter "
                    + interpreter + (Files.exists(path) ? " is not executable" : " does not exist"));
        }
    }
}
