package io.resh.core;

import java.io.IOException;
import java.nio.file.Path;

/** A configuration is invalid. The message names the field and says what is wrong with it. */
public final class ConfigException extends ReshException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ConfigException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** As {@link #ConfigException(String, String)}, keeping what caused it (e.g. the file system's error). */
    public ConfigException(String field, String problem, Throwable cause) {
        super(field + ": " + problem, cause);
        this.field = field;
    }

    /**
     * A field or option given a value it does not take, in the one shape every such error has:
     * {@code --window: expected 1 to 10000, got 0}.
     *
     * @param what what the field takes, e.g. {@code 1 to 65535} or {@code at least 1}
     * @param got the value as given, quoted by the caller where it is text ({@code 'x'})
     */
    public static ConfigException expected(String field, String what, String got) {
        return new ConfigException(field, "expected " + what + ", got " + got);
    }

    /** Fails naming {@code field} unless {@code min <= value <= max}. */
    public static void requireBetween(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw expected(field, min + " to " + max, Long.toString(value));
        }
    }

    /** Fails naming {@code field} unless {@code value >= min}. */
    public static void requireAtLeast(String field, long value, long min) {
        if (value < min) {
            throw expected(field, "at least " + min, Long.toString(value));
        }
    }

    /**
     * Checks that {@code d} is a positive duration.
     *
     * @throws ConfigException naming {@code field} and the duration as a config file writes it (e.g. {@code 0s})
     */
    public static void requirePositive(String field, java.time.Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ConfigException(field, "expected a positive duration, got "
                    + (d == null ? "none" : Durations.format(d)));
        }
        requireAtMostMax(field, d);
    }

    /** Fails naming {@code field} unless {@code d} is at least {@code min} (and at most {@link Durations#MAX}). */
    public static void requireAtLeast(String field, java.time.Duration d, java.time.Duration min) {
        if (d == null || d.compareTo(min) < 0) {
            throw new ConfigException(field, "expected at least " + Durations.format(min) + ", got "
                    + (d == null ? "none" : Durations.format(d)));
        }
        requireAtMostMax(field, d);
    }

    /** A duration set through a builder, not parsed: the same bound as {@link Durations#parse} applies. */
    private static void requireAtMostMax(String field, java.time.Duration d) {
        if (d.compareTo(Durations.MAX) > 0) {
            throw new ConfigException(field, "expected at most " + Durations.format(Durations.MAX) + " (about 11 years), got "
                    + (d.toDays() > 0 ? d.toDays() + " days" : Durations.format(d)));
        }
    }

    /**
     * The work directory a config names cannot be created: {@code workDir: cannot create /proc/nope: no such
     * file or directory; name a directory resh can create, or leave workDir out for a temporary one}.
     *
     * @param field the field that names the directory, whose default is a temporary directory
     * @param dir the directory as configured
     * @param e why it could not be created
     */
    public static ConfigException cannotCreateWorkDir(String field, Object dir, IOException e) {
        String why = FileErrors.describe(e);
        String itself = dir + ": "; // the usual case: the directory itself, which the message names already
        return new ConfigException(field, "cannot create " + (why.startsWith(itself) ? why : dir + " (" + why + ")")
                + "; name a directory resh can create, or leave " + field + " out for a temporary one", e);
    }

    /**
     * A config file that cannot be read as text: {@code kv.yaml: no such file}, {@code kv.yaml: permission denied},
     * {@code kv.yaml: not UTF-8 text; a config file is YAML text (is it the right file?)}. The JDK says "Input
     * length = 1" for the last, and names the file again for the others.
     */
    public static ConfigException unreadable(Path file, IOException e) {
        String problem;
        if (e instanceof java.nio.file.NoSuchFileException) {
            problem = "no such file";
        } else if (e instanceof java.nio.charset.CharacterCodingException) {
            problem = "not UTF-8 text; a config file is YAML text (is it the right file?)";
        } else {
            String why = FileErrors.describe(e);
            String itself = e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? f.getFile() + ": " : null;
            problem = itself != null && why.startsWith(itself) ? why.substring(itself.length()) : "cannot read: " + why;
        }
        return new ConfigException(file.toString(), problem, e);
    }

    /** The dotted path of the offending field, e.g. {@code checkpoint.every}. */
    public String field() {
        return field;
    }

    /**
     * This error as found in the config file {@code file}: the field prefixed with the file's name, as every
     * error about a config file is reported ({@code kv.yaml: checkpoint.every: ...}). An error about the whole
     * file, whose field is the file's path already, is returned as it is.
     */
    public ConfigException inFile(Path file) {
        if (field.equals(file.toString())) {
            return this;
        }
        return named(file.getFileName() + ": " + field);
    }

    /**
     * This error with its field named as the user gave it, e.g. a builder's {@code replicas} as the command-line
     * option {@code --replicas} that set it.
     */
    public ConfigException named(String name) {
        return new ConfigException(name, getMessage().substring(field.length() + 2), getCause());
    }
}
