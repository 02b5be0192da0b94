package io.resh.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.resh.core.ByteSizes;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import io.resh.core.config.ConfigPaths;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.core.config.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a replica group's YAML config into a validated {@link GroupConfig}. Every error is one line
 * naming the file and the field: {@code kv.yaml: checkpoint.every: expected a positive number of
 * requests, got -5}. Unknown fields are errors (a typo must not silently fall back to a default).
 * The fields and their defaults are documented in docs/CONFIGURATION.md.
 */
public final class ConfigFile {
    /** A key given twice is an error, not a silent "the last one wins" (like an unknown field). */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private ConfigFile() {
    }

    /** Parses the file as YAML without interpreting it (to tell a service config from a gateway one). */
    public static JsonNode readTree(Path file) {
        try {
            JsonNode root = YAML.readTree(Files.readString(file));
            if (root == null || root.isMissingNode() || root.isNull()) {
                // "expected a YAML mapping at the top level" of a file with nothing in it sent the user looking
                // for a syntax error; say what a config needs instead.
                throw new ConfigException(file.toString(), "is empty (or only comments); a config needs service: (a"
                        + " replicated Java service) or server: (unmodified servers behind the gateway)");
            }
            if (!root.isObject()) {
                throw new ConfigException(file.toString(), "expected a YAML mapping of fields at the top level, got "
                        + (root.isArray() ? "a list" : "'" + root.asText() + "'"));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ConfigException(file.toString(), "not valid YAML" + problem(e));
        } catch (IOException e) {
            throw ConfigException.unreadable(file, e);
        }
    }

    /**
     * Where the parser gave up and why, in one line: " at line L, column C: problem (context)". SnakeYAML's
     * own message spans several lines (the context, the offending line quoted, a caret under it), and the
     * place it marks is where the problem is, which Jackson's location (the last token read) need not be.
     */
    static String problem(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null && m.getProblemMark() != null) {
            String context = m.getContext() == null ? "" : " (" + oneLine(m.getContext())
                    + (m.getContextMark() == null ? "" : " that starts at " + at(m.getContextMark())) + ")";
            return " at " + at(m.getProblemMark()) + ": " + oneLine(m.getProblem()) + context;
        }
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr();
        return where + ": " + oneLine(e.getOriginalMessage());
    }

    private static String at(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Loads and validates a service group config. */
    public static GroupConfig load(Path file) {
        try {
            return parse(readTree(file));
        } catch (ConfigException e) {
            throw e.inFile(file);
        }
    }

    /** Validates an already parsed tree (fields as in the YAML). */
    public static GroupConfig parse(JsonNode root) {
        Node n = new Node(root, "");
        n.only("group", "replicas", "service", "versions", "checkpoint", "deadline", "heartbeat", "startTimeout",
                "limits", "pin", "cpus", "sandbox", "seed", "workDir", "keepWorkDir", "listen", "restart", "reputation", "rejuvenation",
                "selfCheck", "adaptive");
        GroupConfig.Builder b = GroupConfig.builder(n.required("group"));
        b.replicas(n.integer("replicas", 3));
        Node service = n.child("service");
        if (service != null) {
            service.only("class", "java", "jvmArgs", "classpath");
            b.service(service.required("class"));
            b.java(service.path("java", "java"));
            b.jvmArgs(service.strings("jvmArgs", GroupConfig.DEFAULT_JVM_ARGS));
            if (service.has("classpath") && service.node().get("classpath").isArray()) {
                // A list is the natural way to write several entries, and "expected a string" did not say how instead.
                throw ConfigException.expected("service.classpath", "one string of entries separated by ':' (classpath:"
                        + " lib/*:my-service.jar)", "a list");
            }
            String classpath = service.text("classpath", null);
            if (classpath != null) {
                for (String entry : classpath.split(java.io.File.pathSeparator)) {
                    Node.refuseTilde("service.classpath", entry);
                }
            }
            b.classpath(classpath);
        }
        JsonNode versions = root.get("versions");
        if (versions != null) {
            if (!versions.isArray() || versions.isEmpty()) {
                throw ConfigException.expected("versions", "a non-empty list of {class, label, java, jvmArgs}",
                        versions.isArray() ? "an empty list" : Node.describe(versions));
            }
            List<String> labels = new ArrayList<>();
            List<Boolean> labelFromClass = new ArrayList<>();
            for (int i = 0; i < versions.size(); i++) {
                if (!versions.get(i).isObject()) {
                    // A bare class name read as a mapping without class:, and was reported as "class: missing".
                    throw ConfigException.expected("versions[" + i + "]", "a mapping like {class: a.Service, label: a}",
                            Node.describe(versions.get(i)));
                }
                Node v = new Node(versions.get(i), "versions[" + i + "].");
                v.only("class", "label", "java", "jvmArgs");
                String cls = v.required("class");
                String label = v.text("label", cls == null ? "v" + i : cls.substring(cls.lastIndexOf('.') + 1));
                boolean fromClass = !v.has("label") && cls != null;
                int earlier = labels.indexOf(label);
                // The builder refuses a label twice too, but only the file knows a label was not written: say so.
                if (earlier >= 0 && (fromClass || labelFromClass.get(earlier))) {
                    throw new ConfigException("versions[" + i + "].label", "'" + label + "'"
                            + (fromClass ? " (defaulted from the class name)" : "") + " is already used by versions["
                            + earlier + "]" + (labelFromClass.get(earlier) ? " (defaulted from its class name)" : "")
                            + "; set label: to tell the versions apart (reputation and quarantine are per label)");
                }
                labels.add(label);
                labelFromClass.add(fromClass);
                b.version(new ReplicaSpec(cls, v.path("java", service == null ? "java" : service.path("java", "java")),
                        v.strings("jvmArgs", service == null ? GroupConfig.DEFAULT_JVM_ARGS
                                : service.strings("jvmArgs", GroupConfig.DEFAULT_JVM_ARGS)), label));
            }
        } else if (service == null) {
            throw new ConfigException("service", "missing: a service group needs service.class (or versions:); "
                    + "a gateway config has a server: section instead");
        }
        Node cp = n.child("checkpoint");
        if (cp != null) {
            cp.only("every");
            b.checkpointEvery(cp.integer("every", 1000));
        }
        b.deadline(n.duration("deadline", "2s"));
        Node hb = n.child("heartbeat");
        if (hb != null) {
            hb.only("interval", "timeout");
            b.heartbeatInterval(hb.duration("interval", "200ms"));
            if (hb.has("timeout")) {
                b.heartbeatTimeout(hb.duration("timeout", "1s"));
            }
        }
        b.startTimeout(n.duration("startTimeout", "30s"));
        Node limits = n.child("limits");
        if (limits != null) {
            limits.only("maxRequestBytes", "maxSnapshotBytes", "openFiles", "processes");
            b.maxRequestBytes((int) limits.bytes("maxRequestBytes", 16 << 20, Integer.MIN_VALUE, Integer.MAX_VALUE));
            b.maxSnapshotBytes(limits.bytes("maxSnapshotBytes", 1L << 30, Long.MIN_VALUE, Long.MAX_VALUE));
            b.processLimits(limits.has("openFiles") ? limits.integer("openFiles", 0) : null,
                    limits.has("processes") ? limits.integer("processes", 0) : null);
        }
        b.pin(n.bool("pin", false));
        if (n.has("cpus")) {
            b.cpus(n.integers("cpus"));
        }
        String sandbox = n.text("sandbox", "none");
        try {
            b.sandbox(Sandbox.valueOf(sandbox.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sandbox", "expected none or bwrap, got '" + sandbox + "'");
        }
        if (n.has("seed")) {
            b.seed(n.longValue("seed", 0));
        }
        b.workDir(n.path("workDir", null));
        b.keepWorkDir(n.bool("keepWorkDir", false));
        Node listen = n.child("listen");
        if (listen != null) {
            listen.only("host", "port");
            int port = listen.integer("port", 7400);
            if (port < 0 || port > 65535) { // the builder's -1 means "no listen section", not a port to write
                throw new ConfigException("listen.port", "expected 0 to 65535 (0 = any free port), got " + port);
            }
            b.listen(listen.text("host", "127.0.0.1"), port);
        }
        Node restart = n.child("restart");
        if (restart != null) {
            restart.only("max", "window", "versionMax", "backoffMax", "quarantine");
            int max = restart.integer("max", 5);
            b.restartIntensity(max, restart.duration("window", "60s"));
            b.escalation(restart.integer("versionMax", 2 * max), restart.duration("backoffMax", "30s"),
                    restart.duration("quarantine", "10m"));
        }
        Node reputation = n.child("reputation");
        if (reputation != null) {
            reputation.only("halfLife", "voteCredit", "coreSuspectBelow");
            b.reputation(reputation.duration("halfLife", "10m"), reputation.decimal("voteCredit", 0.001));
            b.coreSuspectBelow(reputation.decimal("coreSuspectBelow", 0.25));
        }
        Node rejuvenation = n.child("rejuvenation");
        if (rejuvenation != null) {
            rejuvenation.only("period");
            String period = rejuvenation.text("period", "off");
            // YAML reads a bare off as false; a bare 0 is off too, as the error for a too-short period offers it
            boolean off = period.equals("off") || period.equals("false") || period.equals("0");
            if (!off && !Character.isDigit(period.charAt(0))) { // 'never' or 'none': say that off is the word
                throw ConfigException.expected("rejuvenation.period", "off or a duration like 30m", "'" + period + "'");
            }
            b.rejuvenation(off ? java.time.Duration.ZERO : rejuvenation.duration("period", "off"));
        }
        Node selfCheck = n.child("selfCheck");
        if (selfCheck != null) {
            selfCheck.only("interval");
            b.selfCheck(selfCheck.duration("interval", "1s"));
        }
        if (n.has("adaptive")) {
            JsonNode a = root.get("adaptive");
            if (a.isBoolean()) {
                if (a.asBoolean()) {
                    b.adaptive(java.time.Duration.ofSeconds(30));
                }
            } else if (!a.isObject()) {
                throw ConfigException.expected("adaptive", "true, false or a mapping (enabled, quiet)",
                        a.isValueNode() ? "'" + a.asText() + "'" : Node.describe(a));
            } else {
                Node adaptive = n.child("adaptive");
                adaptive.only("enabled", "quiet");
                // Parsed even when disabled: a wrong quiet must not wait, unseen, for the day someone enables it.
                java.time.Duration quiet = adaptive.duration("quiet", "30s");
                if (adaptive.bool("enabled", true)) {
                    b.adaptive(quiet);
                }
            }
        }
        return b.build();
    }

    /** A YAML mapping with its dotted path, for error messages. */
    private record Node(JsonNode node, String prefix) {
        void only(String... known) {
            Set<String> allowed = Set.of(known);
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!allowed.contains(name)) {
                    throw new ConfigException(prefix + name, "unknown field; known fields here: " + new TreeSet<>(allowed));
                }
            }
        }

        boolean has(String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        Node child(String field) {
            if (!has(field)) {
                return null;
            }
            JsonNode c = node.get(field);
            if (!c.isObject()) {
                throw new ConfigException(prefix + field, "expected a mapping, got " + describe(c));
            }
            return new Node(c, prefix + field + ".");
        }

        String text(String field, String def) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (!v.isValueNode()) {
                throw new ConfigException(prefix + field, "expected a string, got " + describe(v));
            }
            if (v.asText().isBlank()) {
                // No field takes an empty string: a blank workDir put the replicas' logs in the current directory.
                throw new ConfigException(prefix + field, "expected a value, got an empty string (leave the field out"
                        + " for its default)");
            }
            return v.asText();
        }

        /**
         * {@link #text} of a file or directory: a leading {@code ~}, which only a shell expands, made {@code workDir:
         * ~/resh-work} a directory named "~" in the current one, and a classpath or java the replicas could not find.
         */
        String path(String field, String def) {
            String v = text(field, def);
            if (has(field)) {
                refuseTilde(prefix + field, v);
            }
            return v;
        }

        static void refuseTilde(String field, String path) {
            ConfigPaths.refuseTilde(field, path, "the directory resh serve runs in");
        }

        /**
         * A field without a default: an empty value goes to the builder, which says what the field needs, where
         * {@link #text}'s "leave the field out for its default" would offer a default there is not.
         */
        String required(String field) {
            JsonNode v = node.get(field);
            return v != null && v.isValueNode() && v.asText().isBlank() ? v.asText() : text(field, null);
        }

        int integer(String field, int def) {
            return (int) wholeNumber(field, def, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }

        long longValue(String field, long def) {
            return wholeNumber(field, def, Long.MIN_VALUE, Long.MAX_VALUE);
        }

        /** A whole number that fits in {@code min..max}, the bounds of the field's Java type. */
        private long wholeNumber(String field, long def, long min, long max) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (!v.isIntegralNumber()) {
                throw new ConfigException(prefix + field, "expected a whole number, got " + describe(v));
            }
            // Quoted as the file writes it: asLong() wraps a number beyond a long around into some other number.
            if (!v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                boolean negative = v.asText().startsWith("-");
                throw new ConfigException(prefix + field, "expected a whole number "
                        + (negative ? "of at least " + min : "of at most " + max) + ", got " + v.asText());
            }
            return v.asLong();
        }

        /**
         * A byte count written as a number or as a size ({@code 16MiB}), as the gateway's fields take it, within
         * {@code min..max}, the bounds of the field's Java type (the builder checks the field's own range).
         */
        long bytes(String field, long def, long min, long max) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (v.isIntegralNumber()) {
                return wholeNumber(field, def, min, max);
            }
            if (!v.isTextual()) {
                throw new ConfigException(prefix + field, "expected a size like 65536, 64KiB, 16MiB or 1GiB, got "
                        + describe(v));
            }
            long n = ByteSizes.parse(prefix + field, v.asText());
            if (n > max) {
                throw new ConfigException(prefix + field, "expected a size of at most " + ByteSizes.format(max)
                        + ", got '" + v.asText() + "'");
            }
            return n;
        }

        boolean bool(String field, boolean def) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (!v.isBoolean()) {
                throw new ConfigException(prefix + field, "expected true or false, got " + describe(v));
            }
            return v.asBoolean();
        }

        double decimal(String field, double def) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (!v.isNumber()) {
                throw new ConfigException(prefix + field, "expected a number, got " + describe(v));
            }
            return v.asDouble();
        }

        List<Integer> integers(String field) {
            JsonNode v = node.get(field);
            if (!v.isArray()) {
                throw new ConfigException(prefix + field, "expected a list of core numbers like [0, 1], got " + describe(v));
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) { // asInt() would wrap a huge number around
                    throw new ConfigException(prefix + field, "expected core numbers, got " + describe(e));
                }
                out.add(e.asInt());
            }
            return out;
        }

        java.time.Duration duration(String field, String def) {
            if (has(field) && !node.get(field).isValueNode()) {
                throw ConfigException.expected(prefix + field, "a duration like 250ms, 2s, 5m or 1h", describe(node.get(field)));
            }
            String t = text(field, def);
            return Durations.parse(prefix + field, t);
        }

        List<String> strings(String field, List<String> def) {
            if (!has(field)) {
                return def;
            }
            JsonNode v = node.get(field);
            if (!v.isArray()) {
                throw new ConfigException(prefix + field, "expected a list of strings, got " + describe(v));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isValueNode() || e.isNull()) {
                    // asText() made a mapping an empty argument and null "null": the JVM refused them at start.
                    throw ConfigException.expected(prefix + field + "[" + i + "]", "a string", e.isNull() ? "nothing" : describe(e));
                }
                out.add(e.asText());
            }
            return out;
        }

        static String describe(JsonNode v) {
            if (v.isTextual()) {
                return "'" + v.asText() + "'";
            }
            return v.isContainerNode() ? (v.isArray() ? "a list" : "a mapping") : v.toString();
        }
    }
}
