package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.TestGroups;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/OBSERVABILITY.md's reference tables against the code, both ways, so that a metric, an event type, an event
 * field or a route cannot ship undocumented, nor a documented one go away unnoticed: the metrics a running admin
 * server exports at {@code /metrics} (name, type, label names), the event types of {@link GroupEvent} with the
 * fields {@link EventJson} writes for each, and the routes of {@link AdminEndpoint}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentedObservabilityTest {
    private static final Path DOC = Path.of("..", "docs", "OBSERVABILITY.md");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][\\w:]*)(?:\\{(.*)})? \\S+$", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_]\\w*)=\"(?:[^\"\\\\]|\\\\.)*\"");
    /** The gauges a group has only when its replicas are pinned, which needs taskset. */
    private static final Set<String> PINNED_ONLY = Set.of("resh_core_reputation", "resh_core_suspect");
    /** What every event line has, and the replica, core and sequence number of the events that have one. */
    private static final List<String> COMMON_FIELDS = List.of("time", "timeMillis", "group", "type", "server", "replica",
            "core", "sequence");

    private ReplicaGroup group;
    /** A voting gateway as the admin server sees one ({@code resh serve} wraps the real one the same way). */
    private final ScriptedGateway gateway = new ScriptedGateway("gw",
            "{\"group\":\"gw\",\"replicas\":[{\"replica\":0,\"state\":\"live\"}]}");
    private AdminServer admin;
    private AdminCalls calls;
    private boolean pinned;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        pinned = onPath("taskset");
        group = ReplicaGroup.start(TestGroups.counter("obs", 3, dir).pin(pinned).build());
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group), null, List.of(gateway));
        calls = new AdminCalls(admin);
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (group != null) {
            group.close();
        }
    }

    @Test
    void shouldExportExactlyTheMetricsTheTableListsWithTheirTypesAndLabels() {
        // The counters below come into being with their first event. No quick run produces a self-repair or a
        // redundancy switch, so the events are handed in through the gateway's listener: the admin server files
        // an event under the group it names, whichever listener it came through.
        long now = System.currentTimeMillis();
        gateway.emit(new GroupEvent.FaultDetected(now, "gw", 0, -1, 1, FaultKind.CRASH, "exited"));
        gateway.emit(new GroupEvent.RecoveryCompleted(now, "gw", 0, -1, 1, 10, 1));
        gateway.emit(new GroupEvent.PoisonRequest(now, "gw", 1, 3, 6, "killed every server"));
        gateway.emit(new GroupEvent.UnreplayableRequest(now, "gw", 2, "request #2 (EXIT)", 4, 2, 2, true, "kills replays"));
        gateway.emit(new GroupEvent.FaultInjected(now, "obs", 0, -1, 1, "reply-corruption", "bit 3"));
        gateway.emit(new GroupEvent.FaultDetected(now, "obs", 0, -1, 1, FaultKind.DIVERGENCE, "reply differs"));
        gateway.emit(new GroupEvent.CoreSuspected(now, "obs", 0, 0.2, 4, "replicas 0, 2"));
        gateway.emit(new GroupEvent.SelfRepaired(now, "obs", "log-contiguous", "gap", "restarted"));
        gateway.emit(new GroupEvent.RedundancyChanged(now, "obs", "dmr", "tmr", "divergence"));
        // one admin thread takes the events in order, and logs each once it is counted: the last one logged, all are
        await().atMost(Duration.ofSeconds(10)).until(() -> !calls.json("/api/events?group=obs&type=redundancy").isEmpty());

        Map<String, Family> exported = exported(calls.send("GET", "/metrics", null).body());
        Map<String, Family> documented = documentedMetrics();

        List<String> undocumented = exported.keySet().stream().filter(n -> !documented.containsKey(n)).toList();
        assertThat(undocumented).as("metrics /metrics exports that docs/OBSERVABILITY.md's table does not list").isEmpty();
        List<String> missing = documented.keySet().stream()
                .filter(n -> !exported.containsKey(n) && (pinned || !PINNED_ONLY.contains(n))).toList();
        assertThat(missing).as("metrics docs/OBSERVABILITY.md lists that /metrics does not export").isEmpty();
        List<String> wrong = new ArrayList<>();
        exported.forEach((name, e) -> {
            Family d = documented.get(name);
            if (!d.type().equals(e.type())) {
                wrong.add(name + ": exported as a " + e.type() + ", documented as a " + d.type());
            }
            if (!d.labels().equals(e.labels())) {
                wrong.add(name + ": exported with labels " + e.labels() + ", documented with " + d.labels());
            }
            if (e.max() && !d.max()) {
                wrong.add(name + ": exports " + name + "_max, which its row does not mention");
            }
        });
        assertThat(wrong).as("metrics whose row in docs/OBSERVABILITY.md says otherwise").isEmpty();
        assertThat(exported).as("the gateway's and the admin's own").containsKeys("resh_gateway_faults_total",
                "resh_admin_unauthorized_total");
    }

    @Test
    void shouldListEveryEventTypeWithTheFieldsItsLinesCarry() throws Exception {
        List<List<String>> table = table("## Event log", "| `type` |");
        List<String> documented = table.stream().map(r -> firstCode(r.get(0))).toList();
        Map<String, String> rows = table.stream().collect(Collectors.toMap(r -> firstCode(r.get(0)), r -> r.get(1), (a, b) -> a));
        List<GroupEvent> samples = new ArrayList<>();
        for (Class<?> type : GroupEvent.class.getPermittedSubclasses()) {
            samples.add(sample(type));
        }
        List<String> emitted = samples.stream().map(GroupEvent::type).toList();

        assertThat(emitted.stream().filter(t -> !documented.contains(t)).toList())
                .as("event types GroupEvent has that docs/OBSERVABILITY.md's table does not list").isEmpty();
        assertThat(documented.stream().filter(t -> !emitted.contains(t)).toList())
                .as("event types docs/OBSERVABILITY.md lists that no GroupEvent has").isEmpty();
        assertThat(emitted).as("every GroupEvent under its own name, each in GroupEvent.types() (what resh events --type"
                + " accepts)").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(GroupEvent.types());
        assertThat(documented).as("the event table's rows, in the order of GroupEvent.types()")
                .containsExactlyElementsOf(GroupEvent.types());

        String common = section("## Event log").split("\n\\| `type` \\|")[0];
        assertThat(COMMON_FIELDS).as("fields every event has, named before the table")
                .allSatisfy(f -> assertThat(common).contains("`" + f + "`"));
        ObjectMapper json = new ObjectMapper();
        EventJson format = new EventJson(json, EventJson.server(json, 4242, "http://127.0.0.1:40123/"));
        List<String> unnamed = new ArrayList<>();
        for (GroupEvent e : samples) {
            List<String> fields = new ArrayList<>();
            format.toJson(e).fieldNames().forEachRemaining(fields::add);
            String row = rows.getOrDefault(e.type(), "");
            fields.stream().filter(f -> !COMMON_FIELDS.contains(f) && !row.contains("`" + f + "`"))
                    .forEach(f -> unnamed.add(e.type() + ": " + f));
        }
        assertThat(unnamed).as("fields event lines carry that their row in docs/OBSERVABILITY.md does not name").isEmpty();
    }

    @Test
    void shouldListEveryRouteTheAdminApiServesAndServeEveryOneListed() throws Exception {
        List<String> documented = table("## Admin API", "| method and path |").stream()
                .map(r -> firstCode(r.get(0)).replaceFirst("\\?.*", "")).toList();
        List<String> served = Arrays.stream(AdminEndpoint.values()).map(e -> e.method().name() + " " + e.path()).toList();

        assertThat(served.stream().filter(r -> !documented.contains(r)).toList())
                .as("routes the admin API serves that docs/OBSERVABILITY.md's table does not list").isEmpty();
        assertThat(documented.stream().filter(r -> !served.contains(r)).toList())
                .as("routes docs/OBSERVABILITY.md lists that the admin API does not serve").isEmpty();
        assertThat(documented).as("rows of the route table").doesNotHaveDuplicates();
        for (String route : documented) {
            String[] methodAndPath = route.split(" ", 2);
            // names of nothing: every call is answered without acting on anything
            HttpResponse<InputStream> r = call(methodAndPath[0], methodAndPath[1].replaceAll("\\{[^}]+}", "nosuch"));
            try (InputStream body = r.body()) {
                String text = r.statusCode() == 200 ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(r.statusCode()).as(route + " answered " + text).isNotIn(405, 500);
                assertThat(text).as(route).doesNotContain("no such endpoint");
            }
        }
    }

    /** An event of {@code type} with every field set, its details holding every kind of value compared. */
    private static GroupEvent sample(Class<?> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        assertThat(components).as(type + " is a record").isNotNull();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = value(type, components[i]);
        }
        Constructor<?> canonical = type.getDeclaredConstructor(types);
        return (GroupEvent) canonical.newInstance(args);
    }

    private static Object value(Class<?> event, RecordComponent c) {
        Class<?> t = c.getType();
        if (t == long.class) {
            return 7L;
        } else if (t == int.class) {
            return 1;
        } else if (t == double.class) {
            return 0.5;
        } else if (t == boolean.class) {
            return false;
        } else if (t == String.class) {
            return c.getName().equals("group") ? "kv" : "x";
        } else if (t == FaultKind.class) {
            return FaultKind.DIVERGENCE;
        } else if (t == Digest.class) {
            return Digest.of(new byte[] {1});
        } else if (t == Map.class) {
            Map<String, String> d = new LinkedHashMap<>();
            for (String name : List.of("voted", "replica")) {
                d.put(name + GroupEvent.FaultDetected.DIGEST, "ab");
                d.put(name + GroupEvent.FaultDetected.BYTES, "5");
                d.put(name + GroupEvent.FaultDetected.SNIPPET, "34");
                d.put(name + GroupEvent.FaultDetected.TEXT, "4");
            }
            d.put(GroupEvent.FaultDetected.OFFSET, "4");
            return d;
        }
        throw new AssertionError("no sample value for " + event.getSimpleName() + "." + c.getName() + " (" + t
                + "): add one here");
    }

    /**
     * A metric family: its type ({@code counter}, {@code gauge}, {@code summary}), its label names ({@code quantile}
     * left out) and whether it has a {@code _max}.
     */
    private record Family(String type, Set<String> labels, boolean max) {
    }

    /** The {@code resh_*} families of a scrape, a summary's {@code _max} gauge folded into the summary. */
    private static Map<String, Family> exported(String scrape) {
        Map<String, String> types = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(scrape);
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
        Map<String, Set<String>> labels = new TreeMap<>();
        Matcher s = SAMPLE.matcher(scrape);
        while (s.find()) {
            String family = familyOf(s.group(1), types.keySet());
            Set<String> names = labels.computeIfAbsent(family, k -> new TreeSet<>());
            Matcher l = LABEL.matcher(s.group(2) == null ? "" : s.group(2));
            while (l.find()) {
                names.add(l.group(1));
            }
        }
        Map<String, Family> out = new TreeMap<>();
        types.forEach((name, type) -> {
            String summary = name.endsWith("_max") ? name.substring(0, name.length() - 4) : null;
            if (name.startsWith("resh_") && !(summary != null && "summary".equals(types.get(summary)))) {
                Set<String> names = labels.getOrDefault(name, new TreeSet<>());
                names.remove("quantile");
                out.put(name, new Family(type, names, types.containsKey(name + "_max")));
            }
        });
        return out;
    }

    /** The family a sample belongs to: its own name, or the family it adds a suffix to. */
    private static String familyOf(String sample, Set<String> families) {
        if (families.contains(sample)) {
            return sample;
        }
        for (String suffix : List.of("_total", "_count", "_sum", "_created", "_bucket")) {
            String base = sample.endsWith(suffix) ? sample.substring(0, sample.length() - suffix.length()) : null;
            if (base != null && families.contains(base)) {
                return base;
            }
        }
        return sample;
    }

    /** The metrics table: name, type (its first word), label names ({@code group} unless the row says not). */
    private static Map<String, Family> documentedMetrics() {
        Map<String, Family> out = new TreeMap<>();
        for (List<String> row : table("## Metrics", "| metric |")) {
            String name = firstCode(row.get(0));
            Set<String> labels = new TreeSet<>(codes(row.get(2)));
            if (!row.get(2).contains("no `group`")) {
                labels.add("group");
            } else {
                labels.remove("group");
            }
            String type = row.get(1).strip().split("[\\s(]", 2)[0];
            assertThat(out.put(name, new Family(type, labels, row.get(1).contains("`_max`")))).as("rows for " + name).isNull();
        }
        assertThat(out).as("rows of the metrics table (none means the parsing is broken)").isNotEmpty();
        return out;
    }

    /** The text from {@code heading} to the next heading of its level. */
    private static String section(String heading) {
        String doc = read();
        int start = doc.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading + " in " + DOC).isNotNegative();
        int end = doc.indexOf("\n## ", start + heading.length() + 1);
        return doc.substring(start + 1, end < 0 ? doc.length() : end);
    }

    /** The cells of the rows of the table in {@code heading}'s section whose header starts {@code header}. */
    private static List<List<String>> table(String heading, String header) {
        List<List<String>> rows = new ArrayList<>();
        boolean in = false;
        for (String line : section(heading).split("\n")) {
            if (line.startsWith(header)) {
                in = true;
            } else if (in && !line.startsWith("|")) {
                break;
            } else if (in && !line.startsWith("|---")) {
                List<String> cells = new ArrayList<>(List.of(line.split("\\|", -1)));
                rows.add(cells.subList(1, cells.size() - 1));
            }
        }
        assertThat(rows).as("rows of the table " + header + " in " + heading + " (none means the parsing is broken)")
                .isNotEmpty();
        return rows;
    }

    private static List<String> codes(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String firstCode(String cell) {
        List<String> codes = codes(cell);
        assertThat(codes).as("code in the first cell: " + cell).isNotEmpty();
        return codes.get(0);
    }

    private static String read() {
        try {
            return Files.readString(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call that returns as soon as the answer's head is in: the event stream's body never ends. */
    private HttpResponse<InputStream> call(String method, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(admin.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + admin.token())
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
    }
}
