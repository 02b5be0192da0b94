package io.resh.exec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ConfigException;
import io.resh.core.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The JSON report of {@code resh exec --report FILE}. Format version 1:
 *
 * <pre>
 * { "format": 1, "replicas": 3, "faultsMasked": 1, "sandbox": false, "pinned": true, "nVersion": false,
 *   "buffered": false, "timeoutMillis": 60000 | null, "exitCode": 0, "verdict": "agreed", "reason": "",
 *   "stdout": {"bytes": 12, "sha256": "…"},            // what resh showed, across attempts
 *   "stderr": {"bytes": 0, "sha256": "…"},
 *   "attempts": [ {
 *     "attempt": 1, "verdict": "agreed", "reason": "", "votedExitCode": 0, "durationMillis": 35,
 *     "stdinChanged": null | "stdin (/srv/app.log) grew from 6 to 12 bytes while the replicas ran",
 *     "stdout": {"voted": true, "agreed": true, "releasedBytes": 12, "retainedHighWaterBytes": 24},
 *     "stderr": {…},
 *     "outputs": [ {"file": "out.bin", "agreed": true, "sha256": "…" | null, "placed": true} ],
 *     "replicas": [ {"index": 0, "command": ["sha256sum", "big.iso"], "core": 0 | -1, "pid": 4242,
 *                    "workDir": "/tmp/resh-exec-…/replica-0", "exitCode": 0 | null, "timedOut": false,
 *                    "startError": null, "durationMillis": 30,
 *                    "stdout": {"bytes": 12, "sha256": "…"}, "stderr": {…},
 *                    "outputs": {"out.bin": "…" | null} } ],
 *     "faults": [ {"replica": 1, "core": 1, "kind": "divergence", "channel": "stdout", "offset": 5,
 *                  "detail": "replica 1 differs from the voted output at byte 5: …"} ] } ] }
 * </pre>
 */
public final class ExecReport {
    /** Bumped whenever a field changes meaning or disappears; new fields don't bump it. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ExecReport() {
    }

    /** The report as a JSON tree. */
    public static ObjectNode toJson(ExecOptions options, ExecResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("replicas", result.replicas());
        root.put("faultsMasked", result.faultsMasked());
        root.put("sandbox", options.sandbox());
        root.put("pinned", options.pin());
        root.put("nVersion", options.nVersion());
        root.put("buffered", options.buffer());
        if (options.timeout() == null) {
            root.putNull("timeoutMillis");
        } else {
            root.put("timeoutMillis", options.timeout().toMillis());
        }
        root.put("exitCode", result.exitCode());
        root.put("verdict", result.verdict().label());
        root.put("reason", result.reason());
        root.set("stdout", digest(result.stdout()));
        root.set("stderr", digest(result.stderr()));
        ArrayNode attempts = root.putArray("attempts");
        for (ExecResult.Attempt attempt : result.attempts()) {
            attempts.add(attempt(attempt));
        }
        return root;
    }

    /**
     * Checks, before anything runs, that a report can go to {@code file}: its directory exists (it is not
     * created, so a mistyped path fails here rather than leaving a stray tree) and {@code file} is no directory.
     *
     * @throws ConfigException naming {@code --report}, the path and what is wrong with it
     */
    public static void checkTarget(Path file) {
        if (file.toString().isEmpty()) {
            // Else refused as "--report:  is a directory" (the empty path is the current directory).
            throw new ConfigException("--report", "the file name is empty");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ConfigException("--report", file + ": the directory " + parent
                    + (Files.exists(parent) ? " is not a directory" : " does not exist (resh does not create it)"));
        }
        if (Files.isDirectory(file)) {
            throw new ConfigException("--report", file + " is a directory; name the report file");
        }
    }

    /**
     * Writes the report to {@code file}, replacing it; its directory must exist ({@link #checkTarget}). The report
     * is written whole or not at all: it goes to a file next to {@code file} that is then renamed over it. When that
     * fails (a full disk, a file size limit) neither a half-written report nor an earlier one, which would read as
     * this run's, is left at {@code file}. A {@code file} that is a symbolic link ({@code /dev/stdout}), a device or
     * a pipe is written through directly.
     *
     * @throws IOException naming {@code file} and what went wrong
     */
    public static void write(ExecOptions options, ExecResult result, Path file) throws IOException {
        byte[] json = (JSON.writeValueAsString(toJson(options, result)) + "\n").getBytes(StandardCharsets.UTF_8);
        Path target = file.toAbsolutePath();
        if (Files.isSymbolicLink(target) || Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            // Written through, as > FILE would: a link (/dev/stdout names resh's own output), a device, a pipe.
            try {
                Files.write(target, json);
                return;
            } catch (IOException e) {
                throw failure(file, e);
            }
        }
        Path partial = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
                + ".partial");
        try {
            Files.write(partial, json); // named by this process: one left by an earlier resh of the same pid is stale
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            deleteQuietly(target);
            throw failure(file, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Nothing more can be done for it; the error that matters is the write's.
        }
    }

    /**
     * The write's error, naming the report. A full disk or a file size limit failed the write with the C library's
     * bare "File too large", naming no file; a failure of the partial file named that, which the user never gave.
     */
    private static IOException failure(Path file, IOException e) {
        String described = FileErrors.describe(e);
        String reason = e instanceof FileSystemException f && f.getFile() != null
                ? described.substring(described.lastIndexOf(": ") + 2) : FileErrors.lowerCase(described);
        IOException named = new FileSystemException(file.toString(), null, reason);
        named.initCause(e);
        return named;
    }

    private static ObjectNode attempt(ExecResult.Attempt attempt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("attempt", attempt.number());
        node.put("verdict", attempt.verdict().label());
        node.put("reason", attempt.reason());
        if (attempt.votedExitCode() == null) {
            node.putNull("votedExitCode");
        } else {
            node.put("votedExitCode", attempt.votedExitCode());
        }
        node.put("durationMillis", attempt.durationMillis());
        node.put("stdinChanged", attempt.stdinChanged());
        node.set("stdout", channel(attempt.stdout()));
        node.set("stderr", channel(attempt.stderr()));
        ArrayNode outputs = node.putArray("outputs");
        for (ExecResult.OutputFile file : attempt.outputs()) {
            ObjectNode o = outputs.addObject();
            o.put("file", file.file());
            o.put("agreed", file.agreed());
            o.put("sha256", file.sha256());
            o.put("placed", file.placed());
        }
        ArrayNode replicas = node.putArray("replicas");
        for (ExecResult.Replica replica : attempt.replicas()) {
            replicas.add(replica(replica));
        }
        ArrayNode faults = node.putArray("faults");
        for (ExecResult.Fault fault : attempt.faults()) {
            ObjectNode f = faults.addObject();
            f.put("replica", fault.replica());
            f.put("core", fault.core());
            f.put("kind", fault.kind().label());
            f.put("channel", fault.channel());
            f.put("offset", fault.offset());
            f.put("detail", fault.detail());
        }
        return node;
    }

    private static ObjectNode replica(ExecResult.Replica replica) {
        ObjectNode node = JSON.createObjectNode();
        node.put("index", replica.index());
        ArrayNode command = node.putArray("command");
        replica.command().forEach(command::add);
        node.put("core", replica.core());
        node.put("pid", replica.pid());
        node.put("workDir", replica.workDir().toString());
        if (replica.exitCode() == null) {
            node.putNull("exitCode");
        } else {
            node.put("exitCode", replica.exitCode());
        }
        node.put("timedOut", replica.timedOut());
        node.put("startError", replica.startError());
        node.put("durationMillis", replica.durationMillis());
        node.set("stdout", digest(replica.stdout()));
        node.set("stderr", digest(replica.stderr()));
        ObjectNode outputs = node.putObject("outputs");
        for (Map.Entry<String, String> e : replica.outputs().entrySet()) {
            outputs.put(e.getKey(), e.getValue());
        }
        return node;
    }

    private static ObjectNode channel(ExecResult.Channel channel) {
        ObjectNode node = JSON.createObjectNode();
        node.put("voted", channel.voted());
        node.put("agreed", channel.agreed());
        node.put("releasedBytes", channel.releasedBytes());
        node.put("retainedHighWaterBytes", channel.retainedHighWater());
        return node;
    }

    private static ObjectNode digest(ExecResult.StreamDigest digest) {
        ObjectNode node = JSON.createObjectNode();
        if (digest == null) {
            node.putNull("bytes");
            node.putNull("sha256");
            return node;
        }
        node.put("bytes", digest.bytes());
        node.put("sha256", digest.sha256());
        return node;
    }
}
