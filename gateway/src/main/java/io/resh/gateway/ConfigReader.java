package io.resh.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.core.ByteSizes;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one YAML mapping field by field, remembering which fields it read so that anything left over
 * is rejected with its dotted path. Every error is a {@link ConfigException} naming the field.
 */
final class ConfigReader {
    private final JsonNode node;
    private final String path;
    private final Set<String> known = new LinkedHashSet<>();
    /** Every field the mapping may have, once {@link #fields} declared them; null before. */
    private Set<String> declared;

    ConfigReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
        if (!node.isObject()) {
            throw new ConfigException(path.isEmpty() ? "config" : path,
                    "expected a mapping of fields, got " + describe(node));
        }
    }

    String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /**
     * Declares every field this mapping may have and fails at once on any other, before a field is read: a misspelt
     * field is what the user got wrong, and the fields read before it was noticed reported what it left out instead
     * ({@code server: {comand: …}} said {@code server.command: is required}). The error lists them in this order.
     */
    ConfigReader fields(String... names) {
        declared = new LinkedHashSet<>(List.of(names));
        known.addAll(declared);
        Iterator<String> present = node.fieldNames();
        while (present.hasNext()) {
            String n = present.next();
            if (!known.contains(n)) {
                throw new ConfigException(field(n), "unknown field; expected " + oneOf(new ArrayList<>(known)));
            }
        }
        return this;
    }

    private JsonNode get(String name) {
        if (declared != null && !declared.contains(name)) {
            // Every parse reads every field, present or not: a field missing from fields() fails every test.
            throw new IllegalStateException(field(name) + " is read but not declared in fields()");
        }
        known.add(name);
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name, String fallback) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(field(name), "expected a text value, got " + describe(v));
        }
        return v.asText();
    }

    String requiredString(String name) {
        String s = string(name, null);
        if (s == null || s.isBlank()) {
            throw new ConfigException(field(name), "is required");
        }
        return s;
    }

    /** A lower-case word out of a fixed set; the error lists the choices. */
    String choice(String name, String fallback, List<String> choices) {
        String s = string(name, fallback);
        if (s == null) {
            return null;
        }
        String norm = s.trim().toLowerCase(Locale.ROOT);
        if (!choices.contains(norm)) {
            throw new ConfigException(field(name), "expected " + oneOf(choices) + ", got '" + s + "'");
        }
        return norm;
    }

    /** {@code true} or {@code false} (a YAML boolean or the word). */
    boolean flag(String name, boolean fallback) {
        return Boolean.parseBoolean(choice(name, Boolean.toString(fallback), List.of("true", "false")));
    }

    int integer(String name, int fallback, int min, int max) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber()) {
            throw new ConfigException(field(name), "expected a whole number, got " + describe(v));
        }
        // A number beyond int is out of range too, said with the file's digits (asInt() would wrap it around).
        if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw new ConfigException(field(name), "must be between " + min + " and " + max + ", got " + v.asText());
        }
        return v.asInt();
    }

    Duration duration(String name, Duration fallback, Duration min) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        Duration d = Durations.parse(field(name), v.isValueNode() ? v.asText() : v.toString());
        if (d.compareTo(min) < 0) {
            throw new ConfigException(field(name), "must be at least " + Durations.format(min) + ", got "
                    + Durations.format(d));
        }
        return d;
    }

    long bytes(String name, long fallback, long min, long max) {
        JsonNode v = get(name);
        if (v == null) {
            return fallback;
        }
        long b = ByteSizes.parse(field(name), v.asText());
        if (b < min || b > max) {
            throw new ConfigException(field(name), "must be between " + ByteSizes.format(min) + " and "
                    + ByteSizes.format(max) + ", got " + ByteSizes.format(b));
        }
        return b;
    }

    ConfigReader section(String name) {
        JsonNode v = get(name);
        if (v == null) {
            throw new ConfigException(field(name), "is required");
        }
        return new ConfigReader(v, field(name));
    }

    /** A list whose items are mappings; a missing field is an empty list. */
    List<ConfigReader> sections(String name) {
        JsonNode v = get(name);
        List<ConfigReader> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(field(name), "expected a list, got " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigReader(v.get(i), field(name) + "[" + i + "]"));
        }
        return out;
    }

    /** A field that is either one text value or a list of them. */
    List<String> stringOrList(String name) {
        JsonNode v = get(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        // Text only: `command: 5` read as the command line "5" was then refused for lacking {port}.
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (!item.isTextual()) {
                    throw new ConfigException(field(name) + "[" + i + "]", "expected text, got " + describe(item));
                }
                out.add(item.asText());
            }
        } else if (v.isTextual()) {
            out.add(v.asText());
        } else {
            throw new ConfigException(field(name), "expected text or a list of texts, got " + describe(v));
        }
        return out;
    }

    private static String oneOf(List<String> choices) {
        if (choices.size() == 1) {
            return choices.get(0);
        }
        return String.join(", ", choices.subList(0, choices.size() - 1)) + " or " + choices.get(choices.size() - 1);
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isNull()) {
            return "nothing";
        }
        if (v.isNumber() || v.isBoolean()) {
            return (v.isNumber() ? "the number " : "") + v.asText();
        }
        return "'" + v.asText() + "'";
    }
}
