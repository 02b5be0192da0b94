package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.resh.cluster.ClusterConfig;
import io.resh.core.ConfigException;
import io.resh.gateway.GatewayConfig;
import io.resh.host.ConfigFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every field a config parser accepts is named in the doc that is its reference, so a new field cannot ship
 * undocumented. The fields are the parsers' own: each refuses an unknown field by listing the ones it knows,
 * so the test adds one ({@code bogus}) to a valid config, at the top and then inside every field that turns
 * out to be a mapping or a list of mappings, and reads the list. A field counts as named when the doc has
 * it as a YAML key ({@code halfLife:}) or in code ({@code `server.pin`}, {@code `quiet`}). The other way
 * round, every field a reference table names (a table whose header starts {@code | field |}) must be one the
 * parser accepts.
 */
class DocumentedFieldsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String BOGUS = "bogus";

    @Test
    void shouldNameEveryFieldOfAServiceGroupInConfigurationMd() throws Exception {
        // versions: is given so that its entries are probed too; the parser reads it instead of service.class.
        assertDocumented("docs/CONFIGURATION.md", """
                group: g
                service: {class: a.B}
                versions: [{class: a.B}]
                """, ConfigFile::parse, List.of());
    }

    @Test
    void shouldNameEveryFieldOfAGatewayInGatewayMd() throws Exception {
        assertDocumented("docs/GATEWAY.md", """
                server: {command: "srv --port {port}"}
                listen: {protocol: line}
                canonicalize: [{regex: a}]
                checkpoint: {every: 1, save: SAVE, digest: DBSIZE, files: [dump.rdb]}
                """, tree -> GatewayConfig.parse(tree, "g.yaml", Path.of("")), List.of());
    }

    @Test
    void shouldNameEveryFieldOfAClusterInClusterMd() throws Exception {
        assertDocumented("docs/CLUSTER.md", """
                group: g
                service: {class: a.B}
                cluster:
                  id: h1
                  storage: s
                  peers: [{id: h1, address: "127.0.0.1:7501", client: "127.0.0.1:7401"}]
                """, tree -> ClusterConfig.parse(tree, null), List.of("cluster"));
    }

    private static void assertDocumented(String doc, String validConfig, Consumer<JsonNode> parser, List<Object> root)
            throws Exception {
        JsonNode base = YAML.readTree(validConfig);
        parser.accept(base); // the probes below must fail on the bogus field alone
        List<String> fields = new ArrayList<>();
        collect(base, parser, root, fields);
        assertThat(fields).as("fields the parser knows (none means the probing is broken)").isNotEmpty();

        List<String> lines = ProjectDocs.lines(ProjectDocs.ROOT.resolve(doc));
        String text = String.join("\n", lines);
        List<String> missing = fields.stream().filter(f -> !named(text, f)).toList();
        assertThat(missing).as("fields the parser accepts that " + doc + " does not name").isEmpty();

        String prefix = root.isEmpty() ? "" : dotted(root) + ".";
        List<String> known = fields.stream().map(f -> f.replaceAll("\\[\\d+]", "[]")).toList();
        List<String> unknown = tableFields(lines).stream().filter(f -> !known.contains(prefix + f)).toList();
        assertThat(unknown).as("fields " + doc + "'s tables describe that the parser does not accept").isEmpty();
    }

    /** The first cells of the rows of every table whose header starts {@code | field |}: {@code server.pin}. */
    private static List<String> tableFields(List<String> lines) {
        List<String> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines) {
            if (line.startsWith("| field |")) {
                inTable = true;
            } else if (!line.startsWith("|")) {
                inTable = false;
            } else if (inTable) {
                String cell = line.split("\\|")[1].strip();
                if (cell.matches("`[^`]+`")) {
                    out.add(cell.substring(1, cell.length() - 1));
                }
            }
        }
        return out;
    }

    /**
     * Adds the fields known at {@code path}, and below, as dotted paths ({@code restart.max}, {@code
     * versions[0].label}); false when there is no mapping at {@code path}.
     */
    private static boolean collect(JsonNode base, Consumer<JsonNode> parser, List<Object> path, List<String> out) {
        String field = dotted(path);
        String refused = (field.isEmpty() ? "" : field + ".") + BOGUS + ": unknown field; ";
        String message;
        try {
            parser.accept(withBogus(base, path));
            return false;
        } catch (ConfigException e) {
            message = e.getMessage();
        }
        if (!message.startsWith(refused)) {
            return false; // not a mapping here
        }
        for (String known : known(message.substring(refused.length()))) {
            List<Object> child = new ArrayList<>(path);
            child.add(known);
            out.add(dotted(child));
            if (!collect(base, parser, child, out)) {
                child.add(0);
                collect(base, parser, child, out);
            }
        }
        return true;
    }

    /** "known fields here: [a, b]" (service groups, clusters) or "expected a, b or c" (gateways). */
    private static List<String> known(String list) {
        String names = list.startsWith("known fields here: [") ? list.substring(20, list.indexOf(']'))
                : list.replaceFirst("^expected ", "").replace(" or ", ", ");
        return new ArrayList<>(new TreeSet<>(Arrays.asList(names.split(", "))));
    }

    /**
     * A copy of {@code base} with a {@code bogus} field in the mapping at {@code path}; what is missing on the way,
     * or is not a mapping (or a list, before an index), becomes one.
     */
    private static JsonNode withBogus(JsonNode base, List<Object> path) {
        JsonNode copy = base.deepCopy();
        JsonNode node = copy;
        for (int i = 0; i < path.size(); i++) {
            Object step = path.get(i);
            boolean list = i + 1 < path.size() && path.get(i + 1) instanceof Integer;
            JsonNode next = step instanceof String s ? node.get(s) : node.get((Integer) step);
            if (next == null || (list ? !next.isArray() || next.isEmpty() : !next.isObject())) {
                next = list ? YAML.createArrayNode().add(YAML.createObjectNode()) : YAML.createObjectNode();
                if (step instanceof String s) {
                    ((ObjectNode) node).set(s, next);
                } else {
                    ((ArrayNode) node).set((Integer) step, next);
                }
            }
            node = next;
        }
        ((ObjectNode) node).put(BOGUS, 1);
        return copy;
    }

    private static String dotted(List<Object> path) {
        StringBuilder b = new StringBuilder();
        for (Object step : path) {
            b.append(step instanceof Integer i ? "[" + i + "]" : (b.length() == 0 ? "" : ".") + step);
        }
        return b.toString();
    }

    private static boolean named(String doc, String field) {
        String leaf = field.substring(field.lastIndexOf('.') + 1);
        String plain = field.replaceAll("\\[\\d+]", "");
        return doc.contains("`" + plain + "`") || doc.contains("`" + leaf + "`")
                || Pattern.compile("(?<![\\w.])" + Pattern.quote(leaf) + ":").matcher(doc).find();
    }
}
